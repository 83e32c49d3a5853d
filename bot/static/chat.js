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
      res = await fetch(API, { method: "POST", headers, body: JSON.stringify({ q }) });
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
