/* The player beside its transcript: click a line to seek, follow along, search, ?t= deep links. */
"use strict";
(() => {
  const player = document.getElementById("player");
  if (!player) return;

  function seek(t) {
    player.currentTime = t;
    player.play().catch(() => { /* autoplay may be blocked; the position is still set */ });
  }

  const transcript = document.getElementById("transcript");
  if (transcript) {
    transcript.addEventListener("click", (e) => {
      const line = e.target.closest(".line");
      if (line) seek(Number(line.dataset.start));
    });
    const lines = [...transcript.querySelectorAll(".line")];
    player.addEventListener("timeupdate", () => {
      let current = null;
      for (const l of lines) if (Number(l.dataset.start) <= player.currentTime + 0.05) current = l;
      for (const l of lines) l.classList.toggle("current", l === current);
    });
    const filter = document.getElementById("transcript-filter");
    filter.addEventListener("input", () => {
      const q = filter.value.trim().toLowerCase();
      for (const l of lines) l.closest("li").hidden = q && !l.textContent.toLowerCase().includes(q);
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "/" && !["INPUT", "TEXTAREA"].includes(document.activeElement.tagName)) {
        e.preventDefault();
        filter.focus();
      }
    });
  }
  const t = new URLSearchParams(location.search).get("t") || (location.hash.match(/t=([\d.]+)/) || [])[1];
  if (t) {
    const go = () => seek(Number(t));
    if (player.readyState >= 1) go(); else player.addEventListener("loadedmetadata", go, { once: true });
  }
})();
