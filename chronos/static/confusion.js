/* The confusion map of one video: a strip along its timeline where students' questions point
   (purple, top), where quiz answers were wrong (red, between, once there are some) and where viewers
   stopped watching (orange, bottom), the most-asked moments with sample questions, and links that
   play each moment. Used on the dashboard and the video page. */
"use strict";
const ChronosConfusion = (() => {
  const { el, clock, api } = Chronos;
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

  /* Fetch /api/analytics/videos/<id>/confusion and draw it into `root`.
     opts.onSeek(seconds): play in place (the video page); otherwise links go to the video page. */
  let loads = 0;
  async function load(root, videoId, range, opts = {}) {
    const mine = String(++loads);
    root.dataset.load = mine;  /* the latest request for this root wins, whatever order answers come in */
    root.setAttribute("aria-busy", "true");
    try {
      const data = await api("GET", `/api/analytics/videos/${videoId}/confusion?range=${encodeURIComponent(range)}`,
                             undefined, { failure: (status) => `The confusion map could not be loaded (${status}).` });
      if (root.dataset.load === mine) render(root, data, opts);
    } catch (e) {
      if (root.dataset.load === mine) root.replaceChildren(el("p", { class: "error", role: "alert", text: e.message }));
    } finally {
      if (root.dataset.load === mine) root.removeAttribute("aria-busy");
    }
  }

  function render(root, data, opts = {}) {
    const href = (s) => `/videos/${data.video_id}?t=${Math.floor(s)}`;
    const bins = data.bins || [];
    const maxQ = Math.max(1, ...bins.map((b) => b.questions)), maxS = Math.max(1, ...bins.map((b) => b.stops));
    const hotQ = Math.max(0, ...bins.map((b) => b.questions));
    const maxW = Math.max(0, ...bins.map((b) => b.wrong_answers || 0));
    const strip = el("div", { class: "cf-strip", role: "group", "aria-label": `Timeline of ${data.title}` });
    const tip = el("div", { class: "cf-tip", role: "status", hidden: "" });
    for (const b of bins) {
      const wrong = b.wrong_answers || 0;
      const label = `${clock(b.start_s)}–${clock(b.end_s)}: ${plural(b.questions, "question", "questions")}, `
        + (maxW ? `${plural(wrong, "wrong quiz answer", "wrong quiz answers")}, ` : "")
        + `${plural(b.stops, "viewer", "viewers")} stopped here, ${plural(b.viewers, "viewer", "viewers")} watched`;
      const bin = el("a", { class: "cf-bin", href: href(b.start_s), tabindex: "-1", "aria-label": label,
                              "data-start": b.start_s, "data-questions": b.questions, "data-stops": b.stops,
                              "data-wrong": wrong },
        el("span", { class: "cf-q" }), maxW ? el("span", { class: "cf-w" }) : null, el("span", { class: "cf-s" }));
      bin.style.setProperty("--q", (b.questions / maxQ).toFixed(3));
      bin.style.setProperty("--s", (b.stops / maxS).toFixed(3));
      if (maxW) bin.style.setProperty("--w", (wrong / maxW).toFixed(3));
      bin.style.flexGrow = String(Math.max(0.0001, b.end_s - b.start_s));
      if (hotQ && b.questions === hotQ) bin.classList.add("hot");
      bin.addEventListener("mouseenter", () => { tip.textContent = label; tip.hidden = false; });
      bin.addEventListener("mouseleave", () => { tip.hidden = true; });
      strip.append(bin);
    }
    const duration = data.duration_s || (bins.length ? bins[bins.length - 1].end_s : 0);
    const now = el("span", { class: "cf-now", hidden: "" });
    strip.append(now);
    const axis = el("div", { class: "cf-axis", "aria-hidden": "true" },
      ...[0, 0.25, 0.5, 0.75, 1].map((k) => el("span", { text: clock(duration * k) })));
    const legend = el("p", { class: "cf-legend small muted" },
      el("span", { class: "cf-key" }, el("span", { class: "sw sw-q" }), "Questions point here"),
      maxW ? el("span", { class: "cf-key" }, el("span", { class: "sw sw-w" }), "Quiz answers wrong here") : null,
      el("span", { class: "cf-key" }, el("span", { class: "sw sw-s" }), "Viewers stopped here"));

    const quiet = !bins.some((b) => b.questions || b.stops || b.wrong_answers);
    const parts = [legend, strip, axis, tip];
    if (!bins.length) parts.splice(0, 3);
    if (quiet) {
      parts.push(el("p", { class: "empty-note muted", text: "No questions or drop-offs on this video in this range yet. "
        + "When students ask about a moment or stop watching, it lights up here." }));
    }
    const moments = data.moments || [];
    if (moments.length) {
      parts.push(el("h3", { text: "Most-asked moments" }));
      parts.push(el("ol", { class: "cf-moments" }, ...moments.map((m) => el("li", {},
        el("div", { class: "cf-moment-head" },
          el("a", { class: "cf-play", href: href(m.start_s), "data-start": m.start_s,
                      "aria-label": `Play ${clock(m.start_s)} to ${clock(m.end_s)}` }, `▶ ${clock(m.start_s)}–${clock(m.end_s)}`),
          el("span", { class: "muted small", text: plural(m.questions, "question", "questions") })),
        el("ul", { class: "cf-samples" }, ...(m.samples || []).map((q) => el("li", { text: `“${q}”` })))))));
    }
    root.replaceChildren(...parts);
    root.dataset.videoId = data.video_id;

    if (opts.onSeek) {
      root.addEventListener("click", (e) => {
        const a = e.target.closest("[data-start]");
        if (!a || !root.contains(a)) return;
        e.preventDefault();
        opts.onSeek(Number(a.dataset.start));
      });
    }
    if (opts.player && duration) {
      const move = () => {
        now.hidden = false;
        now.style.left = `${Math.min(100, (100 * opts.player.currentTime) / duration)}%`;
      };
      opts.player.addEventListener("timeupdate", move);
    }
  }

  return { load, render };
})();

/* On a video page the owner's strip plays moments in the player above it. */
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("video-confusion");
  const player = document.getElementById("player");
  if (!root || !player) return;
  const seek = (t) => {
    player.currentTime = t;
    player.play().catch(() => { /* autoplay may be blocked; the position is still set */ });
    player.scrollIntoView({ block: "nearest" });
  };
  ChronosConfusion.load(root, Number(root.dataset.videoId), root.dataset.range || "all", { onSeek: seek, player });
});
