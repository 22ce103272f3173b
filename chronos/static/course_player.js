/* The course player: resume where the student stopped, report what they watch (heartbeats), move
   through the course without reloading, Mark complete, auto-advance, and the chat scoped to the course. */
"use strict";
(() => {
  const { el } = Chronos;
  const state = JSON.parse(document.getElementById("player-data").textContent);
  const player = document.getElementById("player");

  const items = state.modules.flatMap((m) => m.videos.map((v) => ({ ...v, module_id: m.id, module_title: m.title })));
  let index = Math.max(0, items.findIndex((i) => i.id === state.current.video_id && i.module_id === state.current.module_id));
  let current = items[index];
  let chat = null;
  const chapters = ChronosChapters.mount(player, document.getElementById("chapters"));

  const human = (s) => (!s ? "no time" : s < 60 ? `${Math.round(s)} s` : s < 3600 ? `${Math.round(s / 60)} min`
    : `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`);
  const note = (text) => { document.getElementById("player-note").textContent = text; };

  /* -- measuring what is watched (watching.js) ---------------------------------------------------- */
  const watching = ChronosWatching.track(player, {
    preview: state.preview, onSaved: apply, onSent: (position) => { current.position_s = position; },
    place: () => ({ video_id: current.id, course_id: state.course_id, module_id: current.module_id }) });
  const flush = watching.flush, post = ChronosWatching.post;
  player.addEventListener("ended", () => {
    if (document.getElementById("auto-advance").checked && index < items.length - 1) go(index + 1, { autoplay: true });
  });

  /* -- showing progress ----------------------------------------------------------------------------- */
  function apply(data) {
    const v = data.video;
    for (const item of items) if (item.id === v.video_id) { item.completed = v.completed; item.position_s = v.position_s; }
    if (v.completed) {
      for (const check of document.querySelectorAll(`.nav-video[data-video-id="${v.video_id}"] .check`)) {
        check.classList.add("done"); check.textContent = "✓"; check.setAttribute("aria-label", "Completed");
      }
    }
    if (data.course) showCourse(data.course);
    showButtons();
    countModules();
  }

  function showCourse(c) {
    const bar = document.getElementById("course-bar");
    bar.setAttribute("aria-valuenow", c.percent);
    bar.querySelector(".bar").style.width = `${c.percent}%`;
    document.getElementById("progress-percent").textContent = `${c.percent}%`;
    document.getElementById("progress-count").textContent = `${c.completed} of ${c.total}`;
    document.getElementById("progress-time").textContent = human(c.time_spent_s);
    if (c.total && c.completed === c.total) note("You have finished this course. Well done!");
  }

  function countModules() {
    for (const mod of document.querySelectorAll(".nav-module")) {
      const links = [...mod.querySelectorAll(".nav-video")];
      const done = links.filter((a) => a.querySelector(".check.done")).length;
      mod.querySelector(".nav-module-count").textContent = `${done}/${links.length}`;
    }
    const done = new Set(items.filter((i) => i.completed).map((i) => i.id)).size;
    document.getElementById("nav-count").textContent = `· ${done} of ${new Set(items.map((i) => i.id)).size} done`;
  }

  function showButtons() {
    const mark = document.getElementById("mark-complete");
    mark.textContent = current.completed ? "✓ Completed" : "Mark complete";
    mark.classList.toggle("done", !!current.completed);
    mark.setAttribute("aria-pressed", current.completed ? "true" : "false");
    const next = document.getElementById("next-video");
    next.disabled = index >= items.length - 1;
    next.textContent = next.disabled ? "Last video" : "Next video →";
  }

  /* -- moving through the course without leaving the page ------------------------------------------ */
  const resumeAt = (v) => ChronosWatching.resumeAt(v.position_s, v.duration_s);

  function startAt(seconds, autoplay) {
    const begin = () => {
      if (seconds > 0) player.currentTime = seconds;
      watching.restart(seconds);
      if (autoplay) player.play().catch(() => {});
    };
    if (player.readyState >= 1) begin(); else player.addEventListener("loadedmetadata", begin, { once: true });
  }

  function show() {
    document.getElementById("now-title").textContent = current.title;
    document.getElementById("now-module").textContent = current.module_title;
    document.title = `${current.title} · Chronos`;
    for (const a of document.querySelectorAll(".nav-video")) {
      const here = Number(a.dataset.videoId) === current.id && Number(a.dataset.moduleId) === current.module_id;
      if (here) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
    }
    showButtons();
  }

  function go(i, { autoplay = false, at = null, push = true } = {}) {
    flush();
    index = i;
    current = items[i];
    watching.reset();
    player.querySelectorAll("track").forEach((t) => t.remove());
    player.append(el("track", { kind: "captions", srclang: current.language, label: `Transcript (${current.language_name})`,
                                src: `/videos/${current.id}/transcript.vtt` }));
    if (current.poster) player.poster = current.poster; else player.removeAttribute("poster");
    player.src = `/media/videos/${current.id}`;
    startAt(at !== null ? at : resumeAt(current), autoplay);
    if (chat) chat.opts.videoId = current.id;
    chapters.load(current.id);
    if (push) history.pushState({ index: i }, "", `/learn/${state.course_id}/watch/${current.id}?module=${current.module_id}`);
    show();
  }

  window.addEventListener("popstate", (e) => { if (e.state && Number.isInteger(e.state.index)) go(e.state.index, { push: false }); });
  history.replaceState({ index }, "", location.href);

  document.getElementById("course-nav").addEventListener("click", (e) => {
    const a = e.target.closest(".nav-video");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    const i = items.findIndex((x) => x.id === Number(a.dataset.videoId) && x.module_id === Number(a.dataset.moduleId));
    if (i >= 0 && i !== index) go(i, { autoplay: true });
  });
  document.getElementById("next-video").addEventListener("click", () => { if (index < items.length - 1) go(index + 1, { autoplay: true }); });
  document.getElementById("mark-complete").addEventListener("click", async () => {
    if (state.preview) { note("Preview: marking is not recorded for the owner."); return; }
    if (current.completed) return;
    flush();
    const data = await post("/api/progress/complete", { video_id: current.id, course_id: state.course_id, module_id: current.module_id });
    if (data) apply(data); else note("Could not save that. Check your connection and try again.");
  });

  const auto = document.getElementById("auto-advance");
  auto.checked = localStorage.getItem("chronos.autoAdvance") === "1";
  auto.addEventListener("change", () => localStorage.setItem("chronos.autoAdvance", auto.checked ? "1" : "0"));

  /* -- the chat, scoped to the course, knowing the moment ------------------------------------------- */
  chat = new ChronosChat.Chat(document.getElementById("chat"), { player, videoId: current.id, courseId: state.course_id,
    recent: `course_id=${state.course_id}`,  // this course's recent questions, again after a reload
    emptyText: "Ask about this course. Tick “this moment” to ask about what is playing now." });
  // A cited moment in this course plays here instead of leaving the course.
  document.getElementById("chat").addEventListener("click", (e) => {
    const card = e.target.closest("a.cite");
    if (!card) return;
    const i = items.findIndex((x) => x.id === Number(card.dataset.video));
    if (i < 0) return;
    e.preventDefault();
    e.stopPropagation();
    const at = Number(card.dataset.start);
    if (items[i].id === current.id) { player.currentTime = at; player.play().catch(() => {}); } else go(i, { autoplay: true, at });
  }, true);

  if (window.matchMedia("(max-width: 760px)").matches) document.getElementById("course-nav").open = false;
  const t = Number(new URLSearchParams(location.search).get("t"));
  startAt(t > 0 ? t : resumeAt(current), false);
  chapters.load(current.id);
  show();
  countModules();
})();
