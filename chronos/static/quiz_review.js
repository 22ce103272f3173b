/* The owner's quiz checkpoints on the video page: draft questions from the transcript, edit a
   question's prompt, choices, answer and time, approve it (only approved ones reach students),
   delete it, add one's own; each question's attempts and correct rate, the video's quiz score. */
"use strict";
(() => {
  const root = document.getElementById("quiz-review");
  if (!root) return;
  const { api, el, clock, dialog } = Chronos;
  const id = Number(root.dataset.videoId);
  const duration = Number(root.dataset.duration) || 0;
  const list = document.getElementById("quiz-list");
  const note = document.getElementById("quiz-note");
  const player = document.getElementById("player");
  const ORIGIN = { offline: "Drafted offline", claude: "Drafted by Claude", creator: "Your question" };
  const KIND = { choice: "Question", blank: "Fill in the blank" };
  let drafter = "offline";

  const say = (text, error = false) => { note.textContent = text; note.classList.toggle("error", error); };
  const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

  /* "1:23", "83" or "83.5" as seconds; null when it is not a time. */
  function seconds(text) {
    const parts = String(text).trim().split(":");
    if (!parts.length || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) return null;
    return parts.reduce((total, p) => total * 60 + Number(p), 0);
  }
  function play(at) {
    if (!player) return;
    player.currentTime = at;
    player.play().catch(() => { /* autoplay may be refused; the position is set */ });
    player.scrollIntoView({ block: "nearest" });
  }

  async function load() {
    try {
      const data = await api("GET", `/api/videos/${id}/quiz`);
      drafter = data.drafter;
      render(data);
    } catch (e) { say(e.message, true); }
  }

  function render(data) {
    const qs = data.questions;
    const approved = qs.filter((q) => q.status === "approved").length;
    const score = data.score.answered ? ` · students' score ${data.score.percent} % at first try (${plural(data.score.answered, "answer")})` : "";
    document.getElementById("quiz-summary").textContent = qs.length
      ? `${plural(qs.length, "question")} · ${approved} approved${score}` : "";
    document.getElementById("quiz-generate").textContent = qs.length ? "Draft again" : "Draft questions";
    list.replaceChildren(...qs.map(item));
    if (!qs.length) list.append(el("li", { class: "muted small empty", text: "No questions yet. Draft them from the transcript, or add your own." }));
  }

  function item(q) {
    const li = el("li", { class: "quiz-item", "data-id": q.id, "data-status": q.status });
    show(li, q);
    return li;
  }

  function show(li, q) {
    li.dataset.status = q.status;
    const s = q.stats || { attempts: 0 };
    const stats = s.attempts || s.skipped
      ? `${plural(s.attempts, "attempt")} · ${s.correct_rate === null ? "–" : s.correct_rate + " %"} right` + (s.skipped ? ` · ${s.skipped} skipped` : "")
      : "No answers yet";
    const approve = el("button", { type: "button", class: q.status === "approved" ? "small" : "small primary quiz-approve",
      text: q.status === "approved" ? "Back to draft" : "Approve",
      onclick: () => save(li, q, { status: q.status === "approved" ? "draft" : "approved" }) });
    li.replaceChildren(...[
      el("div", { class: "quiz-item-head" },
        el("button", { type: "button", class: "small ghost quiz-time", text: `▶ ${clock(q.at_s)}`,
                       "aria-label": `Play the moment this question is asked about, from ${clock(q.replay_at_s)}`,
                       onclick: () => play(q.replay_at_s) }),
        el("span", { class: `badge quiz-${q.status}`, text: q.status === "approved" ? "Approved" : "Draft" }),
        el("span", { class: "small muted", text: `${KIND[q.kind]} · ${ORIGIN[q.origin]}` }),
        el("span", { class: "small muted quiz-stats", text: stats })),
      el("p", { class: "quiz-prompt-text", text: q.prompt }),
      el("ol", { class: "quiz-options", type: "A" }, ...q.choices.map((c, i) => el("li", { class: i === q.answer_index ? "right" : "", text: c }))),
      q.source_text ? el("p", { class: "quiz-source small" }, el("span", { class: "muted", text: `Answered at ${clock(q.replay_at_s)}: ` }), `“${q.source_text}”`) : null,
      el("div", { class: "quiz-item-actions" }, approve,
        el("button", { type: "button", class: "small", text: "Edit", onclick: () => edit(li, q) }),
        el("button", { type: "button", class: "small danger", text: "Delete", onclick: () => remove(li, q) }))].filter(Boolean));
  }

  async function save(li, q, changes) {
    try {
      const updated = await api("PATCH", `/api/quiz/${q.id}`, changes);
      show(li, { ...updated, stats: q.stats });
      say(changes.status === "approved" ? "Approved: students meet this question in the course player." : "Saved.");
      load();
      return true;
    } catch (e) { say(e.message, true); return false; }
  }

  async function remove(li, q) {
    const ok = await dialog({ title: "Delete this question?", message: `“${q.prompt}” and the answers students gave it are deleted.`,
                              ok: "Delete", danger: true });
    if (!ok) return;
    try {
      await api("DELETE", `/api/quiz/${q.id}`);
      say("Deleted.");
      load();
    } catch (e) { say(e.message, true); }
  }

  /* -- the form: edit a question, or write one's own ---------------------------------------------- */
  function form(q, { onSave, onCancel }) {
    const at = el("input", { type: "text", value: clock(q.at_s), inputmode: "decimal", "aria-describedby": "quiz-at-help", required: "" });
    const now = el("button", { type: "button", class: "small", text: "Use the player's time",
      onclick: () => { if (player) at.value = clock(player.currentTime); } });
    const kind = el("select", { "aria-label": "Kind" }, ...Object.entries(KIND).map(([k, label]) => el("option", { value: k, text: label, selected: k === q.kind ? "" : null })));
    const prompt = el("textarea", { maxlength: 500, required: "", "aria-label": "Question" });
    prompt.value = q.prompt;
    const group = `quiz-answer-${q.id || "new"}`;
    const rows = el("div", { class: "quiz-choice-rows" });
    const addRow = (text = "", right = false) => {
      const radio = el("input", { type: "radio", name: group, "aria-label": "The right answer", checked: right ? "" : null });
      const box = el("input", { type: "text", maxlength: 200, value: text, "aria-label": "Choice" });
      const row = el("div", { class: "quiz-choice-row" }, radio, box,
        el("button", { type: "button", class: "small ghost", text: "✕", "aria-label": "Remove this choice",
                       onclick: () => { if (rows.children.length > 2) row.remove(); } }));
      rows.append(row);
      return box;
    };
    q.choices.forEach((c, i) => addRow(c, i === q.answer_index));
    const more = el("button", { type: "button", class: "small", text: "Add a choice",
      onclick: () => { if (rows.children.length < 6) addRow().focus(); } });
    const error = el("p", { class: "error small", role: "alert", hidden: "" });
    const submit = el("button", { type: "submit", class: "primary small", text: "Save" });
    const box = el("form", { class: "quiz-form" },
      el("div", { class: "quiz-form-row" },
        el("label", {}, "Asked at", at, el("span", { class: "small muted", id: "quiz-at-help", text: "m:ss, when the player pauses" })),
        now, el("label", {}, "Kind", kind)),
      el("label", {}, "Question", prompt),
      el("fieldset", {}, el("legend", { text: "Choices: mark the right one" }), rows, more),
      error,
      el("div", { class: "quiz-item-actions" }, submit, el("button", { type: "button", class: "small", text: "Cancel", onclick: onCancel })));
    box.addEventListener("submit", async (e) => {
      e.preventDefault();
      const when = seconds(at.value);
      const choices = [...rows.querySelectorAll(".quiz-choice-row")].map((r) => r.querySelector("input[type=text]").value.trim());
      const right = [...rows.querySelectorAll("input[type=radio]")].findIndex((r) => r.checked);
      const problem = when === null ? "Write the time as m:ss, for example 1:05."
        : duration && when > duration ? `The video is ${clock(duration)} long; pick a time inside it.`
        : !prompt.value.trim() ? "Write the question."
        : choices.some((c) => !c) ? "Fill in every choice, or remove the empty ones."
        : right < 0 ? "Mark the right answer." : "";
      if (problem) { error.textContent = problem; error.hidden = false; return; }
      submit.disabled = true;
      const ok = await onSave({ at_s: when, kind: kind.value, prompt: prompt.value.trim(), choices, answer_index: right }, error);
      submit.disabled = false;
      if (!ok) error.hidden = false;
    });
    return box;
  }

  function edit(li, q) {
    const box = form(q, {
      onSave: async (changes, error) => {
        try {
          const updated = await api("PATCH", `/api/quiz/${q.id}`, changes);
          say("Saved.");
          show(li, { ...updated, stats: q.stats });
          return true;
        } catch (e) { error.textContent = e.message; return false; }
      },
      onCancel: () => show(li, q) });
    li.replaceChildren(box);
    box.querySelector("textarea").focus();
  }

  document.getElementById("quiz-add").addEventListener("click", () => {
    if (list.querySelector(".quiz-item.new")) return;
    const at = player ? player.currentTime : 0;
    const li = el("li", { class: "quiz-item new", "data-status": "draft" });
    const box = form({ at_s: at, kind: "choice", prompt: "", choices: ["", "", ""], answer_index: -1 }, {
      onSave: async (fields, error) => {
        try {
          await api("POST", `/api/videos/${id}/quiz`, fields);
          say("Added as a draft: approve it when it is ready.");
          load();
          return true;
        } catch (e) { error.textContent = e.message; return false; }
      },
      onCancel: () => li.remove() });
    li.append(box);
    list.querySelector(".empty")?.remove();
    list.prepend(li);
    box.querySelector("textarea").focus();
  });

  document.getElementById("quiz-generate").addEventListener("click", async (e) => {
    const button = e.currentTarget;
    if (root.dataset.ready !== "1") { say("Draft the quiz once processing completes.", true); return; }
    if (list.querySelector(".quiz-item[data-status='draft']")) {
      const ok = await dialog({ title: "Draft again?", ok: "Draft again",
        message: "Drafts you have not edited or approved are replaced; approved and edited questions stay." });
      if (!ok) return;
    }
    button.disabled = true;
    say(drafter === "claude" ? "Claude is drafting questions…" : "Drafting questions…");
    try {
      const res = await api("POST", `/api/videos/${id}/quiz/generate`, {});
      const refused = res.refused.length ? ` ${plural(res.refused.length, "draft")} refused: ${res.refused.join(" ")}` : "";
      say(`Drafted ${plural(res.questions.length, "question")} (${res.drafter === "claude" ? "Claude" : "offline"}). `
          + `Check each one, then approve it.${refused}`);
      await load();
    } catch (err) { say(err.message, true); } finally { button.disabled = false; }
  });

  load();
})();
