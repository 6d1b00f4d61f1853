/* courtval — "my inquiries": the judge's own ledger entries with their dispute status. */
"use strict";
(function () {
  const { api, showErrors, el, yuan, appraisalDue } = window.courtval;
  const table = document.querySelector("#inquiries tbody");
  const more = document.querySelector('[data-action="more"]');
  const section = table.closest("section");
  const PAGE = 50;
  let offset = 0;

  const KINDS = { "/v1/valuations/property": "不动产", "/v1/valuations/vehicle": "车辆" };

  function status(item) {
    if (!item.disputed) return "正常";
    if (!item.appraisal_due_on) return "有异议";
    return `有异议，${appraisalDue(item.appraisal_due_on, item.appraisal_due_provisional)}`;
  }

  function row(item) {
    const tr = el("tr", item.disputed ? { class: "disputed" } : {});
    tr.append(
      el("td", {}, item.id),
      el("td", {}, item.case_number || "—"),
      el("td", {}, KINDS[item.endpoint] || item.endpoint),
      el("td", { class: "num" }, yuan(item.value)),
      el("td", {}, new Date(item.recorded_at).toLocaleString("zh-CN", { hour12: false })),
      el("td", {}, item.valid_until),
      el("td", {}, status(item)),
    );
    const actions = el("td");
    const report = el("a", { href: `/v1/inquiries/${item.id}/report.pdf`, download: "" }, "报告");
    actions.append(report);
    if (!item.disputed) {
      const object = el("button", { type: "button", class: "link-button" }, "异议");
      object.addEventListener("click", () => window.courtval.openObjection(item.id, () => reload()));
      actions.append(" ", object);
    }
    tr.append(actions);
    return tr;
  }

  async function load(reset) {
    if (reset) offset = 0;
    const answer = await api("GET", `/v1/inquiries?limit=${PAGE}&offset=${offset}`);
    if (!answer.ok) {
      showErrors(section, answer.status, answer.data);
      return;
    }
    const rows = answer.data.items.map(row);
    if (reset) table.replaceChildren(...rows);
    else table.append(...rows);
    if (reset && rows.length === 0) {
      const empty = el("tr");
      empty.append(el("td", { colspan: "8" }, "尚无询价记录"));
      table.append(empty);
    }
    offset += answer.data.items.length;
    more.hidden = offset >= answer.data.total;
  }

  function reload() {
    load(true);
  }

  more.addEventListener("click", () => load(false));
  reload();
})();
