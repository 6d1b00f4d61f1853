/* courtval — the 履行能力 page: one debtor's search results in, the capacity answer out (tier,
 * probabilities, reasons, hidden-asset leads, relief hint). Data is written with textContent. */
"use strict";
(function () {
  const { api, formJson, clearErrors, showErrors, el, yuan, number, percent, busy } = window.courtval;
  const form = document.getElementById("capacity-form");
  const panel = document.getElementById("result");
  const slot = (name) => panel.querySelector(`[data-slot="${name}"]`);

  function render(data, inquiryId) {
    slot("tier").textContent = data.tier;
    slot("probability").textContent = percent(data.probability_full_6m);
    slot("recovered").textContent = `${yuan(data.expected_recovered_amount)}（${percent(data.expected_recovered_share)}）`;
    slot("hidden").textContent = percent(data.hidden_capacity_probability);
    slot("basis").textContent = data.tier_basis;
    slot("cash-ratio").textContent = data.cash_ratio === null ? "存款未查询" : number(data.cash_ratio, 2);
    slot("inquiry-id").textContent = inquiryId || "—";
    slot("model").textContent = `${data.model.name} v${data.model.version}`;
    const relief = slot("relief");
    relief.textContent = data.relief ? data.relief.text : "";
    relief.hidden = !data.relief;
    const reasons = data.reasons.map((r) => el("li", {}, `${r.text}（${r.direction}）`));
    slot("reasons").replaceChildren(...(reasons.length ? reasons : [el("li", {}, "（无）")]));
    const leads = data.leads.map((lead) => el("li", {}, `${lead.action}（${lead.why}）`));
    slot("leads").replaceChildren(...(leads.length ? leads : [el("li", {}, "（无）")]));
    panel.hidden = false;
    panel.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    busy(form, true);
    const answer = await api("POST", form.dataset.endpoint, formJson(form));
    busy(form, false);
    if (answer.ok) render(answer.data, answer.response.headers.get("X-Inquiry-Id"));
    else showErrors(form, answer.status, answer.data);
  });
})();
