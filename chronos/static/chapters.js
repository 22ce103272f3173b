/* A video's chapters beside its player: the list (the chapter playing is marked as it plays) and
   marks on a timeline under the video (native controls can't be marked); a click plays from there.
   The video page mounts it on #chapters[data-autoload]; the course player loads each video's. */
"use strict";
const ChronosChapters = (() => {
  const { el, clock } = Chronos;

  /* Show the chapters of the video `player` plays in `box` (an element holding an <ol>).
     Returns { load(videoId), show(data), data(), onShow(fn) }: onShow(fn) runs fn(data, view)
     after every render (the owner's editor adds its controls then). */
  function mount(player, box) {
    const list = box.querySelector("ol");
    // The marks repeat the list for the pointer; the list is the way by keyboard and screen reader.
    const timeline = el("div", { class: "chapter-timeline", "aria-hidden": "true", hidden: "" });
    const played = el("div", { class: "chapter-played", "aria-hidden": "true" });
    const marks = el("div", { class: "chapter-marks" });
    timeline.append(marks, played);
    player.after(timeline);
    let data = { chapters: [] }, videoId = null, loading = 0;
    const listeners = [];

    function duration() {
      const last = data.chapters[data.chapters.length - 1];
      return Number.isFinite(player.duration) && player.duration > 0 ? player.duration : (last ? last.end_s : 0);
    }
    function seek(chapter) {
      player.currentTime = chapter.start_s + 0.01;  // just inside it, so it shows as the chapter playing
      player.play().catch(() => { /* autoplay may be blocked; the position is still set */ });
    }
    const label = (c, n) => `Chapter ${c.index + 1} of ${n}: ${c.title}, from ${clock(c.start_s)}`;

    function show(next) {
      data = next;
      const n = data.chapters.length;
      box.hidden = timeline.hidden = n === 0;
      list.replaceChildren(...data.chapters.map((c) => el("li", { "data-index": c.index },
        el("button", { type: "button", class: "chapter-go", "aria-label": label(c, n), onclick: () => seek(c) },
          el("time", { text: clock(c.start_s) }), el("span", { class: "chapter-title", text: c.title })))));
      const total = duration() || 1;
      marks.replaceChildren(...data.chapters.map((c) => el("button", {
        type: "button", class: "chapter-mark", "data-index": c.index, title: `${clock(c.start_s)} ${c.title}`,
        tabindex: "-1", onclick: () => seek(c),
        style: `left: ${(100 * c.start_s) / total}%; width: ${(100 * (c.end_s - c.start_s)) / total}%`,
      })));
      let vtt = box.querySelector(".chapter-vtt");
      if (!vtt) { vtt = el("a", { class: "chapter-vtt small", download: "", text: "Chapters as WebVTT" }); box.append(vtt); }
      vtt.href = data.vtt_url || "#";
      follow();
      for (const fn of listeners) fn(data, view);
    }

    /* The chapter playing now: marked in the list and on the timeline, the timeline filled to here. */
    function follow() {
      const t = player.currentTime;
      const here = data.chapters.findIndex((c, i) => t >= c.start_s && (t < c.end_s || i === data.chapters.length - 1));
      for (const li of list.children) {
        const on = Number(li.dataset.index) === here;
        li.classList.toggle("current", on);
        if (on) li.querySelector(".chapter-go").setAttribute("aria-current", "true");
        else li.querySelector(".chapter-go").removeAttribute("aria-current");
      }
      for (const m of marks.children) m.classList.toggle("current", Number(m.dataset.index) === here);
      played.style.width = `${Math.min(100, (100 * t) / (duration() || 1))}%`;
    }
    for (const type of ["timeupdate", "seeked", "loadedmetadata"]) player.addEventListener(type, follow);
    player.addEventListener("loadedmetadata", () => { if (data.chapters.length) show(data); });

    async function load(id) {
      if (id !== videoId) show({ chapters: [] });  // another video: its chapters, not the last one's
      videoId = id;
      const mine = ++loading;
      try {
        const next = await Chronos.api("GET", `/api/videos/${id}/chapters`);
        if (mine === loading) show(next);  // a later video's chapters may have been asked for meanwhile
      } catch (e) { /* no chapters shown: the video plays as before */ }
    }

    const view = { load, show, seek, player, box, timeline, data: () => data, videoId: () => videoId,
                   onShow(fn) { listeners.push(fn); } };
    return view;
  }

  let page = null;
  const box = document.querySelector("#chapters[data-autoload]");
  const player = document.getElementById("player");
  if (box && player) {
    page = mount(player, box);
    page.load(Number(box.dataset.videoId));
  }
  return { mount, page: () => page };
})();
