/* A video's page: click a transcript line to seek, live status, retry and delete. */
"use strict";
(() => {
  const { api, stageLabel } = Chronos;
  const root = document.querySelector("[data-video-id]");
  const id = Number(root.dataset.videoId);
  const player = document.getElementById("player");

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
      for (const l of lines) l.parentElement.hidden = q && !l.textContent.toLowerCase().includes(q);
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "/" && document.activeElement !== filter) { e.preventDefault(); filter.focus(); }
    });
  }
  const t = new URLSearchParams(location.search).get("t") || (location.hash.match(/t=([\d.]+)/) || [])[1];
  if (t) player.addEventListener("loadedmetadata", () => seek(Number(t)), { once: true });

  document.getElementById("retry").addEventListener("click", async () => {
    try { await api("POST", `/api/videos/${id}/retry`); location.reload(); } catch (e) { alert(e.message); }
  });
  document.getElementById("delete").addEventListener("click", async () => {
    if (!confirm("Delete this video, its file and its transcript?")) return;
    try { await api("DELETE", `/api/videos/${id}`); location.href = "/"; } catch (e) { alert(e.message); }
  });

  const bar = document.getElementById("progress-bar"), text = document.getElementById("progress-text");
  const status = document.getElementById("status"), wrap = document.getElementById("progress-wrap");
  const error = document.getElementById("error");
  Chronos.live((e) => {
    if (e.type === "video_deleted" && e.video_id === id) { location.href = "/"; return; }
    if (e.type !== "video" || e.video.id !== id) return;
    const v = e.video;
    if (v.status === "completed" && status.dataset.status !== "completed") { location.reload(); return; }
    status.textContent = stageLabel(v.status);
    status.dataset.status = v.status;
    status.className = `badge status-${v.status}`;
    wrap.hidden = ["completed", "failed"].includes(v.status);
    const pct = v.status === "transcribing" ? Math.round(v.progress * 100) : 0;
    bar.style.width = pct + "%";
    text.textContent = `${stageLabel(v.stage || v.status)}${v.status === "transcribing" ? " " + pct + "%" : ""}`;
    error.hidden = !v.error;
    error.textContent = v.error || "";
    document.getElementById("retry").hidden = v.status !== "failed";
  });
})();
