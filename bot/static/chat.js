// The web chat: POST /api/v1/ask and render the JSON reply.
// Server text only ever goes into textContent or attributes, never innerHTML, so a question or a
// quote cannot inject markup.
"use strict";

(() => {
  const API = "/api/v1/ask";
  const TOKEN_KEY = "gaoxin.apiToken";

  // Every sentence the page says, in one place.
  const UI = {
    thinking: "正在查找…",
    empty: "请先输入问题,例如:青岛高新区 权力事项数量。",
    tokenEmpty: "请输入访问令牌。",
    verified: "✅已核实",
    unverified: "⚠️未核实",
    verifiedTitle: "这条数据已经人工核对过原文",
    unverifiedTitle: "机器从原文中抽取,尚未经人工核实",
    quoteLabel: "原文",
    source: "来源:",
    alternatives: "相关数据:",
    sources: (n) => `来源(${n} 篇文章)`,
    pickOne: "点一条直接查询:",
    noPeriod: "未注明时间",
    copy: "复制",
    copied: "已复制",
    copyLabel: "复制这条回答的文字",
    httpError: (status) => `抱歉,服务器没能回答这个问题(HTTP ${status})。`,
    reason: "原因:",
    network: "抱歉,连接服务器失败,请检查网络或稍后再试。",
    badReply: "抱歉,服务器返回了无法识别的内容。",
    needToken: "这台服务器需要访问令牌:请在下方输入令牌,然后点“保存并重试”。",
    wrongToken: "访问令牌不正确,请重新输入。",
    head: { rank: "名次", zone: "园区", amount: "数值", period: "时间", year: "年份", verified: "核实" },
    markVerified: "✅",
    markUnverified: "⚠️",
    chartLabel: (title) => `${title}(图)`,
    tableLabel: (title) => `${title}(表)`,
    openSource: "打开原文",
  };
  const PREFIX = { more_than: "超", about: "约", at_least: "至少", less_than: "不足" };

  const messages = document.getElementById("messages");
  const form = document.getElementById("ask-form");
  const input = document.getElementById("q");
  const hint = document.getElementById("hint");
  const tokenForm = document.getElementById("token-form");
  const tokenInput = document.getElementById("token");
  const waitingForToken = []; // [{q, msg}] of the requests that met a 401, sent again once a token is given

  // ── small DOM helpers ──────────────────────────────────────────────────────────────────────
  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children) {
      if (child === null || child === undefined || child === "") continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function scrollDown() {
    messages.scrollTop = messages.scrollHeight;
  }

  function addMessage(who, ...content) {
    const bubble = el("div", "bubble", ...content);
    const msg = el("div", `msg ${who}`, bubble);
    messages.append(msg);
    scrollDown();
    return msg;
  }

  function fill(msg, state, ...content) {
    const bubble = msg.querySelector(".bubble");
    bubble.replaceChildren(...content.filter(Boolean));
    msg.dataset.state = state;
    msg.removeAttribute("aria-busy");
    scrollDown();
  }

  // ── this conversation: an id per browser tab, so that a reply "1" picks from the options just offered ─────
  function chatId() {
    const fresh = () =>
      "web-" + (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);
    try {
      let id = sessionStorage.getItem("gaoxin-chat");
      if (!id) sessionStorage.setItem("gaoxin-chat", (id = fresh()));
      return id;
    } catch {
      return fresh(); /* storage disabled: the conversation lives as long as this page */
    }
  }

  const CHAT = chatId();

  // ── token ──────────────────────────────────────────────────────────────────────────────────
  function storedToken() {
    try {
      return localStorage.getItem(TOKEN_KEY) || "";
    } catch {
      return "";
    }
  }

  let token = storedToken();

  function saveToken(value) {
    token = value;
    try {
      localStorage.setItem(TOKEN_KEY, value);
    } catch {
      /* storage disabled: the token lives as long as this page */
    }
  }

  // ── reading the reply ──────────────────────────────────────────────────────────────────────
  const squash = (s) => (s || "").replace(/\s+/g, "");
  const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  function formatPeriod(p) {
    if (!p) return UI.noPeriod;
    return /^\d{4}$/.test(p) ? `${p}年` : p;
  }

  // The value and period exactly as the reply text prints them (超1700家, 近2.11亿元), else built from the fields.
  function printed(lines, fact) {
    const re = new RegExp(`(?:^|[\\s::;;])${escapeRe(fact.metric)}[::\\s]\\s*([^((;;]+)[((]([^))]*)[))]`);
    for (const line of lines) {
      const m = re.exec(line);
      if (m) return { amount: m[1].trim(), period: m[2].trim() };
    }
    return { amount: `${PREFIX[fact.qualifier] || ""}${fact.value}${fact.unit}`, period: formatPeriod(fact.period) };
  }

  function who(fact) {
    return [fact.zone, fact.entity].filter(Boolean).join("·");
  }

  function badge(fact) {
    const verified = fact.status === "verified";
    const b = el("span", `badge ${verified ? "verified" : "candidate"}`, verified ? UI.verified : UI.unverified);
    b.title = verified ? UI.verifiedTitle : UI.unverifiedTitle;
    return b;
  }

  function source(fact) {
    const title = fact.article ? `《${fact.article}》` : "";
    return el("p", "source", UI.source, title ? el("cite", null, title) : null, el("span", "doc", fact.doc));
  }

  // A single-fact answer quotes its first fact; overviews, rankings and help do not.
  function isFactAnswer(data) {
    const first = data.facts && data.facts[0];
    if (!first || !first.quote) return false;
    const firstLine = (data.text || "").split("\n")[0];
    return firstLine.includes(first.metric) && squash(data.text).includes(squash(first.quote));
  }

  // ── rendering ──────────────────────────────────────────────────────────────────────────────
  function renderFactAnswer(data) {
    const [best, ...others] = data.facts;
    const lines = data.text.split("\n");
    const { amount, period } = printed(lines.slice(0, 1), best);
    const card = el(
      "div",
      "fact",
      el("p", "fact-who", `${who(best)} · ${best.metric}`),
      el("p", "fact-value", el("strong", "value", amount), el("span", "period", `(${period})`), badge(best)),
      el("blockquote", "quote", best.quote),
      source(best),
    );
    if (others.length) {
      const list = el("ul", "alt-list");
      for (const f of others) {
        const p = printed(lines.slice(1).reverse(), f);
        list.append(el("li", null, `${who(f) !== who(best) ? `${who(f)} ` : ""}${f.metric} `, el("strong", null, p.amount), `(${p.period})`));
      }
      card.append(el("div", "alternatives", el("p", null, UI.alternatives), list));
    }
    return card;
  }

  // Plain reply text: lines starting with "· " or "1. " become lists, the rest paragraphs.
  function renderText(text) {
    const out = document.createDocumentFragment();
    let list = null;
    for (const line of (text || "").split("\n")) {
      const bullet = /^·\s*/.exec(line);
      const number = /^\d+\.\s*/.exec(line);
      if (bullet || number) {
        const tag = bullet ? "ul" : "ol";
        if (!list || list.tagName.toLowerCase() !== tag) {
          list = el(tag, "text-list");
          out.append(list);
        }
        list.append(el("li", null, line.slice((bullet || number)[0].length)));
      } else if (line.trim()) {
        list = null;
        out.append(el("p", null, line));
      }
    }
    return out;
  }

  function renderSources(facts) {
    const seen = new Map();
    for (const f of facts || []) seen.set(f.doc, f);
    if (!seen.size) return null;
    const list = el("ul", null);
    for (const f of seen.values()) list.append(el("li", null, f.article ? `《${f.article}》 ` : "", el("span", "doc", f.doc)));
    return el("details", "sources", el("summary", null, UI.sources(seen.size)), list);
  }

  // The numbered options, each a button that asks for that one (zone, metric and year) directly.
  function renderAmbiguous(data) {
    const out = document.createDocumentFragment();
    const lines = (data.text || "").split("\n");
    const options = lines.filter((l) => /^\d+\.\s/.test(l));
    const facts = data.facts || [];
    if (!options.length || options.length !== facts.length) {
      out.append(renderText(data.text));
      return out;
    }
    const before = lines.slice(0, lines.indexOf(options[0])).join("\n");
    const after = lines.slice(lines.indexOf(options.at(-1)) + 1).join("\n");
    out.append(renderText(before));
    const list = el("ol", "options");
    options.forEach((line, i) => {
      const f = facts[i];
      const year = /^\d{4}/.exec(f.period || "");
      const follow = [year ? `${year[0]}年` : "", f.zone || "", f.entity || "", f.metric].filter(Boolean).join(" ");
      const button = el("button", "option", line.replace(/^\d+\.\s*/, ""));
      button.type = "button";
      button.title = follow;
      button.addEventListener("click", () => {
        ask(follow);
        input.focus();
      });
      list.append(el("li", null, button, " ", badge(f)));
    });
    out.append(list, renderText(after));
    return out;
  }

  // ── comparisons and series: the reply's "table", drawn as a chart and a table from its data ─────────────────
  const SVG = "http://www.w3.org/2000/svg";
  const CHART_W = 340; // the chart's own units; CSS scales it to the bubble (a phone's 390 px leaves about 320)

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    for (const child of children) node.append(typeof child === "string" ? document.createTextNode(child) : child);
    return node;
  }

  function mark(row) {
    const m = el("span", `mark ${row.verified ? "verified" : "candidate"}`, row.verified ? UI.markVerified : UI.markUnverified);
    m.title = row.verified ? UI.verifiedTitle : UI.unverifiedTitle;
    m.setAttribute("aria-label", row.verified ? UI.verified : UI.unverified);
    return m;
  }

  // Only a web address is a link: an article's metadata might hold anything (javascript:, data:).
  function safeUrl(url) {
    try {
      const u = new URL(url);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch {
      return null;
    }
  }

  function sourceCell(row) {
    const title = row.article ? `《${row.article}》` : row.doc;
    const url = row.url && safeUrl(row.url);
    const node = url ? el("a", "src", title) : el("cite", "src", title);
    if (url) {
      node.href = url;
      node.target = "_blank";
      node.rel = "noopener noreferrer";
      node.title = UI.openSource;
    } else {
      node.title = row.doc;
    }
    return node;
  }

  // Horizontal bars, the zone's name above each, its amount as printed at the bar's end; zero is the baseline.
  function barChart(table) {
    const rows = table.rows;
    const values = rows.map((r) => Number(r.value));
    const lo = Math.min(0, ...values);
    const hi = Math.max(0, ...values);
    const span = hi - lo || 1;
    const left = 4;
    const labelRoom = 96; // the amount printed after the longest bar
    const width = CHART_W - left - labelRoom;
    const x = (v) => left + ((v - lo) / span) * width;
    const rowH = 38;
    const chart = svg("svg", {
      class: "chart bars",
      viewBox: `0 0 ${CHART_W} ${rows.length * rowH + 4}`,
      role: "img",
      "aria-label": UI.chartLabel(table.title),
    });
    rows.forEach((r, i) => {
      const y = i * rowH;
      const v = Number(r.value);
      const x0 = x(Math.min(0, v));
      const w = Math.max(2, Math.abs(x(v) - x(0)));
      const g = svg("g", { class: `bar-row ${r.verified ? "verified" : "candidate"}` });
      g.append(
        svg("title", {}, `${r.rank}. ${r.zone} ${r.amount}(${r.period_text})`),
        svg("text", { class: "bar-label", x: left, y: y + 13 }, `${r.rank}. ${r.zone}`),
        svg("rect", { class: "bar", x: x0, y: y + 18, width: w, height: 14, rx: 3 }),
        svg("text", { class: "bar-value", x: x0 + w + 5, y: y + 30 }, r.amount),
      );
      chart.append(g);
    });
    if (lo < 0) chart.append(svg("line", { class: "zero", x1: x(0), x2: x(0), y1: 0, y2: rows.length * rowH }));
    return chart;
  }

  // A line through the years, each point labelled with its amount; the years along the bottom.
  function lineChart(table) {
    const rows = table.rows;
    const values = rows.map((r) => Number(r.value));
    const years = rows.map((r) => Number(r.year));
    // The values' own range, padded (not from zero: a change of a few percent must show), and zero when crossed.
    const pad = (Math.max(...values) - Math.min(...values)) * 0.15 || Math.abs(values[0]) * 0.1 || 1;
    const lo = Math.min(...values) - pad;
    const hi = Math.max(...values) + pad;
    const span = hi - lo;
    const [top, bottom, left, right] = [22, 150, 44, 44];
    const first = Math.min(...years);
    const yearSpan = Math.max(...years) - first || 1;
    const px = (year) => left + ((year - first) / yearSpan) * (CHART_W - left - right);
    const py = (v) => bottom - ((v - lo) / span) * (bottom - top);
    const chart = svg("svg", {
      class: "chart line",
      viewBox: `0 0 ${CHART_W} 176`,
      role: "img",
      "aria-label": UI.chartLabel(table.title),
    });
    chart.append(svg("line", { class: "axis", x1: 4, x2: CHART_W - 4, y1: bottom, y2: bottom }));
    if (lo < 0 && hi > 0) chart.append(svg("line", { class: "zero", x1: 4, x2: CHART_W - 4, y1: py(0), y2: py(0) }));
    chart.append(svg("polyline", { class: "trend", points: rows.map((r, i) => `${px(years[i])},${py(values[i])}`).join(" ") }));
    rows.forEach((r, i) => {
      const cx = px(years[i]);
      const cy = py(values[i]);
      // the first and last labels lean inwards, so that none runs off the chart
      const anchor = rows.length > 1 && i === 0 ? "start" : rows.length > 1 && i === rows.length - 1 ? "end" : "middle";
      const tx = anchor === "start" ? cx - 6 : anchor === "end" ? cx + 6 : cx;
      const g = svg("g", { class: `point ${r.verified ? "verified" : "candidate"}` });
      g.append(
        svg("title", {}, `${r.period_text} ${r.amount}`),
        svg("circle", { class: "dot", cx, cy, r: 4 }),
        svg("text", { class: "point-value", x: tx, y: cy - 9, "text-anchor": anchor }, r.amount),
        svg("text", { class: "point-year", x: tx, y: 170, "text-anchor": anchor }, r.period_text),
      );
      chart.append(g);
    });
    return chart;
  }

  function dataTable(table) {
    const series = table.kind === "series";
    const h = UI.head;
    const head = series ? [h.year, h.amount, h.verified] : [h.rank, h.zone, h.amount, h.verified];
    const t = el("table", `data ${table.kind}`);
    t.setAttribute("aria-label", UI.tableLabel(table.title));
    const tr = el("tr", null);
    for (const name of head) tr.append(el("th", null, name));
    t.append(el("thead", null, tr));
    const body = el("tbody", null);
    for (const r of table.rows) {
      const metric = el("span", "metric", r.metric);
      const amount = el("td", "num", el("strong", null, r.amount));
      if (series) {
        const when = el("td", "zone", el("span", "name", r.period_text), el("span", "sub", metric, " · ", sourceCell(r)));
        body.append(el("tr", null, when, amount, el("td", "ok", mark(r))));
      } else {
        amount.append(el("span", "sub", r.period_text));
        const zone = el("td", "zone", el("span", "name", r.zone), el("span", "sub", metric, " · ", sourceCell(r)));
        body.append(el("tr", null, el("td", "rank", String(r.rank)), zone, amount, el("td", "ok", mark(r))));
      }
    }
    t.append(body);
    return t;
  }

  function renderTable(data) {
    const table = data.table;
    const out = document.createDocumentFragment();
    out.append(el("p", "table-title", table.title));
    // A ranking by place (1st, 2nd …) has no length to draw: the table says it all.
    if (table.rows.length && table.order !== "place") out.append(table.kind === "series" ? lineChart(table) : barChart(table));
    out.append(el("div", "table-wrap", dataTable(table)));
    out.append(el("p", "table-note", table.note));
    return out;
  }

  function copyButton(text) {
    const button = el("button", "copy", UI.copy);
    button.type = "button";
    button.setAttribute("aria-label", UI.copyLabel);
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        const area = el("textarea", null, text);
        document.body.append(area);
        area.select();
        document.execCommand("copy");
        area.remove();
      }
      button.textContent = UI.copied;
      setTimeout(() => (button.textContent = UI.copy), 1500);
      input.focus();
    });
    return button;
  }

  function renderReply(msg, data) {
    let body;
    if (data.status === "ambiguous") body = renderAmbiguous(data);
    else if (data.table && Array.isArray(data.table.rows)) body = renderTable(data);
    else if (data.status === "answered" && isFactAnswer(data)) body = renderFactAnswer(data);
    else {
      body = renderText(data.text);
      if (data.status === "answered") {
        const sources = renderSources(data.facts);
        if (sources) body.append(sources);
      }
    }
    msg.dataset.status = data.status;
    msg.dataset.text = data.text; // the plain text, as the API gave it
    fill(msg, "done", body, el("div", "tools", copyButton(data.text)));
    msg.querySelector(".bubble").classList.toggle("wide", Boolean(data.table)); // a chart takes the bubble's full width
  }

  function renderError(msg, lead, reason) {
    msg.classList.add("error");
    fill(msg, "error", el("p", null, lead), reason ? el("p", "reason", UI.reason, el("span", null, reason)) : null);
  }

  // ── talking to the server ──────────────────────────────────────────────────────────────────
  async function send(q, msg) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    let res;
    try {
      res = await fetch(API, { method: "POST", headers, body: JSON.stringify({ q, chat: CHAT }) });
    } catch (err) {
      renderError(msg, UI.network, err && err.message);
      return;
    }
    let data = null;
    try {
      data = await res.json();
    } catch {
      /* not JSON: reported below */
    }
    if (res.status === 401) {
      const hadToken = Boolean(token);
      waitingForToken.push({ q, msg });
      msg.classList.add("error");
      fill(msg, "needs-token", el("p", null, hadToken ? UI.wrongToken : UI.needToken));
      tokenForm.hidden = false;
      tokenInput.focus();
      return;
    }
    if (!res.ok) {
      renderError(msg, UI.httpError(res.status), data && typeof data.error === "string" ? data.error : res.statusText);
      return;
    }
    if (!data || typeof data.text !== "string") {
      renderError(msg, UI.badReply, null);
      return;
    }
    renderReply(msg, data);
  }

  function pending() {
    const msg = addMessage("bot", el("p", "thinking", UI.thinking));
    msg.dataset.state = "pending";
    msg.setAttribute("aria-busy", "true");
    return msg;
  }

  function ask(q) {
    addMessage("user", el("p", null, q));
    return send(q, pending());
  }

  // ── wiring ─────────────────────────────────────────────────────────────────────────────────
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) {
      hint.textContent = UI.empty;
      input.focus();
      return;
    }
    hint.textContent = "";
    input.value = "";
    input.focus();
    ask(q);
  });

  input.addEventListener("input", () => {
    if (hint.textContent && input.value.trim()) hint.textContent = "";
  });

  for (const chip of document.querySelectorAll(".chip")) {
    chip.addEventListener("click", () => {
      hint.textContent = "";
      ask(chip.dataset.q);
      input.focus();
    });
  }

  tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = tokenInput.value.trim();
    if (!value) {
      hint.textContent = UI.tokenEmpty;
      tokenInput.focus();
      return;
    }
    hint.textContent = "";
    saveToken(value);
    tokenInput.value = "";
    tokenForm.hidden = true;
    input.focus();
    for (const { q, msg } of waitingForToken.splice(0)) {
      msg.classList.remove("error");
      fill(msg, "pending", el("p", "thinking", UI.thinking));
      msg.setAttribute("aria-busy", "true");
      send(q, msg);
    }
  });

  input.focus();
})();
