/* The glossary page: one term per line, saved with the button or Ctrl/Cmd+S through PUT /api/glossary. */
"use strict";
(() => {
  const { api } = Chronos;
  const form = document.getElementById("glossary-form");
  const box = document.getElementById("terms");
  const status = document.getElementById("glossary-status");
  const count = document.getElementById("term-count");
  let saved = box.value;

  const lines = () => box.value.split("\n").map((t) => t.trim()).filter(Boolean);
  function show(text, bad = false) {
    status.textContent = text;
    status.classList.toggle("error", bad);
  }
  function recount() {
    const n = lines().length;
    count.textContent = n ? `(${n} term${n === 1 ? "" : "s"})` : "";
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
