/* Quiz checkpoints in the course player: when playback reaches an approved question's time the
   player pauses and asks; an answer gets feedback at once, and a wrong one offers "Rewatch this
   moment", which plays again from the sentence that answers it (and asks again when it is reached).
   Skip goes on without answering. The owner's preview answers too, but nothing is recorded.
   The player changes videos in place (course_player.js): each new source loads its own questions. */
"use strict";
(() => {
  const card = document.getElementById("quiz-card");
  const player = document.getElementById("player");
  if (!card || !player) return;
  const { api, el, clock } = Chronos;
  const preview = card.dataset.preview === "1";
  let videoId = null, questions = [], asking = null, last = 0;
  const settled = new Set();  // questions answered right, skipped or continued past on this page

  const videoOf = () => {
    const m = /\/media\/videos\/(\d+)/.exec(player.currentSrc || player.getAttribute("src") || "");
    return m ? Number(m[1]) : null;
  };
  // Asked again until answered right; a skipped one is left alone (the student chose to).
  const due = (q) => !q.answered || (!q.answered.ever_correct && !q.answered.skipped);

  async function load() {
    const id = videoOf();
    if (id === videoId) return;
    videoId = id;
    questions = [];
    close();
    if (!id) return;
    try {
      const data = await api("GET", `/api/videos/${id}/quiz?view=student`);
      if (videoId === id) questions = data.questions.filter(due);
    } catch (e) { /* no quiz for this video: it plays on */ }
  }

  /* -- when to ask: playback crossing a question's time, not a jump over it (a seek moves `last`
     along, however far; playing on however slowly crosses) ----------------------------------- */
  player.addEventListener("loadstart", () => { last = 0; load(); });
  player.addEventListener("seeked", () => { last = player.currentTime; });
  player.addEventListener("timeupdate", () => {
    const t = player.currentTime;
    if (!asking && !player.seeking && t > last) {
      const q = questions.find((x) => x.at_s > last && x.at_s <= t && !settled.has(x.id));
      if (q) ask(q);
    }
    last = t;
  });
  player.addEventListener("play", () => {
    if (asking && !asking.answered) skip(asking.question);  // playing on instead of answering
    else if (asking) close();
  });

  /* -- the card ------------------------------------------------------------------------------------ */
  function ask(q) {
    player.pause();
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    asking = { question: q, answered: false };
    const choices = q.choices.map((c, i) => el("button", { type: "button", class: "quiz-choice", "data-index": i,
      onclick: () => choose(q, i) }, el("span", { class: "quiz-key", "aria-hidden": "true", text: String(i + 1) }), el("span", { text: c })));
    const parts = [
      el("p", { class: "quiz-kicker", text: `Checkpoint · ${clock(q.at_s)}` }),
      el("h2", { id: "quiz-prompt", tabindex: "-1", text: q.prompt }),
      el("div", { class: "quiz-choices", role: "group", "aria-labelledby": "quiz-prompt" }, ...choices),
      el("p", { class: "quiz-feedback", id: "quiz-feedback", role: "status", "aria-live": "polite" }),
      el("div", { class: "quiz-card-actions" },
        el("button", { type: "button", class: "ghost quiz-skip", text: "Skip", onclick: () => skip(q) })),
      preview ? el("p", { class: "small muted", text: "Preview: your answers are not recorded." }) : null];
    card.replaceChildren(...parts.filter(Boolean));
    card.hidden = false;
    card.scrollIntoView({ block: "nearest" });
    card.querySelector("h2").focus({ preventScroll: true });  // read out first; Tab or 1–4 reaches the choices
  }

  function close() {
    asking = null;
    card.hidden = true;
    card.replaceChildren();
  }

  function resume(at = null) {
    close();
    if (at !== null) { player.currentTime = at; last = at; }
    player.play().catch(() => { /* autoplay may be refused: the student presses play */ });
  }

  async function choose(q, index) {
    const buttons = [...card.querySelectorAll(".quiz-choice")];
    buttons.forEach((b) => { b.disabled = true; });
    const feedback = card.querySelector(".quiz-feedback");
    let res;
    try {
      res = await api("POST", `/api/quiz/${q.id}/answer`, { choice: index });
    } catch (e) {
      feedback.textContent = `${e.message} Check your connection and try again.`;
      buttons.forEach((b) => { b.disabled = false; });
      return;
    }
    if (!asking || asking.question !== q) return;
    asking.answered = true;
    const actions = card.querySelector(".quiz-card-actions");
    buttons[index].classList.add(res.correct ? "right" : "wrong");
    feedback.className = `quiz-feedback ${res.correct ? "right" : "wrong"}`;
    const go = el("button", { type: "button", class: res.correct ? "primary quiz-continue" : "quiz-continue", text: "Continue ▶",
      onclick: () => { settled.add(q.id); resume(); } });
    if (res.correct) {
      settled.add(q.id);
      buttons[res.answer_index].classList.add("right");
      feedback.textContent = "✓ Right!";
      feedback.after(el("p", { class: "quiz-because small", text: `“${res.source_text}”` }));
      actions.replaceChildren(go);
      go.focus();
    } else {
      feedback.textContent = "Not quite. The answer is in the lecture just before this point.";
      const rewatch = el("button", { type: "button", class: "primary quiz-rewatch", text: `↺ Rewatch this moment (${clock(res.replay_at_s)})`,
        onclick: () => resume(res.replay_at_s) });
      actions.replaceChildren(rewatch, go);
      rewatch.focus();
    }
  }

  async function skip(q) {
    settled.add(q.id);
    const playing = !player.paused;
    close();
    if (!playing) player.play().catch(() => {});
    try { await api("POST", `/api/quiz/${q.id}/answer`, { choice: null }); } catch (e) { /* a skip not stored is no loss */ }
  }

  // Keys 1–6 choose while a checkpoint asks, except while typing (letters are the player's keys).
  document.addEventListener("keydown", (e) => {
    if (!asking || asking.answered || e.ctrlKey || e.metaKey || e.altKey) return;
    if (["INPUT", "TEXTAREA", "SELECT"].includes(e.target.tagName) || e.target.isContentEditable) return;
    const n = e.key.length === 1 ? "123456".indexOf(e.key) : -1;
    if (n < 0 || n >= asking.question.choices.length) return;
    e.preventDefault();
    choose(asking.question, n);
  });

  load();
})();
