/* courtval — recording a party's written objection to an inquiry (the dialog on the inquiry
 * pages). Loaded after app.js. */
"use strict";
(function () {
  const dialog = window.courtval.formDialog("objection-dialog");
  if (!dialog) return;

  /** Open the dialog for inquiry ``id``; ``done(task)`` runs once the objection is recorded. */
  window.courtval.openObjection = function openObjection(id, done) {
    dialog.open(`/v1/inquiries/${id}/objections`, { "objection-inquiry": id }, done);
  };
})();
