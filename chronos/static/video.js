/* The owner's view of a video: live processing status, retry and delete. */
"use strict";
(() => {
  const { api, stageLabel, dialog, tell } = Chronos;
  const root = document.querySelector("[data-video-id]");
  const id = Number(root.dataset.videoId);
  document.getElementById("retry").addEventListener("click", async () => {
    try { await api("POST", `/api/videos/${id}/retry`); location.reload(); } catch (e) { tell(e.message); }
  });
  document.getElementById("delete").addEventListener("click", async () => {
    if (!await dialog({ message: "Delete this video, its file and its transcript?", ok: "Delete", danger: true })) return;
    try { await api("DELETE", `/api/videos/${id}`); location.href = "/"; } catch (e) { tell(e.message); }
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
