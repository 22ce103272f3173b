/* Shared helpers: the CSRF header, JSON requests, the live websocket, formatting. */
"use strict";
const Chronos = (() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  /* A JSON request with the CSRF header. A failure throws the server's message, else
     failure(status)'s (by default "Request failed (500)"). */
  const requestFailed = (status) => `Request failed (${status})`;
  async function api(method, url, body, { failure = requestFailed } = {}) {
    const opts = { method, headers: { "X-CSRF-Token": csrf() } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(url, opts);
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.error || failure(res.status));
    return data;
  }

  /* A websocket to `path` that reconnects with backoff (0.5 s doubling to 10 s) until the page
     closes. handlers: open(), message(parsed event), close(). The caller calls healthy() when the
     connection counts as up (on open, or on a server's hello), which resets the backoff.
     send(obj) sends now when open, else queues it for the next connection. */
  function socket(path, handlers = {}) {
    let ws = null, delay = 500;
    const queue = [];
    function connect() {
      const proto = location.protocol === "https:" ? "wss" : "ws";
      ws = new WebSocket(`${proto}://${location.host}${path}`);
      ws.onopen = () => {
        if (handlers.open) handlers.open();
        for (const text of queue.splice(0)) ws.send(text);
      };
      ws.onmessage = (m) => { if (handlers.message) handlers.message(JSON.parse(m.data)); };
      ws.onclose = () => {
        if (handlers.close) handlers.close();
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 10000);
      };
    }
    connect();
    return {
      healthy() { delay = 500; },
      send(obj) {
        const text = JSON.stringify(obj);
        if (ws.readyState === WebSocket.OPEN) ws.send(text); else queue.push(text);
      },
    };
  }

  /* /ws/live (see socket); onEvent gets parsed events. The page counts as live once the server's
     hello says it is subscribed (events from then on reach it), not when the socket opens.
     A #live dot on the page shows the state. Every caller on a page shares one socket. */
  let liveConn = null;
  const liveHandlers = [];
  function live(onEvent) {
    liveHandlers.push(onEvent);
    if (liveConn) return liveConn;
    const dot = document.getElementById("live");
    function state(up) {
      if (dot) { dot.textContent = up ? "live" : "reconnecting…"; dot.classList.toggle("on", up); }
    }
    const conn = socket("/ws/live", {
      message: (e) => {
        if (e.type === "hello") { conn.healthy(); state(true); }
        else if (e.type !== "ping") for (const handler of liveHandlers) handler(e);
      },
      close: () => state(false),
    });
    liveConn = conn;
    return conn;
  }

  function clock(s) {
    if (s === null || s === undefined) return "–";
    s = Math.floor(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(sec).padStart(2, "0");
  }

  function bytes(n) {
    const units = ["bytes", "KB", "MB", "GB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return i === 0 ? `${n} bytes` : `${n.toFixed(1).replace(/\.0$/, "")} ${units[i]}`;
  }

  const STAGE_LABELS = {
    pending: "Queued", probe: "Reading file", audio: "Extracting audio", transcribe: "Transcribing",
    transcribing: "Transcribing", chunking: "Splitting into passages", embedding: "Indexing",
    completed: "Ready", failed: "Failed",
  };
  const stageLabel = (s) => STAGE_LABELS[s] || s;

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k === "style") node.style.cssText = v;  // CSSOM: the CSP refuses style="" attributes
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== false && v !== null && v !== undefined) node.setAttribute(k, v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  /* The app's own dialog, instead of the browser's alert/confirm/prompt: a modal <dialog> with a
     message, an optional text field (value: its starting text; multiline: a textarea) and buttons.
     Resolves to the text (with a field), true (OK), or null (Cancel, Escape). */
  function dialog({ title = "", message = "", value = null, multiline = false, ok = "OK", cancel = "Cancel",
                    danger = false } = {}) {
    return new Promise((resolve) => {
      const field = value === null ? null : el(multiline ? "textarea" : "input",
        { "aria-label": title || message, maxlength: 4000, ...(multiline ? {} : { type: "text", value }) });
      if (field && multiline) field.value = value;
      const okButton = el("button", { type: "submit", class: danger ? "primary danger" : "primary", text: ok });
      const box = el("dialog", { class: "app-dialog", "aria-label": title || message });
      const form = el("form", { method: "dialog" }, title ? el("h2", { text: title }) : null,
        message ? el("p", { text: message }) : null, field,
        el("div", { class: "dialog-buttons" },
          cancel ? el("button", { type: "button", text: cancel, onclick: () => box.close("cancel") }) : null, okButton));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        if (field && !field.value.trim()) { field.focus(); return; }
        box.close("ok");
      });
      if (field && multiline) field.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
      });
      box.append(form);
      box.addEventListener("close", () => {
        const done = box.returnValue === "ok";
        box.remove();
        resolve(done ? (field ? field.value.trim() : true) : null);
      });
      document.body.append(box);
      box.showModal();
      if (field) { field.focus(); field.select(); } else okButton.focus();
    });
  }
  const tell = (message) => dialog({ message, cancel: null });

  return { api, socket, live, clock, bytes, stageLabel, el, csrf, dialog, tell };
})();
