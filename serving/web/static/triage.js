/* courtval — the triage board: rank a queue (a server file or an upload), show the lanes, the
 * cash ratio, the alerts (filterable) and their summary, oldest first. */
"use strict";
(function () {
  const { api, clearErrors, showErrors, el, number, percent, busy } = window.courtval;
  const form = document.getElementById("queue-form");
  const picker = form.querySelector('select[name="queue"]');
  const board = document.getElementById("board");
  const filters = document.getElementById("filter-form");
  const ranked = document.querySelector("#ranked tbody");
  const more = board.querySelector('[data-action="more"]');
  const slot = (name) => document.querySelector(`[data-slot="${name}"]`);
  const PAGE = 200;
  let ranking = null;
  let shown = 0;
  let matches = [];

  async function loadQueues() {
    const answer = await api("GET", "/v1/cases/queues");
    if (!answer.ok) return;
    for (const queue of answer.data) {
      picker.append(el("option", { value: queue.name }, `${queue.name}（${queue.modified.slice(0, 16).replace("T", " ")}）`));
    }
    if (answer.data.length) {
      picker.value = answer.data[0].name;
      dayOfQueue();
    }
  }

  /** A dated export (queue-2026-06-30.parquet) is ranked as of its day. */
  function dayOfQueue() {
    const day = /(\d{4}-\d{2}-\d{2})/.exec(picker.value);
    if (day) form.elements.as_of.value = day[1];
  }

  function summarise(data) {
    slot("total").textContent = number(data.items.length);
    for (const lane of ["简案", "普通", "繁案"]) slot(`lane-${lane}`).textContent = number(data.lanes[lane] || 0);
    const alerts = [...data.alerts].sort((a, b) => (b.count > 0) - (a.count > 0) || b.oldest_days - a.oldest_days);
    slot("alert-total").textContent = number(alerts.reduce((sum, a) => sum + a.count, 0));
    const body = document.querySelector("#alert-summary tbody");
    body.replaceChildren(
      ...alerts.map((a) => {
        const tr = el("tr");
        tr.append(
          el("td", {}, a.title),
          el("td", { class: "num" }, number(a.count)),
          el("td", { class: "num" }, percent(a.share, 1)),
          el("td", { class: "num" }, number(a.oldest_days)),
          el("td", {}, a.oldest_case_id || "—"),
        );
        return tr;
      }),
    );
    const kinds = filters.querySelector('select[name="alert"]');
    kinds.replaceChildren(el("option", { value: "" }, "全部"), el("option", { value: "*" }, "有任一预警"));
    for (const a of alerts) kinds.append(el("option", { value: a.kind }, `${a.title}（${number(a.count)}）`));
    slot("bundle-count").textContent = `（${number(data.bundles.length)}）`;
    slot("bundles").replaceChildren(
      ...data.bundles.slice(0, 100).map((b) =>
        el("li", {}, `第 ${b.rank} 组：${b.n_cases} 件（共 ${number(b.total_amount)} 元），${b.case_ids.join("、")}`),
      ),
    );
    slot("bankruptcy-count").textContent = `（${number(data.bankruptcy_candidates.length)}）`;
    slot("bankruptcy").replaceChildren(...data.bankruptcy_candidates.map((c) => el("li", {}, c.message)));
    slot("model").textContent = `评估日 ${data.as_of}；模型 ${data.model.name} 第 ${data.model.version} 版。`;
  }

  function row(item) {
    const tr = el("tr");
    const lane = el("td");
    if (item.lane) lane.append(el("span", { class: `badge lane-${item.lane}` }, item.lane));
    const alerts = el("td");
    for (const a of item.alerts) alerts.append(el("span", { class: "badge alert", title: a.message }, a.title));
    tr.append(
      el("td", { class: "num" }, item.rank),
      el("td", { class: "nowrap" }, item.case_id),
      lane,
      el("td", { class: "num" }, number(item.difficulty, 1)),
      el("td", { class: "num" }, percent(item.probability_paid_in_period)),
      el("td", { class: "num" }, number(item.expected_days_to_close)),
      el("td", { class: "num" }, item.cash_ratio === null ? "未查询" : percent(item.cash_ratio)),
      alerts,
      el("td", { class: "reason" }, item.reasons.length ? item.reasons[0].text : ""),
    );
    return tr;
  }

  function applyFilters() {
    const lane = filters.elements.lane.value;
    const alert = filters.elements.alert.value;
    const text = filters.elements.q.value.trim();
    matches = ranking.items.filter(
      (item) =>
        (!lane || item.lane === lane) &&
        (!alert || (alert === "*" ? item.alerts.length > 0 : item.alerts.some((a) => a.kind === alert))) &&
        (!text || item.case_id.includes(text)),
    );
    shown = 0;
    ranked.replaceChildren();
    showMore();
  }

  function showMore() {
    ranked.append(...matches.slice(shown, shown + PAGE).map(row));
    shown = Math.min(matches.length, shown + PAGE);
    slot("shown").textContent = `显示 ${number(shown)} / ${number(matches.length)} 件`;
    more.hidden = shown >= matches.length;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const data = new FormData(form);
    const file = form.querySelector('input[type="file"]').files[0];
    if (!file) data.delete("file");
    if (!file && !data.get("queue")) {
      showErrors(form, 422, { detail: [{ loc: ["body", "queue"], msg_zh: "队列：请选择服务器上的队列或上传文件" }] });
      return;
    }
    busy(form, true);
    slot("status").textContent = "正在排序…";
    const answer = await api("POST", "/v1/cases/rank-file", data);
    busy(form, false);
    slot("status").textContent = "";
    if (!answer.ok) {
      showErrors(form, answer.status, answer.data);
      return;
    }
    ranking = answer.data;
    summarise(ranking);
    board.hidden = false;
    applyFilters();
    document.getElementById("ranked-title").scrollIntoView({ block: "nearest" });
  });

  picker.addEventListener("change", dayOfQueue);
  filters.addEventListener("input", () => ranking && applyFilters());
  filters.addEventListener("submit", (event) => event.preventDefault());
  more.addEventListener("click", showMore);
  loadQueues();
})();
