/* The player's own controls on every video: playback speed (remembered), keyboard shortcuts,
   picture-in-picture where the browser has it, and `?` listing the keys. */
"use strict";
(() => {
  const player = document.getElementById("player");
  if (!player) return;
  const { el } = Chronos;
  const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const SPEED_KEY = "chronos.playbackRate";
  const KEYS = [["Space or K", "Play or pause"], ["J / L", "Back / forward 10 seconds"], ["← / →", "Back / forward 5 seconds"],
    ["< / >", "Slower / faster"], ["C", "Captions on or off"], ["F", "Full screen"], ["?", "Show these keys"]];

  /* -- speed ----------------------------------------------------------------------------------- */
  const saved = Number(localStorage.getItem(SPEED_KEY));
  const speed = el("select", { id: "player-speed", "aria-label": "Playback speed" },
    ...SPEEDS.map((s) => el("option", { value: s, text: `${s}×` })));
  function setSpeed(rate, announce = true) {
    const r = SPEEDS.includes(rate) ? rate : 1;
    // defaultPlaybackRate survives a new src (the course player changes videos in place).
    player.defaultPlaybackRate = player.playbackRate = r;
    speed.value = String(r);
    localStorage.setItem(SPEED_KEY, String(r));
    if (announce) say(`Speed ${r}×`);
  }
  speed.addEventListener("change", () => setSpeed(Number(speed.value)));
  player.addEventListener("loadedmetadata", () => { player.playbackRate = player.defaultPlaybackRate; });

  /* -- the bar under the player ---------------------------------------------------------------- */
  const status = el("span", { class: "small muted player-status", role: "status", "aria-live": "polite" });
  const help = el("div", { class: "player-keys card", id: "player-keys", role: "dialog", "aria-label": "Keyboard shortcuts", hidden: "" },
    el("p", { class: "small", text: "Keyboard shortcuts (not while typing in a box):" }),
    el("dl", {}, ...KEYS.flatMap(([k, what]) => [el("dt", {}, el("kbd", { text: k })), el("dd", { class: "small", text: what })])),
    el("button", { type: "button", class: "small", text: "Close", onclick: () => toggleHelp(false) }));
  const keysBtn = el("button", { type: "button", class: "small ghost", text: "Keys ?", "aria-controls": "player-keys",
    "aria-expanded": "false", onclick: () => toggleHelp() });
  const pip = player.tagName === "VIDEO" && document.pictureInPictureEnabled && !player.disablePictureInPicture
    ? el("button", { type: "button", class: "small ghost", id: "player-pip", text: "Picture in picture", onclick: togglePip }) : null;
  const bar = el("div", { class: "player-bar" }, el("label", { class: "small speed" }, el("span", { text: "Speed" }), speed), pip, keysBtn, status);
  player.after(bar, help);
  setSpeed(saved || 1, false);

  function say(text) { status.textContent = text; }
  function toggleHelp(show = help.hidden) {
    help.hidden = !show;
    keysBtn.setAttribute("aria-expanded", String(show));
    if (show) help.querySelector("button").focus(); else if (help.contains(document.activeElement)) keysBtn.focus();
  }
  async function togglePip() {
    try {
      if (document.pictureInPictureElement) await document.exitPictureInPicture();
      else await player.requestPictureInPicture();
    } catch (e) { say("Picture in picture is not available here."); }
  }
  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else if (player.requestFullscreen) player.requestFullscreen().catch(() => say("Full screen is not available here."));
  }
  function toggleCaptions() {
    const track = player.textTracks && player.textTracks[0];
    if (!track) { say("No captions for this video yet."); return; }
    track.mode = track.mode === "showing" ? "hidden" : "showing";
    say(track.mode === "showing" ? "Captions on" : "Captions off");
  }
  function skip(seconds) {
    const end = Number.isFinite(player.duration) ? player.duration : Infinity;
    player.currentTime = Math.max(0, Math.min(end, player.currentTime + seconds));
    say(`${seconds > 0 ? "+" : "−"}${Math.abs(seconds)} s`);
  }
  function playPause() {
    if (player.paused) player.play().catch(() => {}); else player.pause();
  }

  /* -- keys: never while typing, never with Ctrl/Cmd/Alt (the browser's own shortcuts) -------- */
  const typing = (t) => t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
  const pressable = (t) => t && t !== player && t.closest("button, a[href], summary, [role=button]");
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const actions = {
      k: playPause, " ": playPause, j: () => skip(-10), l: () => skip(10), ArrowLeft: () => skip(-5), ArrowRight: () => skip(5),
      c: toggleCaptions, f: toggleFullscreen, "?": () => toggleHelp(),
      "<": () => setSpeed(SPEEDS[Math.max(0, SPEEDS.indexOf(player.playbackRate) - 1)]),
      ">": () => setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, SPEEDS.indexOf(player.playbackRate) + 1)]),
      Escape: () => { if (!help.hidden) toggleHelp(false); else return false; },
    };
    if (!(key in actions) || (key === " " && pressable(e.target))) return;  // Space presses a focused button
    if (actions[key]() === false) return;
    e.preventDefault();
  });
})();
