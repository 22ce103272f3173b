/* The owner's chapter editing on the video page: rename a chapter in place (Enter saves, Esc
   cancels), set the time a chapter starts (or drag its mark on the timeline), merge a chapter with
   the next, split at the moment playing, and go back to the computed chapters. Each edit is saved
   at once and keeps the chapters as the owner left them when the transcript is corrected. */
"use strict";
(() => {
  const view = ChronosChapters.page();
  if (!view || !("editable" in view.box.dataset)) return;
  const { api, el, clock } = Chronos;
  const { player, box, timeline } = view;
  const id = () => view.videoId();
  const url = (tail = "") => `/api/videos/${id()}/chapters${tail}`;

  const status = el("p", { class: "small chapter-status", role: "status", "aria-live": "polite" });
  const splitBtn = el("button", { type: "button", class: "small", id: "chapter-split", onclick: split });
  const resetBtn = el("button", { type: "button", class: "small ghost", id: "chapter-reset", text: "Back to automatic chapters",
                                  onclick: reset, hidden: "" });
  const tools = el("div", { class: "chapter-toolbar" }, splitBtn, resetBtn);
  box.querySelector("ol").before(tools);
  box.append(status);
  const say = (text) => { status.textContent = text; };

  /* "1:02:03", "2:40", "2:40.5" or "160" as seconds; NaN when it is none of those. */
  function seconds(text) {
    const parts = text.trim().split(":");
    if (parts.length > 3 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) return NaN;
    return parts.reduce((total, p) => total * 60 + Number(p), 0);
  }
  function splitLabel() { splitBtn.textContent = `Split at ${clock(player.currentTime)}`; }
  player.addEventListener("timeupdate", splitLabel);
  player.addEventListener("seeked", splitLabel);
  splitLabel();

  async function save(request, done) {
    try {
      view.show(await request());
      say(done);
      return true;
    } catch (e) { say(e.message); return false; }
  }

  /* -- a row's controls, added each time the chapters are shown -------------------------------- */
  view.onShow((data) => {
    resetBtn.hidden = !data.edited;
    const n = data.chapters.length;
    for (const li of box.querySelectorAll("ol > li")) {
      const c = data.chapters[Number(li.dataset.index)];
      const row = el("div", { class: "chapter-tools" },
        el("button", { type: "button", class: "small ghost chapter-rename", text: "Rename",
                       "aria-label": `Rename chapter ${c.index + 1}`, onclick: () => rename(li, c) }),
        c.index > 0 ? el("button", { type: "button", class: "small ghost chapter-start",
                                     text: `Starts ${clock(c.start_s)}`,
                                     "aria-label": `Set when chapter ${c.index + 1} starts (now ${clock(c.start_s)})`,
                                     onclick: () => moveStart(li, c) }) : null,
        c.index < n - 1 ? el("button", { type: "button", class: "small ghost chapter-merge", text: "Merge with next",
                                         "aria-label": `Merge chapter ${c.index + 1} with chapter ${c.index + 2}`,
                                         onclick: () => merge(c) }) : null);
      li.append(row);
    }
    handles(data);
  });

  /* An inline text box in place of `target` (Enter saves, Esc or leaving it cancels). */
  function inline(li, target, value, label, onSave) {
    const input = el("input", { type: "text", class: "chapter-input", value, "aria-label": label, maxlength: 80 });
    target.hidden = true;
    target.after(input);
    input.focus();
    input.select();
    let closed = false;
    const close = (refocus) => {
      if (closed) return;
      closed = true;
      input.remove();
      target.hidden = false;
      if (refocus) refocus.focus();
    };
    input.addEventListener("keydown", async (e) => {
      if (e.key === "Escape") { e.preventDefault(); close(li.querySelector(".chapter-go")); }
      if (e.key !== "Enter" || e.isComposing) return;
      e.preventDefault();
      if (await onSave(input.value)) {
        closed = true;
        const again = box.querySelector(`ol > li[data-index="${li.dataset.index}"] .chapter-go`);
        if (again) again.focus();
      } else input.focus();
    });
    input.addEventListener("blur", () => setTimeout(() => close(null), 150));
  }

  function rename(li, c) {
    inline(li, li.querySelector(".chapter-go"), c.title, `New title of chapter ${c.index + 1}`, (text) => {
      if (!text.trim()) { say("A chapter needs a title."); return false; }
      return save(() => api("PATCH", url(`/${c.index}`), { title: text.trim() }), `Renamed chapter ${c.index + 1}.`);
    });
  }

  function moveStart(li, c) {
    inline(li, li.querySelector(".chapter-go"), clock(c.start_s), `Time chapter ${c.index + 1} starts, as m:ss`, (text) => {
      const at = seconds(text);
      if (!Number.isFinite(at)) { say("Write the time as minutes and seconds, e.g. 2:40."); return false; }
      return save(() => api("PATCH", url(`/${c.index}`), { start_s: at }), `Chapter ${c.index + 1} now starts at ${clock(at)}.`);
    });
  }

  function merge(c) {
    save(() => api("POST", url(`/${c.index}/merge`)), `Merged chapters ${c.index + 1} and ${c.index + 2}.`);
  }

  function split() {
    const at = Math.round(player.currentTime * 10) / 10;
    save(() => api("POST", url("/split"), { at_s: at }), `New chapter from ${clock(at)}.`);
  }

  async function reset() {
    const sure = await Chronos.dialog({ title: "Back to automatic chapters?", ok: "Recompute",
      message: "Your titles and boundaries are replaced by chapters computed from the transcript." });
    if (sure) save(() => api("POST", url("/reset")), "Chapters computed again from the transcript.");
  }

  /* -- dragging a chapter's start on the timeline (the list's "Starts" button does it by keyboard) */
  function handles(data) {
    for (const old of timeline.querySelectorAll(".chapter-handle")) old.remove();
    const total = Number.isFinite(player.duration) && player.duration > 0 ? player.duration
      : (data.chapters.length ? data.chapters[data.chapters.length - 1].end_s : 0);
    if (!total) return;
    for (const c of data.chapters.slice(1)) {
      const handle = el("span", { class: "chapter-handle", title: `Drag to move the start of chapter ${c.index + 1}`,
                                  style: `left: ${(100 * c.start_s) / total}%` });
      handle.addEventListener("pointerdown", (e) => {
        e.preventDefault();
        handle.setPointerCapture(e.pointerId);
        handle.classList.add("dragging");
        const rect = timeline.getBoundingClientRect();
        let at = c.start_s;
        const move = (ev) => {
          at = Math.max(0, Math.min(total, ((ev.clientX - rect.left) / rect.width) * total));
          handle.style.left = `${(100 * at) / total}%`;
          say(`Chapter ${c.index + 1} starts at ${clock(at)}`);
        };
        handle.addEventListener("pointermove", move);
        handle.addEventListener("pointerup", () => {
          handle.removeEventListener("pointermove", move);
          handle.classList.remove("dragging");
          at = Math.round(at * 10) / 10;
          if (Math.abs(at - c.start_s) < 0.1) return;
          save(() => api("PATCH", url(`/${c.index}`), { start_s: at }), `Chapter ${c.index + 1} now starts at ${clock(at)}.`)
            .then((ok) => { if (!ok) view.show(view.data()); });
        }, { once: true });
      });
      timeline.append(handle);
    }
  }

  // A corrected transcript recomputes chapters the owner has not edited: show them when it lands.
  Chronos.live((e) => {
    if (e.type === "transcript_index" && e.video.id === id() && e.state === "up_to_date") view.load(id());
  });
})();
