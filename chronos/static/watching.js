/* What a student watches, reported as heartbeats (POST /api/progress), and where to resume a video.
   Used by the course player and by every video's own page. */
"use strict";
const ChronosWatching = (() => {
  const BEAT_MS = 10000;   // a heartbeat every 10 s of playing, and on pause, seek, end and leaving
  const REWIND_S = 2;      // resume a little before the stored moment, to pick up the thread

  /* Where to start a video left at position_s: from the start when barely begun or nearly done. */
  const resumeAt = (position_s, duration_s) => (position_s > REWIND_S && (!duration_s || position_s < duration_s - 3)
    ? position_s - REWIND_S : 0);

  function post(url, body, keepalive = false) {
    // keepalive lets the last heartbeat finish after the page is gone (as sendBeacon would), with the CSRF header.
    return fetch(url, { method: "POST", keepalive, body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRF-Token": Chronos.csrf() } })
      .then((res) => (res.status === 200 ? res.json() : null)).catch(() => null);
  }

  /* Report what `player` plays. place() says which video (and course, module) it is; onSaved gets
     each heartbeat's answer, onSent the position sent. Returns flush, restart(at) and reset(). */
  function track(player, { place, preview = false, onSaved = () => {}, onSent = () => {} }) {
    // watched: seconds of video played since the last heartbeat (seeks excluded); from: where that
    // stretch began. The server credits at most what wall time and the position's advance allow.
    let watched = 0, from = 0, lastTime = 0, lastSent = null, started = false;

    player.addEventListener("playing", () => { started = true; });
    player.addEventListener("timeupdate", () => {
      const t = player.currentTime;
      if (!player.seeking && !player.paused) {
        const step = t - lastTime;
        if (step > 0 && step < 3) watched += step;
      }
      lastTime = t;
    });
    player.addEventListener("seeking", () => {
      flush();  // closes the stretch before the jump, at the position it reached
      from = lastTime = player.currentTime;
    });
    player.addEventListener("pause", () => flush());
    player.addEventListener("ended", () => flush());
    setInterval(() => { if (!player.paused) flush(); }, BEAT_MS);
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") flush(true); });
    window.addEventListener("pagehide", () => flush(true));

    function flush(leaving = false) {
      if (!started || preview) return;
      const position = lastTime;
      if (watched < 0.25 && lastSent !== null && Math.abs(position - lastSent) < 1) return;
      const body = { ...place(), position_s: Number(position.toFixed(2)), watched_s: Number(watched.toFixed(2)),
        from_s: Number(from.toFixed(2)) };
      watched = 0;
      from = lastSent = position;
      onSent(position);
      post("/api/progress", body, leaving).then((data) => data && onSaved(data));
    }

    return {
      flush,
      restart(at) { from = lastTime = at; },
      reset() { started = false; watched = 0; lastSent = null; },
    };
  }

  return { track, resumeAt, post };
})();
