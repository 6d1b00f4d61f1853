/* courtval — recording a party's written objection to an inquiry (the dialog on the inquiry
 * pages). Loaded after app.js. */
"use strict";
(function () {
  const { api, formJson, clearErrors, showErrors, busy } = window.courtval;
  const dialog = document.getElementById("objection-dialog");
  if (!dialog) return;
  const form = document.getElementById("objection-form");
  let inquiryId = null;
  let onFiled = null;

  /** Open the dialog for inquiry ``id``; ``done(task)`` runs once the objection is recorded. */
  function openObjection(id, done) {
    inquiryId = id;
    onFiled = done;
    clearErrors(form);
    dialog.querySelector('[data-slot="objection-inquiry"]').textContent = String(id);
    dialog.showModal();
    const first = form.querySelector("select, input, textarea");
    if (first) first.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(form, true);
    const answer = await api("POST", `/v1/inquiries/${inquiryId}/objections`, formJson(form));
    busy(form, false);
    if (!answer.ok) {
      showErrors(form, answer.status, answer.data);
      return;
    }
    dialog.close();
    if (onFiled) onFiled(answer.data);
  });
  dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());

  window.courtval.openObjection = openObjection;
})();
