/* courtval — "my inquiries": the judge's own ledger entries with their dispute status, the
 * progress of the appraisal an objection opened, and the sale of the asset once it is sold. */
"use strict";
(function () {
  const { showErrors, el, yuan, appraisalDue, formDialog, pagedTable } = window.courtval;
  const progress = formDialog("progress-dialog");
  const sale = formDialog("sale-dialog");
  const correction = formDialog("correct-dialog", "PUT");
  const table = document.querySelector("#inquiries tbody");
  const more = document.querySelector('[data-action="more"]');
  const section = table.closest("section");
  const PAGE = 50;

  const KINDS = { property: "不动产", vehicle: "车辆" };

  /** The steps each open status leads to (the server's rule: 待启动 → 已启动 → 已完成,
   * 已撤回 before it is done). */
  const NEXT = { 待启动: ["已启动", "已撤回"], 已启动: ["已完成", "已撤回"] };

  function status(item) {
    const text = stage(item);
    const late = item.objection_late ? "（按其后公布的节假日安排，异议已逾期，请核对处理）" : "";
    return text + late + sold(item.sale);
  }

  /** The sale, and to whom Art. 31 gives the inquiry fee when a reference price cites it. */
  function sold(sale) {
    if (!sale) return "";
    const text = `；${sale.sold_on} ${sale.round}成交，${yuan(Number(sale.price))}`;
    if (!sale.fee) return text;
    const names = sale.fee.closest.map((name) => (name === sale.fee.ours ? "本平台" : name));
    return `${text}；询价费归属：${names.join("、")}（询价结果最接近成交价）`;
  }

  function stage(item) {
    switch (item.appraisal_status) {
      case null:
      case undefined:
        return "正常";
      case "待启动": {
        const due = appraisalDue(item.appraisal_due_on, item.appraisal_due_provisional);
        return item.appraisal_overdue ? `有异议，${due}，已逾期未启动` : `有异议，${due}`;
      }
      case "已启动":
        return "有异议，评估已启动";
      case "已完成":
        return "有异议，评估已完成";
      case "已撤回":
        return "异议已撤回";
      default:
        return "有异议";
    }
  }

  /** The progress dialog for ``item``'s task, offering only the steps its status leads to. */
  function openProgress(item) {
    const next = NEXT[item.appraisal_status];
    progress.form.reset();
    const select = progress.form.querySelector('[name="status"]');
    for (const option of select.options) {
      const offered = next.includes(option.value);
      option.hidden = !offered;
      option.disabled = !offered;
    }
    select.value = next[0];
    const slots = { "progress-task": item.appraisal_task_id, "progress-inquiry": item.id };
    progress.open(`/v1/objections/${item.appraisal_task_id}/progress`, slots, () => reload());
  }

  /** The sale dialog for ``item``: what its asset sold for, once. */
  function openSale(item) {
    sale.form.reset();
    const slots = { "sale-inquiry": item.id, "sale-value": yuan(item.value) };
    sale.open(`/v1/inquiries/${item.id}/sale`, slots, () => reload());
  }

  /** The correction dialog for ``item``: its recorded sale entered again, with a reason. */
  function openCorrection(item) {
    correction.form.reset();
    for (const name of ["price", "sold_on", "round", "note"]) {
      correction.form.elements[name].value = item.sale[name] ?? "";
    }
    const slots = { "correct-inquiry": item.id, "correct-value": yuan(item.value) };
    correction.open(`/v1/inquiries/${item.id}/sale`, slots, () => reload());
  }

  function row(item) {
    const tr = el("tr", item.disputed ? { class: "disputed" } : {});
    tr.append(
      el("td", {}, item.id),
      el("td", {}, item.case_number || "—"),
      el("td", {}, KINDS[item.kind] || item.kind),
      el("td", {}, item.asset || "—"),
      el("td", { class: "num" }, yuan(item.value)),
      el("td", {}, new Date(item.recorded_at).toLocaleString("zh-CN", { hour12: false })),
      el("td", {}, item.valid_until),
      el("td", {}, status(item)),
    );
    const actions = el("td");
    const report = el("a", { href: `/v1/inquiries/${item.id}/report.pdf`, download: "" }, "报告");
    actions.append(report);
    if (!item.appraisal_task_id) {
      const object = el("button", { type: "button", class: "link-button" }, "异议");
      object.addEventListener("click", () => window.courtval.openObjection(item.id, () => reload()));
      actions.append(" ", object);
    } else if (progress && NEXT[item.appraisal_status]) {
      const step = el("button", { type: "button", class: "link-button" }, "评估进展");
      step.addEventListener("click", () => openProgress(item));
      actions.append(" ", step);
    }
    if (sale && !item.sale) {
      const record = el("button", { type: "button", class: "link-button" }, "登记成交");
      record.addEventListener("click", () => openSale(item));
      actions.append(" ", record);
    } else if (correction && item.sale) {
      const correct = el("button", { type: "button", class: "link-button" }, "更正成交");
      correct.addEventListener("click", () => openCorrection(item));
      actions.append(" ", correct);
    }
    tr.append(actions);
    return tr;
  }

  /* One case's inquiries, and their reports in one ZIP when the download can hold them. */
  const filter = document.getElementById("case-filter");
  const caseReports = filter.querySelector('[data-slot="case-reports"]');
  const perZip = Number(filter.dataset.reportsPerZip);
  let caseNumber = "";

  function showCaseReports(page) {
    caseReports.hidden = !caseNumber || page.total === 0;
    if (caseReports.hidden) return;
    const query = new URLSearchParams({ case_number: caseNumber });
    caseReports.replaceChildren(
      page.total <= perZip
        ? el("a", { href: `/v1/inquiries/reports.zip?${query}`, download: "" }, `下载本案 ${page.total} 份询价报告（ZIP）`)
        : `本案共 ${page.total} 条询价，超过每次 ${perZip} 份，请按编号分段下载报告`,
    );
  }

  const load = pagedTable({
    table,
    more,
    url: (offset) => {
      const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
      if (caseNumber) query.set("case_number", caseNumber);
      return `/v1/inquiries?${query}`;
    },
    row,
    columns: 9,
    emptyText: "尚无询价记录",
    onError: (code, data) => showErrors(section, code, data),
    onLoaded: showCaseReports,
  });

  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    caseNumber = filter.elements.case_number.value.trim();
    reload();
  });

  function reload() {
    load(true);
  }

  reload();
})();
