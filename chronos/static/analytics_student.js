/* One student's page: course progress bars and the activity timeline, newest first. */
"use strict";
(() => {
  const { el, clock } = Chronos;
  const id = document.getElementById("student-page").dataset.studentId;
  const when = (iso) => (iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "never");

  function link(item) {
    if (item.video_id === null || item.video_id === undefined) return null;
    const t = item.at_s !== null && item.at_s !== undefined ? `?t=${Math.floor(item.at_s)}` : "";
    return el("a", { class: "small", href: `/videos/${item.video_id}${t}`, text: t ? `▶ ${clock(item.at_s)}` : "▶ open" });
  }

  function refresh() {
    return ChronosAnalytics.guarded(async () => render(await Chronos.api("GET", `/api/analytics/students/${id}`)));
  }

  function render(d) {
    const s = d.student;
    document.getElementById("student-dates").textContent = `Joined ${when(s.joined_at)} · last active ${when(s.last_active_at)}`;
    document.getElementById("empty-progress").hidden = d.courses.length > 0;
    document.getElementById("course-progress").replaceChildren(...d.courses.map((c) => {
      const pct = Math.max(0, Math.min(100, Math.round(c.percent)));
      const fill = el("div", { class: "bar" });
      fill.style.width = `${pct}%`;
      return el("li", { "data-course-id": c.course_id },
        el("div", { class: "row" }, el("strong", { text: c.title }),
          el("span", { class: c.completed ? "badge status-completed" : "muted small", text: c.completed ? "Completed" : `${pct} %` })),
        el("div", { class: "progress", role: "progressbar", "aria-label": c.title, "aria-valuemin": 0,
                    "aria-valuemax": 100, "aria-valuenow": pct }, fill));
    }));
    const quiz = d.quiz || { answered: 0, videos: [] };
    document.getElementById("quiz-score").textContent = quiz.answered
      ? `${quiz.percent} % right at first try · ${quiz.correct} of ${quiz.answered} questions`
      : "No quiz checkpoint answered yet.";
    document.getElementById("quiz-videos").replaceChildren(...quiz.videos.map((v) => el("li", { "data-video-id": v.video_id },
      el("div", { class: "row" }, el("a", { href: `/videos/${v.video_id}`, text: v.title }),
        el("span", { class: "muted small", text: `${v.percent} % · ${v.correct} of ${v.answered}` })))));
    document.getElementById("empty-timeline").hidden = d.timeline.length > 0;
    document.getElementById("timeline").replaceChildren(...d.timeline.map((t) => el("li", { "data-kind": t.kind },
      el("time", { datetime: t.at, text: when(t.at) }),
      el("span", { text: t.text }), link(t))));
  }

  ChronosAnalytics.liveRefresh(refresh);
  refresh();
})();
