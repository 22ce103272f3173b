/* The chat: streamed answers over /ws/chat, citation cards, sessions, edit, delete, retry. */
"use strict";
const ChronosChat = (() => {
  const { el, api, clock, dialog, tell } = Chronos;
  const MAX_CHARS = 4000;
  // Pieces of an answer that arrive together (the offline answerer composes its quotes in
  // milliseconds, so they come in one burst) are shown one after another, each in its own frame:
  // a piece waits until the one before has been seen for about 2 ms a character, at most this long
  // (small pieces, as Claude streams them, are hardly held back).
  const PIECE_MS = 120;

  /* Markdown, safely: everything is escaped first, then a few patterns become tags. */
  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }
  function inline(s) {
    return s.replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
      .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>");
  }
  function markdown(text) {
    const out = [];
    let list = null, quote = [];
    const flushQuote = () => { if (quote.length) { out.push(`<blockquote>${quote.join("<br>")}</blockquote>`); quote = []; } };
    const flushList = () => { if (list) { out.push(`<ul>${list.join("")}</ul>`); list = null; } };
    for (const raw of escapeHtml(text).split("\n")) {
      const line = raw.trimEnd();
      if (/^&gt;\s?/.test(line)) { flushList(); const q = line.replace(/^&gt;\s?/, ""); if (q) quote.push(inline(q)); continue; }
      flushQuote();
      if (/^\s*[-*]\s+/.test(line)) { (list = list || []).push(`<li>${inline(line.replace(/^\s*[-*]\s+/, ""))}</li>`); continue; }
      flushList();
      if (line.trim()) out.push(`<p>${inline(line)}</p>`);
    }
    flushQuote(); flushList();
    return out.join("");
  }

  function timeOf(iso) {
    const d = iso ? new Date(iso) : new Date();
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  class Chat {
    constructor(root, opts = {}) {
      this.root = root;
      this.opts = opts;
      this.sessionId = null;
      this.pending = null;      // the answer bubble being streamed
      this.queue = [];          // events received and not shown yet
      this.pumping = false;
      this.build();
      this.connect();
      if (opts.recent) this.loadRecent(opts.recent);
    }

    build() {
      this.list = el("ol", { class: "messages", "aria-live": "polite" });
      this.empty = el("div", { class: "chat-empty" },
        el("p", { class: "muted", text: this.opts.emptyText || "Ask anything about the course videos. Answers cite the exact moment in the lecture." }));
      this.input = el("textarea", { rows: 2, placeholder: "Ask a question…", "aria-label": "Your question", maxlength: MAX_CHARS });
      this.count = el("span", { class: "small muted count", text: `0 / ${MAX_CHARS}` });
      this.sendBtn = el("button", { class: "primary", type: "submit", text: "Send" });
      this.moment = this.opts.player ? el("label", { class: "moment small" },
        el("input", { type: "checkbox", checked: "checked" }), el("span", { text: "Ask about this moment" })) : null;
      const form = el("form", { class: "ask" }, this.input,
        el("div", { class: "ask-row" }, this.moment, el("span", { class: "small muted hint", text: "Enter to send · Shift+Enter for a new line" }), this.count, this.sendBtn));
      form.addEventListener("submit", (e) => { e.preventDefault(); this.submit(); });
      this.input.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.submit(); }
      });
      this.input.addEventListener("input", () => {
        this.count.textContent = `${this.input.value.length} / ${MAX_CHARS}`;
        this.input.style.height = "auto";
        this.input.style.height = Math.min(this.input.scrollHeight, 200) + "px";
      });
      this.status = el("p", { class: "small muted conn", text: "" });
      this.root.append(this.empty, this.list, this.status, form);
    }

    /* /ws/chat through Chronos.socket: questions asked while it is down are sent on reconnect;
       an answer cut off by a drop is marked failed (with Retry). */
    connect() {
      this.ws = Chronos.socket("/ws/chat", {
        open: () => { this.status.textContent = ""; this.ws.healthy(); },
        message: (e) => this.receive(e),
        close: () => {
          this.status.textContent = "Reconnecting…";
          this.drain();
          if (this.pending) this.fail(this.pending, "The connection dropped before the answer finished.", true);
        },
      });
    }

    /* The owner's "as my students see it" switch goes with every question and edit. */
    sendJson(obj) {
      if (this.opts.asStudent && this.opts.asStudent.checked && (obj.type === "ask" || obj.type === "edit")) obj.as_student = true;
      this.ws.send(obj);
    }

    submit() {
      const text = this.input.value.trim();
      if (!text || this.pending) return;
      this.input.value = "";
      this.input.dispatchEvent(new Event("input"));
      const body = { type: "ask", message: text, session_id: this.sessionId };
      if (this.opts.courseId) body.course_id = this.opts.courseId;
      if (this.opts.videoId) {
        body.video_id = this.opts.videoId;
        if (this.opts.player && this.moment.querySelector("input").checked) body.at_s = this.opts.player.currentTime;
      }
      this.addQuestion({ content: text, created_at: null, at_s: body.at_s });
      this.startAnswer();
      this.sendJson(body);
    }

    addQuestion(m) {
      this.empty.hidden = true;
      const bubble = el("li", { class: "msg user", "data-id": m.id || "" },
        el("div", { class: "bubble" }, el("div", { class: "text", text: m.content })),
        el("div", { class: "meta small muted" },
          el("time", { text: timeOf(m.created_at) + (m.at_s != null ? ` · at ${clock(m.at_s)}` : "") }),
          el("button", { class: "link small", type: "button", text: "Edit", onclick: () => this.edit(bubble) }),
          el("button", { class: "link small", type: "button", text: "Delete", onclick: () => this.remove(bubble) })));
      this.list.append(bubble);
      this.scroll();
      return bubble;
    }

    startAnswer() {
      const text = el("div", { class: "text" });
      const typing = el("div", { class: "typing", "aria-label": "Writing an answer" }, el("span"), el("span"), el("span"));
      const bubble = el("li", { class: "msg assistant streaming" },
        el("div", { class: "bubble" }, typing, text, el("div", { class: "cites" })),
        el("div", { class: "meta small muted" }));
      bubble._raw = "";
      this.list.append(bubble);
      this.pending = bubble;
      this.sendBtn.disabled = true;
      this.scroll();
    }

    /* Events are shown in order; a piece of text waits for the one before it to be seen. */
    receive(e) {
      this.queue.push(e);
      if (!this.pumping) this.pump();
    }

    pump() {
      this.pumping = false;
      while (this.queue.length) {
        const e = this.queue[0];
        const wait = e.type === "delta" ? (this.nextPieceAt || 0) - performance.now() : 0;
        if (wait > 0) {
          this.pumping = true;
          this.timer = setTimeout(() => requestAnimationFrame(() => this.pump()), wait);
          return;
        }
        this.onEvent(this.queue.shift());
        if (e.type === "delta") this.nextPieceAt = performance.now() + Math.min(PIECE_MS, 2 * e.text.length);
      }
    }

    drain() {  // the connection dropped: show what arrived at once
      clearTimeout(this.timer);
      this.pumping = false;
      while (this.queue.length) this.onEvent(this.queue.shift());
    }

    onEvent(e) {
      const b = this.pending;
      if (e.type === "session") {
        this.sessionId = e.session.id;
        if (b) b._hint = e.tutor_mode === "hint";  // a hint: its citations are moments to rewatch
        const q = [...this.list.querySelectorAll(".msg.user")].pop();
        if (q) q.dataset.id = e.question_id;
        this.opts.onSession && this.opts.onSession(e.session);
      } else if (e.type === "delta" && b) {
        b._raw += e.text;
        b.querySelector(".typing").hidden = true;
        b.querySelector(".text").innerHTML = markdown(b._raw);
        this.scroll();
      } else if (e.type === "citation" && b) {
        b.querySelector(".cites").append(this.card(e.citation, b._hint));
        this.scroll();
      } else if (e.type === "done" && b) {
        this.finish(b, e.message);
      } else if (e.type === "error") {
        if (b) this.fail(b, e.error, e.retryable !== false, e.question_id);
      }
    }

    finish(b, m) {
      b.classList.remove("streaming");
      b.dataset.id = m.id;
      b.querySelector(".typing").hidden = true;
      b.querySelector(".text").innerHTML = markdown(m.content);
      const meta = b.querySelector(".meta");
      meta.replaceChildren(el("time", { text: timeOf(m.created_at) }),
        el("span", { text: m.cached ? " · answered before" : m.tutor_mode === "hint" ? " · a hint: rewatch the moments"
          : m.answerer === "offline" && m.citations.length ? " · quoted from the videos" : "" }));
      if (!m.error) meta.after(this.rating(m.id, m.rating));
      if (m.follow_ups && m.follow_ups.length) {
        const chips = el("div", { class: "follow-ups" });
        for (const q of m.follow_ups) chips.append(el("button", { type: "button", class: "chip", text: q,
          onclick: () => { this.input.value = q; this.submit(); } }));
        b.querySelector(".bubble").append(chips);
      }
      this.done();
    }

    fail(b, message, retryable, questionId) {
      b.classList.remove("streaming");
      b.classList.add("failed");
      b.querySelector(".typing").hidden = true;
      const err = el("p", { class: "error small", role: "alert", text: message });
      b.querySelector(".bubble").append(err);
      if (retryable) {
        const q = b.previousElementSibling;
        err.append(" ", el("button", { class: "small", type: "button", text: "Retry", onclick: () => {
          b.remove();
          this.startAnswer();
          this.sendJson({ type: "edit", message_id: Number(questionId || (q && q.dataset.id)), message: q.querySelector(".text").textContent });
        } }));
      }
      this.done();
    }

    /* Thumbs up or down under an answer; thumbs down opens a small form for a reason and a comment.
       One rating per asker per answer: pressing again changes it. */
    rating(messageId, current) {
      const url = `/api/chat/messages/${messageId}/rating`;
      const up = el("button", { type: "button", class: "rate-thumb", text: "👍 Yes", "aria-label": "Helpful", title: "Helpful" });
      const down = el("button", { type: "button", class: "rate-thumb", text: "👎 No", "aria-label": "Not helpful", title: "Not helpful" });
      const note = el("span", { class: "small muted", role: "status" });
      const box = el("div", { class: "rate" }, el("span", { class: "small muted", text: "Was this helpful?" }), up, down, note);
      const show = (r) => {
        up.setAttribute("aria-pressed", r && r.helpful ? "true" : "false");
        down.setAttribute("aria-pressed", r && !r.helpful ? "true" : "false");
      };
      const send = async (body, thanks) => {
        try { const r = await api("POST", url, body); show(r); note.textContent = thanks; return r; }
        catch (e) { note.textContent = e.message; return null; }
      };
      let form = null;
      const closeForm = () => { if (form) { form.remove(); form = null; down.focus(); } };
      up.addEventListener("click", () => { closeForm(); send({ helpful: true }, "Thanks!"); });
      down.addEventListener("click", async () => {
        if (form) return form.querySelector("input").focus();
        const r = await send({ helpful: false }, "Thanks. What went wrong? (optional)");
        if (!r) return;
        box.after(form = this.reasonForm(r, (body) => send(body, "Thanks, the creator will see this.").then((ok) => ok && closeForm()), closeForm));
        form.scrollIntoView({ block: "nearest" });
        form.querySelector("input").focus({ preventScroll: true });
      });
      show(current);
      return box;
    }

    reasonForm(r, submit, close) {
      const REASONS = [["wrong_moment", "Wrong moment"], ["wrong_answer", "Wrong answer"], ["not_in_course", "Not in the course"], ["other", "Other"]];
      const name = `reason-${r.message_id}`;
      const comment = el("textarea", { rows: 2, maxlength: 1000, placeholder: "A comment for the creator (optional)", "aria-label": "Comment" });
      comment.value = r.comment || "";
      const form = el("form", { class: "rate-form" },
        el("fieldset", {}, el("legend", { class: "small", text: "What was wrong?" }),
          ...REASONS.map(([value, label]) => el("label", { class: "small" },
            el("input", { type: "radio", name, value, checked: r.reason === value ? "checked" : null }), el("span", { text: label })))),
        comment,
        el("div", { class: "rate-actions" }, el("button", { type: "submit", class: "small primary", text: "Send" }),
          el("button", { type: "button", class: "small ghost", text: "Close", onclick: close })));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const picked = form.querySelector("input[type=radio]:checked");
        submit({ helpful: false, reason: picked ? picked.value : null, comment: comment.value.trim() || null });
      });
      form.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); close(); } });
      return form;
    }

    done() { this.pending = null; this.sendBtn.disabled = false; this.scroll(); }

    /* A cited moment; in a hint (hint mode) a link to rewatch it, without its words. */
    card(c, hint) {
      const href = `/videos/${c.video_id}?t=${Math.floor(c.start_s)}`;
      const when = hint ? el("span", { class: "small rewatch-label", text: `▶ Rewatch ${clock(c.start_s)}–${clock(c.end_s)}` })
        : el("span", { class: "small muted", text: `${clock(c.start_s)}–${clock(c.end_s)} · ${Math.round(c.score * 100)}% match${c.verified ? " · ✓ quote checked" : ""}`,
                       title: c.verified ? "The quoted words were found in the transcript at this moment" : "" });
      const a = el("a", { class: hint ? "cite rewatch" : "cite", href, title: hint ? `Rewatch this moment of ${c.title}` : c.text },
        el("img", { src: `/media/thumbnails/${c.video_id}`, alt: "", loading: "lazy", onerror: (e) => e.target.replaceWith(el("span", { class: "cite-blank", text: "▶" })) }),
        el("span", { class: "cite-body" }, el("span", { class: "cite-title", text: c.title }), when));
      a.dataset.start = c.start_s;
      a.dataset.video = c.video_id;
      a.addEventListener("click", (e) => {
        if (this.opts.player && Number(this.opts.videoId) === c.video_id) {
          e.preventDefault();
          this.opts.player.currentTime = c.start_s;
          this.opts.player.play().catch(() => {});
        }
      });
      return a;
    }

    async edit(bubble) {
      if (this.pending) return;
      const old = bubble.querySelector(".text").textContent;
      const text = await dialog({ title: "Edit your question", message: "The answer is written again.",
                                  value: old, multiline: true, ok: "Ask again" });
      if (!text || text === old || this.pending) return;
      while (bubble.nextElementSibling) bubble.nextElementSibling.remove();
      bubble.querySelector(".text").textContent = text.trim();
      this.startAnswer();
      this.sendJson({ type: "edit", message_id: Number(bubble.dataset.id), message: text.trim() });
    }

    async remove(bubble) {
      if (this.pending || !await dialog({ message: "Delete this question and its answer?", ok: "Delete", danger: true })) return;
      try {
        await api("DELETE", `/api/chat/messages/${bubble.dataset.id}`);
        const next = bubble.nextElementSibling;
        if (next && next.classList.contains("assistant")) next.remove();
        bubble.remove();
        this.empty.hidden = this.list.children.length > 0;
      } catch (e) { tell(e.message); }
    }

    async load(sessionId) {
      this.list.replaceChildren();
      this.sessionId = sessionId;
      this.empty.hidden = !!sessionId;
      if (!sessionId) return;
      const s = await api("GET", `/api/chat/sessions/${sessionId}`);
      this.show(s.messages);
    }

    /* Beside a video or in a course player: the recent questions asked there (query: "course_id=…"
       or "video_id=…"), continuing the latest one's chat. A question asked meanwhile wins. */
    async loadRecent(query) {
      const recent = await api("GET", `/api/chat/recent?${query}`).catch(() => null);
      if (!recent || !recent.messages.length || this.list.children.length) return;
      this.sessionId = recent.session_id;
      this.empty.hidden = true;
      this.show(recent.messages);
    }

    show(messages) {
      for (const m of messages) {
        if (m.role === "user") { this.addQuestion(m); continue; }
        this.startAnswer();
        const b = this.pending;
        for (const c of m.citations) b.querySelector(".cites").append(this.card(c, m.tutor_mode === "hint"));
        if (m.error) { b._raw = m.content; b.querySelector(".text").innerHTML = markdown(m.content); this.fail(b, m.error, true); }
        else this.finish(b, m);
      }
    }

    scroll() { this.list.scrollTop = this.list.scrollHeight; if (this.opts.scrollPage) window.scrollTo(0, document.body.scrollHeight); }
  }

  /* The full page: the chat plus the sessions sidebar. */
  function mountPage(root) {
    const listEl = document.getElementById("session-list");
    const emptyEl = document.getElementById("sessions-empty");
    const search = document.getElementById("session-search");
    let chat;
    async function refresh() {
      const q = search.value.trim();
      const items = await api("GET", `/api/chat/sessions${q ? "?q=" + encodeURIComponent(q) : ""}`);
      listEl.replaceChildren(...items.map((s) => el("li", { class: s.id === chat.sessionId ? "current" : "", "data-id": s.id },
        el("button", { type: "button", class: "session-open", text: s.title, title: s.title, onclick: () => open(s.id) }),
        el("button", { type: "button", class: "icon", text: "✎", title: "Rename", "aria-label": `Rename ${s.title}`, onclick: async () => {
          const t = await dialog({ title: "Rename this chat", value: s.title, ok: "Rename" });
          if (t) { await api("PATCH", `/api/chat/sessions/${s.id}`, { title: t }).catch((e) => tell(e.message)); refresh(); }
        } }),
        el("button", { type: "button", class: "icon", text: "✕", title: "Delete", "aria-label": `Delete ${s.title}`, onclick: async () => {
          if (!await dialog({ message: `Delete the chat “${s.title}”?`, ok: "Delete", danger: true })) return;
          try { await api("DELETE", `/api/chat/sessions/${s.id}`); } catch (e) { tell(e.message); return; }
          if (chat.sessionId === s.id) open(null);
          refresh();
        } }))));
      emptyEl.hidden = items.length > 0 || !!q;
    }
    async function open(id) {
      await chat.load(id);
      history.replaceState(null, "", id ? `/chat?session=${id}` : "/chat");
      refresh();
      chat.input.focus();
    }
    const asStudent = document.getElementById("as-student");
    if (asStudent) {
      const note = document.getElementById("as-student-note");
      const show = () => { note.textContent = asStudent.checked ? note.dataset.students : note.dataset.drafts; };
      asStudent.checked = localStorage.getItem("chronos.asStudent") === "1";
      asStudent.addEventListener("change", () => { localStorage.setItem("chronos.asStudent", asStudent.checked ? "1" : "0"); show(); });
      show();
    }
    chat = new Chat(root, { asStudent, onSession: (s) => { history.replaceState(null, "", `/chat?session=${s.id}`); refresh(); } });
    document.getElementById("new-chat").addEventListener("click", () => open(null));
    search.addEventListener("input", refresh);
    document.addEventListener("keydown", (e) => {
      if (e.altKey && e.key.toLowerCase() === "n") { e.preventDefault(); open(null); }
      if (e.key === "/" && !["INPUT", "TEXTAREA"].includes(document.activeElement.tagName)) { e.preventDefault(); chat.input.focus(); }
    });
    const start = new URLSearchParams(location.search).get("session");
    open(start ? Number(start) : null);
    return chat;
  }

  /* Beside a video: questions carry the player's current moment. */
  function mountVideo(root, player, videoId) {
    return new Chat(root, { player, videoId, recent: `video_id=${videoId}`,
      emptyText: "Ask about this video. Tick “this moment” to ask about what is playing now." });
  }

  return { Chat, mountPage, mountVideo, markdown };
})();
