/* The glossary page: one term per line, saved with the button or Ctrl/Cmd+S through PUT /api/glossary. */
"use strict";
(() => {
  const { api } = Chronos;
  const form = document.getElementById("glossary-form");
  const box = document.getElementById("terms");
  const status = document.getElementById("glossary-status");
  const count = document.getElementById("term-count");
  const fit = document.getElementById("hint-fit");
  const limit = Number(box.dataset.hintChars);
  // What a video's title takes of the hints besides the terms (pipeline/hints.py counts it whole).
  const TITLE_ROOM = 60;
  let saved = box.value;

  const lines = () => box.value.split("\n").map((t) => t.trim()).filter(Boolean);
  function show(text, bad = false) {
    status.textContent = text;
    status.classList.toggle("error", bad);
  }
  // Whisper gets the terms whole or not at all: a cut list made transcripts worse than none.
  function showFit() {
    const chars = lines().join(", ").length;
    fit.classList.toggle("warn", chars > limit - TITLE_ROOM);
    if (!chars) fit.textContent = "";
    else if (chars > limit) {
      fit.textContent = `${chars} characters: too long for Whisper, which hears about ${limit} with the title, `
        + "so no video gets these hints. Keep the names and terms Whisper gets wrong.";
    } else if (chars > limit - TITLE_ROOM) {
      fit.textContent = `${chars} of about ${limit} characters: a video with a long title gets no hints.`;
    } else fit.textContent = `${chars} of about ${limit} characters: every video gets them all.`;
  }
  function recount() {
    const n = lines().length;
    count.textContent = n ? `(${n} term${n === 1 ? "" : "s"})` : "";
    showFit();
    if (box.value !== saved) show("Not saved yet");
  }

  async function save() {
    show("Saving…");
    try {
      const { terms } = await api("PUT", "/api/glossary", { terms: lines() });
      box.value = saved = terms.join("\n");
      const empty = document.getElementById("glossary-empty");
      if (empty) empty.hidden = terms.length > 0;
      recount();
      show(terms.length ? `Saved ${terms.length} term${terms.length === 1 ? "" : "s"}.` : "Saved: the glossary is empty.");
    } catch (err) { show(err.message, true); }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); save(); });
  box.addEventListener("input", recount);
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") { e.preventDefault(); save(); }
  });
  window.addEventListener("beforeunload", (e) => { if (box.value !== saved) e.preventDefault(); });
  recount();
  show("");
})();
