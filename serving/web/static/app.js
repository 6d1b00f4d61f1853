/* courtval — shared helpers of the judges' page: the JSON API with the session cookie and its
 * anti-forgery token, form values, the API's field checks shown inline in Chinese, and number
 * formats. Data is only ever written with textContent (never as HTML). */
"use strict";
(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.content : "";

  async function api(method, url, body) {
    const headers = { "X-CSRF-Token": csrf, Accept: "application/json" };
    let payload = body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
    } catch (error) {
      return { ok: false, status: 0, data: null, response: null };
    }
    const type = response.headers.get("content-type") || "";
    const data = type.includes("application/json") ? await response.json() : null;
    return { ok: response.ok, status: response.status, data, response };
  }

  /** The form's values as the API's JSON: numbers as numbers, yes/no as booleans, blanks (and
   * 未查明) left out. */
  function formJson(form) {
    const out = {};
    for (const input of form.querySelectorAll("[name][data-kind]")) {
      const kind = input.dataset.kind;
      if (input.type === "radio") {
        if (input.checked && input.value !== "") out[input.name] = input.value === "true";
        continue;
      }
      const text = input.value.trim();
      if (text === "") continue;
      if (kind === "number" || kind === "integer") {
        const number = Number(text);
        out[input.name] = Number.isFinite(number) ? number : text;
      } else {
        out[input.name] = text;
      }
    }
    return out;
  }

  function clearErrors(form) {
    for (const slot of form.querySelectorAll("[data-error-for]")) slot.textContent = "";
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    const summary = form.querySelector("[data-summary]");
    if (summary) summary.replaceChildren();
  }

  function fieldOf(loc, form) {
    for (let i = loc.length - 1; i >= 0; i -= 1) {
      const part = loc[i];
      if (typeof part === "string" && form.querySelector(`[data-error-for="${CSS.escape(part)}"]`)) return part;
    }
    return null;
  }

  const STATUS_TEXT = {
    0: "无法连接服务器，请检查网络后重试。",
    401: "登录已失效，请重新登录。",
    403: "无权进行此操作",
    404: "未找到",
    409: "与现有记录冲突",
    413: "文件过大",
    429: "查询次数已达上限",
    503: "服务暂不可用",
  };

  function detailText(data) {
    if (!data || data.detail === undefined) return "";
    return typeof data.detail === "string" ? data.detail : "";
  }

  /** Show an API failure: each 422 error under its field, the rest in the form's summary. */
  function showErrors(form, status, data) {
    clearErrors(form);
    const messages = [];
    let first = null;
    if (status === 422 && data && Array.isArray(data.detail)) {
      for (const error of data.detail) {
        const text = error.msg_zh || error.msg;
        const field = fieldOf(error.loc || [], form);
        if (field === null) {
          messages.push(text);
          continue;
        }
        const slot = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
        slot.textContent = slot.textContent ? `${slot.textContent}；${text}` : text;
        for (const input of form.querySelectorAll(`[name="${CSS.escape(field)}"]`)) {
          input.setAttribute("aria-invalid", "true");
          if (first === null) first = input;
        }
        messages.push(text);
      }
    } else {
      const base = STATUS_TEXT[status] || `请求失败（HTTP ${status}）`;
      const detail = detailText(data);
      messages.push(detail ? `${base}：${detail}` : base);
    }
    const summary = form.querySelector("[data-summary]");
    if (summary) {
      const list = el("ul");
      for (const text of messages) list.append(el("li", {}, text));
      summary.replaceChildren(el("p", {}, status === 422 ? "请更正以下内容：" : "未能完成："), list);
    }
    if (first) first.focus();
    else if (summary) summary.focus();
  }

  function el(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  const grouped = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 0 });

  /** 273456 → "27.3万元（273,456元）"; under 10,000 → "9,800元". */
  function yuan(value) {
    if (value === null || value === undefined) return "—";
    const whole = grouped.format(Math.round(value));
    if (Math.abs(value) < 10000) return `${whole}元`;
    return `${(value / 10000).toFixed(1)}万元（${whole}元）`;
  }

  /** A short form for ranges: "24.1万元". */
  function wan(value) {
    return Math.abs(value) < 10000 ? `${grouped.format(Math.round(value))}元` : `${(value / 10000).toFixed(1)}万元`;
  }

  function number(value, digits) {
    return new Intl.NumberFormat("zh-CN", { maximumFractionDigits: digits || 0 }).format(value);
  }

  function percent(value, digits) {
    return value === null || value === undefined ? "—" : `${(value * 100).toFixed(digits === undefined ? 0 : digits)}%`;
  }

  function busy(form, on) {
    for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
  }

  /** When an objection's appraisal must start; a provisional day (the holiday calendar lacked
   * its year, so it is the earliest the day can be) says so. */
  function appraisalDue(dueOn, provisional) {
    const note = provisional ? "（节假日安排尚未更新，该日期按自然日暂定，请人工核对）" : "";
    return `委托评估应于 ${dueOn} 前启动${note}`;
  }

  /** The dialog ``id`` whose form sends its JSON (``method``, POST by default) to the URL
   * given when it opens: ``open(url, slots, done)`` fills its
   * ``data-slot`` elements from ``slots``, shows it, and runs ``done(answer)`` once the API
   * accepts the form; a refusal is shown in the form. Null when the page has no such dialog. */
  function formDialog(id, method = "POST") {
    const dialog = document.getElementById(id);
    if (!dialog) return null;
    const form = dialog.querySelector("form");
    let target = null;
    let onDone = null;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      busy(form, true);
      const answer = await api(method, target, formJson(form));
      busy(form, false);
      if (!answer.ok) {
        showErrors(form, answer.status, answer.data);
        return;
      }
      dialog.close();
      if (onDone) onDone(answer.data);
    });
    dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
    function open(url, slots, done) {
      target = url;
      onDone = done;
      clearErrors(form);
      for (const [name, text] of Object.entries(slots)) {
        dialog.querySelector(`[data-slot="${name}"]`).textContent = String(text);
      }
      dialog.showModal();
      const first = form.querySelector("select, input, textarea");
      if (first) first.focus();
    }
    return { form, open };
  }

  /** A table filled page by page from a list endpoint's ``{items, total}``: the returned
   * ``load(reset)`` fetches ``url(offset)`` and appends its rows (or, with ``reset``, replaces
   * them); ``more`` shows while rows remain, an empty first page says ``emptyText``, and a
   * refusal goes to ``onError(status, data)``. */
  function pagedTable({ table, more, url, row, columns, emptyText, onError, onLoaded }) {
    let offset = 0;
    async function load(reset) {
      if (reset) offset = 0;
      const answer = await api("GET", url(offset));
      if (!answer.ok) {
        onError(answer.status, answer.data);
        return;
      }
      const rows = answer.data.items.map(row);
      if (reset) table.replaceChildren(...rows);
      else table.append(...rows);
      if (reset && rows.length === 0) {
        const empty = el("tr");
        empty.append(el("td", { colspan: String(columns) }, emptyText));
        table.append(empty);
      }
      offset += answer.data.items.length;
      more.hidden = offset >= answer.data.total;
      if (onLoaded) onLoaded(answer.data);
    }
    more.addEventListener("click", () => load(false));
    return load;
  }

  window.courtval = {
    api, formJson, clearErrors, showErrors, el, yuan, wan, number, percent, busy, appraisalDue,
    formDialog, pagedTable,
  };
})();
