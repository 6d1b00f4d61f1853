/* courtval — the property and vehicle inquiry pages: one inquiry and its answer, the price
 * curve, the report, a party's objection, and a batch file with its progress. */
"use strict";
(function () {
  const { api, formJson, clearErrors, showErrors, el, yuan, wan, number, percent, busy, appraisalDue } = window.courtval;
  const form = document.getElementById("inquiry-form");
  const kind = form.dataset.kind;
  const panel = document.getElementById("result");
  const slot = (name) => panel.querySelector(`[data-slot="${name}"]`);

  const COMPARABLE_COLUMNS = {
    property: [
      ["成交日期", (c) => c.transaction_date],
      ["小区", (c) => c.community],
      ["面积（㎡）", (c) => number(c.area_m2, 1), true],
      ["楼层", (c) => `${c.floor}/${c.total_floors}`],
      ["成交价", (c) => wan(c.price), true],
      ["单价（元/㎡）", (c) => number(c.price_per_m2), true],
      ["距离", (c) => (c.distance_km === null ? "—" : `${number(c.distance_km, 1)} km`)],
      ["相似度", (c) => percent(c.similarity), true],
      ["修正后价格", (c) => adjusted(c), true],
    ],
    vehicle: [
      ["成交日期", (c) => c.transaction_date],
      ["车型", (c) => `${c.brand} ${c.series}`],
      ["城市", (c) => c.region],
      ["车龄（年）", (c) => number(c.age_years, 1), true],
      ["里程（公里）", (c) => number(c.mileage_km), true],
      ["车况", (c) => c.damage],
      ["新车价", (c) => wan(c.new_price), true],
      ["成交价", (c) => wan(c.price), true],
      ["相似度", (c) => percent(c.similarity), true],
      ["修正后价格", (c) => adjusted(c), true],
    ],
  };

  /** Where a property's base price came from when not its own 小区's sales (as the report says). */
  const BASE_SOURCES = { district: "（按所在街道/镇基准价）", type: "（按同类物业基准价）" };

  /** A comparable's price adjusted to this asset (none from a model trained before them). */
  function adjusted(c) {
    return isAdjusted(c) ? wan(c.adjusted_price) : "—";
  }

  function isAdjusted(c) {
    return c.adjusted_price !== null && c.adjusted_price !== undefined;
  }

  /** 比准价格: the median adjusted price, and how far the estimate is from it; with fewer than
   * the page's data-min adjusted prices, why there is none (GB/T 50291-2015: 可比实例不少于 3 个).
   * The number and the advice come from the server (models.adjustment, the report's words). */
  function renderComparablesValue(data) {
    const line = slot("comparables-value");
    const { min, advice: outsideAdvice } = line.dataset;
    line.classList.remove("warning");
    if (data.comparables_value === null || data.comparables_value === undefined) {
      const known = (data.comparables || []).filter(isAdjusted).length;
      line.textContent = `有修正后价格的可比案例仅 ${known} 宗，少于比较法要求的 ${min} 宗，未计算比准价格。`;
      line.hidden = known === 0;
      return;
    }
    const gap = (data.value / data.comparables_value - 1) * 100;
    const sign = gap >= 0 ? "+" : "";
    const outside = data.comparables_inside_interval === false;
    const advice = outside ? outsideAdvice : "";
    line.textContent = `可比案例比准价格（修正后价格的中位数）：${wan(data.comparables_value)}；询价结果与之相差 ${sign}${gap.toFixed(1)}%。${advice}`;
    line.classList.toggle("warning", outside);
    line.hidden = false;
  }

  function renderComparables(comparables) {
    const columns = COMPARABLE_COLUMNS[kind];
    const head = el("tr");
    for (const [title, , numeric] of columns) head.append(el("th", numeric ? { scope: "col", class: "num" } : { scope: "col" }, title));
    slot("comparables-head").replaceChildren(head);
    const rows = comparables.map((item) => {
      const row = el("tr");
      for (const [, value, numeric] of columns) row.append(el("td", numeric ? { class: "num" } : {}, value(item)));
      return row;
    });
    if (rows.length === 0) {
      const empty = el("tr");
      empty.append(el("td", { colspan: String(columns.length) }, "近期无可比成交"));
      rows.push(empty);
    }
    slot("comparables").replaceChildren(...rows);
  }

  /** A 小区 (车系) no training sale had: the server's caution, and the close known names as
   * buttons that fill the field (not submit: each inquiry counts, and the judge decides). */
  function renderUnseen(unseen) {
    const box = slot("unseen");
    if (!unseen) {
      box.replaceChildren();
      box.hidden = true;
      return;
    }
    const parts = [el("p", {}, unseen.notice)];
    if (unseen.similar.length) {
      const line = el("p", { class: "suggestions" }, `填入相近的${unseen.label}：`);
      for (const name of unseen.similar) {
        const button = el("button", { type: "button", class: "secondary", "data-value": name }, name);
        button.addEventListener("click", () => {
          const input = form.elements[unseen.field];
          input.value = name;
          input.focus();
        });
        line.append(button, " ");
      }
      parts.push(line);
    }
    box.replaceChildren(...parts);
    box.hidden = false;
  }

  /* Earlier inquiries of the same asset in this case (same certificate, address, plate or VIN),
   * each with its report and what was typed differently this time; the server's sentences. */
  function renderRepeats(inquiry) {
    const box = slot("repeat");
    const parts = inquiry.earlier.map((earlier, i) => {
      const report = el("a", { href: `/v1/inquiries/${earlier.id}/report.pdf`, download: "" }, "原询价报告");
      const line = el("p", {}, `${inquiry.earlier_notice[i]} `);
      line.append(report);
      return line;
    });
    box.replaceChildren(...parts);
    box.hidden = parts.length === 0;
  }

  function renderReasons(contributions) {
    const items = contributions.map((c) => {
      const sign = c.effect_pct >= 0 ? "+" : "";
      const li = el("li", { class: c.effect_pct >= 0 ? "up" : "down" });
      li.textContent = `${c.label}（${c.value}）：${sign}${c.effect_pct.toFixed(1)}%`;
      return li;
    });
    slot("reasons").replaceChildren(...items);
  }

  /* The inquiry's own curve: drawn once by the model that answered, recorded, and not
   * counted against the day's quota (the inquiry was); the report shows the same one. */
  async function renderCurve(inquiryId) {
    const image = slot("curve");
    const answer = await fetch(`/v1/inquiries/${inquiryId}/price-curve.svg`, {
      credentials: "same-origin",
    });
    if (!answer.ok) {
      image.alt = "价格曲线暂不可用";
      return;
    }
    if (image.src.startsWith("blob:")) URL.revokeObjectURL(image.src);
    image.src = URL.createObjectURL(await answer.blob());
  }

  function render(data) {
    const inquiry = data.inquiry;
    slot("value").textContent = wan(data.value);
    slot("value-exact").textContent = `${number(data.value)} 元`;
    slot("interval").textContent = `${wan(data.interval.lower)} – ${wan(data.interval.upper)}`;
    if (kind === "property") slot("per-m2").textContent = `${number(data.value_per_m2)} 元/㎡`;
    slot("rule").textContent = yuan(data.rule_based.value) + (BASE_SOURCES[data.rule_based.base_source] || "");
    if (kind === "property") {
      const guide = data.guide_price; // only when the court's guide prices hold the 小区
      slot("guide").textContent = guide ? yuan(guide.value) : "";
      slot("guide").title = guide ? `${guide.source}（${guide.effective_from} 起执行）` : "";
      slot("guide-box").hidden = !guide;
    }
    slot("inquiry-id").textContent = String(inquiry.id);
    slot("valid-until").textContent = inquiry.valid_until;
    slot("first-start").textContent = yuan(inquiry.first_auction_start);
    slot("second-start").textContent = yuan(inquiry.second_auction_start);
    slot("model").textContent = `${data.model.name} 第 ${data.model.version} 版`;
    slot("hash").textContent = inquiry.entry_hash;
    slot("report").href = `/v1/inquiries/${inquiry.id}/report.pdf`;
    slot("report-html").href = `/v1/inquiries/${inquiry.id}/report.html`;
    slot("disputed").hidden = true;
    panel.dataset.inquiry = String(inquiry.id);
    renderUnseen(data.unseen_input);
    renderRepeats(inquiry);
    renderReasons(data.contributions);
    renderComparables(data.comparables);
    renderComparablesValue(data);
    panel.hidden = false;
    panel.focus();
    renderCurve(inquiry.id);
  }

  /* The values the model's sales had for the free-text inputs (小区, 车系 …), offered as the
   * judge types (the browser's own list; any other value may still be typed). */
  async function suggestKnownValues() {
    const answer = await api("GET", `/v1/valuations/${kind}/vocabulary`);
    if (!answer.ok) return; // no model yet: the inputs stay plain
    for (const [name, values] of Object.entries(answer.data.fields)) {
      const input = form.elements[name];
      if (!input || values.length === 0) continue;
      const list = el("datalist", { id: `known-${name}` });
      list.append(...values.map((value) => el("option", { value })));
      form.append(list);
      input.setAttribute("list", list.id);
    }
  }
  suggestKnownValues();

  /* A property's 坐落 read into its 街道/镇, 小区 and floors (POST …/property/address, not an
   * inquiry): an input still empty, or filled by an earlier reading, takes what was read; what
   * the judge typed stays. What was read, and what was not, is said under the 坐落. */
  const READ_FIELDS = ["district", "community", "floor", "total_floors"];
  function readAddresses() {
    const input = form.elements.address;
    if (!input || kind !== "property") return;
    const hint = el("p", { class: "hint", "data-slot": "address-reading", "aria-live": "polite" });
    input.closest(".field").append(hint);
    for (const name of READ_FIELDS) {
      form.elements[name].addEventListener("input", (event) => delete event.target.dataset.fromAddress);
    }
    input.addEventListener("change", async () => {
      hint.textContent = "";
      const address = input.value.trim();
      if (!address) return;
      const answer = await api("POST", "/v1/valuations/property/address", { address });
      if (!answer.ok) return; // no model, or too long an address: the inquiry's check says why
      for (const name of READ_FIELDS) {
        const target = form.elements[name];
        const value = answer.data[name];
        if (value === null || value === undefined) continue;
        if (target.value.trim() === "" || target.dataset.fromAddress) {
          target.value = String(value);
          target.dataset.fromAddress = "true";
        }
      }
      hint.textContent = answer.data.notice;
    });
  }
  readAddresses();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    busy(form, true);
    const body = formJson(form);
    const answer = await api("POST", form.dataset.endpoint, body);
    busy(form, false);
    if (answer.ok) render(answer.data);
    else showErrors(form, answer.status, answer.data);
  });

  panel.querySelector('[data-action="object"]').addEventListener("click", () => {
    window.courtval.openObjection(Number(panel.dataset.inquiry), (task) => {
      const notice = slot("disputed");
      const due = appraisalDue(task.due_on, task.dates_provisional);
      notice.textContent = `已登记异议（评估任务 ${task.id}）：该询价结果不再参与参考价计算，${due}。`;
      notice.hidden = false;
      notice.focus();
    });
  });

  /* Batch: upload, then follow the job until its results can be downloaded. */
  const batch = document.getElementById("batch-form");
  const progress = batch.querySelector(".progress");
  const bar = progress.querySelector("progress");
  const status = batch.querySelector('[data-slot="batch-status"]');
  const download = batch.querySelector('[data-slot="batch-download"]');
  const reports = batch.querySelector('[data-slot="batch-reports"]');
  const perZip = Number(batch.dataset.reportsPerZip);

  /* The reports of inquiries first..last, as ZIP downloads of at most perZip each. */
  function reportLinks(first, last) {
    reports.replaceChildren("询价报告：");
    for (let start = first; start <= last; start += perZip) {
      const end = Math.min(start + perZip - 1, last);
      const href = `/v1/inquiries/reports.zip?first=${start}&last=${end}`;
      reports.append(el("a", { href, download: "" }, `编号 ${start}–${end}（ZIP）`), " ");
    }
    reports.hidden = false;
  }

  async function follow(job, format, separate) {
    for (;;) {
      bar.value = job.total ? Math.round((100 * job.done) / job.total) : 0;
      status.textContent = `已完成 ${number(job.done)} / ${number(job.total)} 条`;
      if (job.status === "done") {
        download.href = `/v1/jobs/${job.id}/result?format=${format}`;
        download.hidden = false;
        const last = job.inquiry_id + job.total - 1; // one transaction: consecutive ids
        status.textContent = separate
          ? `完成：${number(job.total)} 条，每行单独记为询价（编号 ${job.inquiry_id}–${last}）`
          : `完成：${number(job.total)} 条，台账记录 ${job.inquiry_id}`;
        if (separate) reportLinks(job.inquiry_id, last);
        download.focus();
        return;
      }
      if (job.status === "failed") {
        showErrors(batch, 503, { detail: job.error || "批量询价失败" });
        progress.hidden = true;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answer = await api("GET", `/v1/jobs/${job.id}`);
      if (!answer.ok) {
        showErrors(batch, answer.status, answer.data);
        return;
      }
      job = answer.data;
    }
  }

  batch.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(batch);
    download.hidden = true;
    reports.hidden = true;
    const data = new FormData(batch);
    const file = batch.querySelector('input[type="file"]').files[0];
    if (!file) {
      showErrors(batch, 422, { detail: [{ loc: ["body", "file"], msg_zh: "文件：请选择要上传的文件" }] });
      return;
    }
    busy(batch, true);
    progress.hidden = false;
    bar.value = 0;
    status.textContent = "正在上传…";
    const answer = await api("POST", `/v1/valuations/${kind}/batch-file`, data);
    busy(batch, false);
    if (!answer.ok) {
      progress.hidden = true;
      showErrors(batch, answer.status, answer.data);
      return;
    }
    await follow(answer.data, data.get("format") || "xlsx", data.has("separate_inquiries"));
  });
})();
