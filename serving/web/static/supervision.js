/* courtval — the auditor's supervision page: every objection's appraisal task (overdue ones
 * marked), the inquiries' accuracy against the recorded sales, and a check of the ledger's
 * hash chain. */
"use strict";
(function () {
  const { api, busy, clearErrors, showErrors, el, number, percent, pagedTable } = window.courtval;
  const form = document.getElementById("task-filter");
  const table = document.querySelector("#tasks tbody");
  const more = document.querySelector('[data-action="more"]');
  const verifyForm = document.getElementById("verify-form");
  const slot = (name) => document.querySelector(`[data-slot="${name}"]`);
  const PAGE = 100;

  function query(offset) {
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (form.elements.status.value) params.set("status", form.elements.status.value);
    if (form.elements.overdue.checked) params.set("overdue", "true");
    return `/v1/objections?${params}`;
  }

  function startedInTime(task) {
    if (task.started_in_time === true) return "是";
    if (task.started_in_time === false) return "否";
    return "—";
  }

  function state(task) {
    let text = task.status;
    if (task.overdue) text += "（逾期未启动）";
    if (task.dates_provisional) text += "（日期暂定）";
    if (task.objection_late) text += "（异议逾期，待核对）";
    return text;
  }

  function note(task) {
    const value = task.appraised_value ? `评估价 ${number(Number(task.appraised_value), 2)}元` : "";
    return [value, task.progress_note || ""].filter(Boolean).join("；");
  }

  function row(task) {
    const tr = el("tr", task.overdue ? { class: "overdue" } : {});
    tr.append(
      el("td", {}, task.id),
      el("td", {}, task.case_number || "—"),
      el("td", {}, task.inquiry_id),
      el("td", {}, task.asset || "—"),
      el("td", {}, task.party),
      el("td", {}, task.ground),
      el("td", {}, task.registered_on),
      el("td", {}, task.due_on),
      el("td", {}, state(task)),
      el("td", {}, task.started_on || "—"),
      el("td", {}, startedInTime(task)),
      el("td", {}, note(task)),
    );
    return tr;
  }

  async function counts() {
    const all = await api("GET", "/v1/objections?limit=1");
    const overdue = await api("GET", "/v1/objections?limit=1&overdue=true");
    const started = await api("GET", `/v1/objections?limit=1&status=${encodeURIComponent("已启动")}`);
    if (all.ok) slot("total").textContent = number(all.data.total);
    if (overdue.ok) slot("overdue").textContent = number(overdue.data.total);
    if (started.ok) slot("started").textContent = number(started.data.total);
  }

  /** The median ratio of each way of sale (一拍, 二拍, 变卖), with its count. */
  function byRound(rounds) {
    if (!rounds.length) return "—";
    return rounds.map((r) => `${r.round} ${number(r.median_ratio, 2)}（${number(r.n)}笔）`).join("；");
  }

  /** The median ratio with its 95% interval (none under 6 sales). */
  function level(study) {
    if (study.median_ratio === null) return "—";
    const median = number(study.median_ratio, 3);
    const ci = study.median_ratio_ci95;
    return ci ? `${median}（${number(ci[0], 3)}–${number(ci[1], 3)}）` : median;
  }

  /** Art. 31: of the sales whose inquiry a reference price cites, how many ours came closest. */
  function closest(fee) {
    if (!fee.with_reference) return "—";
    const share = percent(fee.ours_closest_share, 1);
    return `${number(fee.ours_closest)} / ${number(fee.with_reference)}（${share}）`;
  }

  /** One row of the ratio study per kind: the recorded sales against the inquiries. */
  async function accuracy() {
    const body = document.querySelector("#accuracy tbody");
    for (const [kind, label] of [["property", "不动产"], ["vehicle", "车辆"]]) {
      const answer = await api("GET", `/v1/sales/study?kind=${kind}`);
      if (!answer.ok) continue;
      const m = answer.data.metrics;
      const tr = el("tr");
      tr.append(
        el("td", {}, label),
        el("td", { class: "num" }, number(answer.data.n)),
        el("td", { class: "num" }, m ? percent(m.median_ape, 1) : "—"),
        el("td", { class: "num" }, m ? percent(m.ppe10, 1) : "—"),
        el("td", { class: "num" }, m ? percent(m.ppe20, 1) : "—"),
        el("td", { class: "num" }, m ? number(m.cod, 1) : "—"),
        el("td", { class: "num" }, m ? number(m.prd, 3) : "—"),
        el("td", { class: "num" }, m ? percent(m.interval_coverage, 1) : "—"),
        el("td", { class: "num" }, level(answer.data)),
        el("td", {}, byRound(answer.data.rounds)),
        el("td", { class: "num" }, closest(answer.data.fee)),
      );
      body.append(tr);
    }
  }

  const load = pagedTable({
    table,
    more,
    url: query,
    row,
    columns: 12,
    emptyText: "没有符合条件的评估任务",
    onError: (code, data) => showErrors(form, code, data),
  });

  /* Assets asked about more than once in a case: each inquiry, and what was typed differently. */
  const repeatForm = document.getElementById("repeat-filter");
  const loadRepeats = pagedTable({
    table: document.querySelector("#repeats tbody"),
    more: document.querySelector('[data-action="more-repeats"]'),
    url: (offset) => {
      const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
      if (repeatForm.elements.changed_only.checked) params.set("changed_only", "true");
      return `/v1/ledger/repeats?${params}`;
    },
    row: (asset) => {
      const asked = asset.inquiries.map((i) => {
        const value = i.value === null ? "—" : `${number(i.value)}元`;
        return `${i.id} ${i.inquired_on} ${i.judge} ${value}${i.disputed ? "（有异议）" : ""}`;
      });
      const spread = asset.value_spread === null ? "—" : percent(asset.value_spread, 1);
      const tr = el("tr", asset.changed.length ? { class: "changed" } : {});
      tr.append(
        el("td", {}, asset.case_number),
        el("td", {}, asset.asset),
        el("td", { class: "num" }, asset.inquiries.length),
        el("td", {}, asked.join("；")),
        el("td", {}, asset.changed.length ? asset.changed.join("、") : "相同"),
        el("td", { class: "num" }, spread),
      );
      return tr;
    },
    columns: 6,
    emptyText: "近一年没有同一财产多次询价",
    onError: (code, data) => showErrors(repeatForm, code, data),
  });
  repeatForm.addEventListener("submit", (event) => {
    event.preventDefault();
    loadRepeats(true);
  });

  const BREAKS = {
    missing: "缺失（已被删除）",
    prev_hash_mismatch: "与前一条记录的哈希不衔接",
    hash_mismatch: "的内容或哈希被改动",
    head_mismatch: "起与链头不符（链头未指向最后一条记录）",
    anchor_mismatch: "的哈希与已留存的链头不符（该条或更早的记录起整条链被重写）",
  };

  verifyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(verifyForm);
    const anchor = verifyForm.elements.anchor.value.trim();
    const url = anchor ? `/v1/ledger/verify?${new URLSearchParams({ anchor })}` : "/v1/ledger/verify";
    busy(verifyForm, true);
    slot("verify").textContent = "核验中…";
    slot("head").textContent = "";
    const answer = await api("GET", url);
    busy(verifyForm, false);
    slot("verify").textContent = "";
    if (!answer.ok) {
      showErrors(verifyForm, answer.status, answer.data);
      return;
    }
    const result = answer.data;
    if (!result.ok) {
      slot("verify").textContent = `台账异常：第 ${result.first_broken_id} 条记录${BREAKS[result.reason] || "不符"}，请运行 courtval ledger verify 并上报。`;
      return;
    }
    const anchored = result.anchors_checked ? "，与已留存的链头一致" : "";
    slot("verify").textContent = `台账完整：已核验 ${number(result.entries_checked)} 条记录，哈希链无断点${anchored}。`;
    if (result.last_id > 0) slot("head").textContent = `当前链头（请留存）：${result.last_id}:${result.last_hash}`;
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load(true);
  });
  counts();
  accuracy();
  load(true);
  loadRepeats(true);
})();
