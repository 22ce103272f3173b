/* A video's own page: continue where the student left off (unless a ?t= link says where), and
   report what they watch, as the course player does. */
"use strict";
(() => {
  const player = document.getElementById("player");
  if (!player || !player.dataset.videoId) return;
  const videoId = Number(player.dataset.videoId);
  const watching = ChronosWatching.track(player, { preview: "preview" in player.dataset, place: () => ({ video_id: videoId }) });
  const linked = new URLSearchParams(location.search).get("t") || /t=[\d.]+/.test(location.hash);
  const at = ChronosWatching.resumeAt(Number(player.dataset.position), Number(player.dataset.duration));
  const begin = () => {
    if (!linked && at > 0) player.currentTime = at;
    watching.restart(player.currentTime);
  };
  if (player.readyState >= 1) begin(); else player.addEventListener("loadedmetadata", begin, { once: true });
})();
