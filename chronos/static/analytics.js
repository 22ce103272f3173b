/* The analytics overview: headline numbers, every chart, the confusion map and the CSV export.
   One range filter (kept in ?range=) refetches everything; live events refetch it too. */
"use strict";
(() => {
  const { draw, horizontal, dateAxis, allZero, minutes, BRAND, SOFT, ORANGE, GREEN, PALETTE } = ChronosCharts;
  const root = document.getElementById("analytics");
  let range = root.dataset.range;
  let overview = null, activePer = "daily", videoPicked = null;

  const STEP_LABELS = { joined: "Joined", first_video: "Watched a video", first_question: "Asked a question",
                        first_course_completed: "Completed a course" };

  function refresh() {
    return ChronosAnalytics.guarded(async () => {
      overview = await Chronos.api("GET", `/api/analytics/overview?range=${range}`, undefined,
                                   { failure: (status) => `Analytics could not be loaded (${status}).` });
      render(overview);
    });
  }

  function render(d) {
    const r = d.range;
    document.getElementById("range-note").textContent = r.key === "all"
      ? `All time, up to ${r.to} (${r.timezone}).`
      : `${r.from} to ${r.to} (${r.timezone}), compared with ${r.previous_from} to ${r.previous_to}.`;
    headline(d.headline, r.key);
    exportDates(r);
    const h = d.headline;
    document.getElementById("welcome").hidden = Boolean(
      h.students.value || h.videos.value || h.messages.value || d.views_over_time.some((v) => v.views));
    charts(d);
    retention(d.retention);
    attention(d.needs_attention);
    unhelpful(d.unhelpful);
    confusionPicker(d);
  }

  function headline(h, key) {
    for (const [name, m] of Object.entries(h)) {
      const card = document.querySelector(`.h-card[data-metric="${name}"]`);
      if (!card) continue;
      const value = name === "helpful" ? (m.value === null ? "–" : `${Number(m.value).toFixed(1)} %`)
        : name === "engagement" ? Number(m.value).toFixed(1) : String(m.value);
      card.querySelector("[data-value]").textContent = value;
      const change = card.querySelector("[data-change]");
      change.className = "h-change";
      if (key === "all") {
        change.textContent = "All time";
        change.classList.add("muted");
      } else if (m.change_pct === null || m.change_pct === undefined) {
        change.textContent = m.value ? "New: none in the previous period" : "No change";
        change.classList.add("muted");
      } else {
        const up = m.change_pct > 0, flat = m.change_pct === 0;
        change.textContent = `${flat ? "■" : up ? "▲" : "▼"} ${Math.abs(m.change_pct).toFixed(1)} % vs previous (${m.previous})`;
        change.classList.add(flat ? "flat" : up ? "up" : "down");
      }
      if (name === "helpful") {  // students' thumbs up over all their ratings; compared only when both periods have some
        const of = `${m.helpful} of ${m.rated} rating${m.rated === 1 ? "" : "s"}`;
        if (!m.rated) { change.textContent = "No answer rated in this range"; change.className = "h-change muted"; }
        else if (m.change_pct === null || m.change_pct === undefined) { change.textContent = of; change.className = "h-change muted"; }
        else change.textContent = `${of} · ${change.textContent}`;
      }
      if (name === "engagement" && m.formula) {
        document.getElementById("formula").textContent = m.formula;
        const trigger = document.getElementById("formula-trigger");
        trigger.setAttribute("aria-label", `Engagement formula: ${m.formula}`);
        trigger.title = m.formula;
      }
    }
  }

  function charts(d) {
    const days = d.views_over_time;
    draw("views", {
      type: "line", labels: days.map((v) => v.date), empty: allZero(days.map((v) => v.views)),
      datasets: [
        { label: "Views", data: days.map((v) => v.views), borderColor: BRAND, backgroundColor: SOFT, fill: true, yAxisID: "y" },
        { label: "Watch time (min)", data: days.map((v) => minutes(v.watch_s)), borderColor: ORANGE, backgroundColor: ORANGE, yAxisID: "y1" },
      ],
      options: { scales: { x: dateAxis, y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Views" } },
                           y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "Minutes" } } } },
    });
    draw("top-videos", {
      type: "bar", labels: d.top_videos.map((v) => v.title), empty: !d.top_videos.length,
      datasets: [{ label: "Views", data: d.top_videos.map((v) => v.views), backgroundColor: BRAND }],
      options: horizontal(),
    });
    draw("watch-time", {
      type: "bar", labels: d.watch_time.map((b) => b.label), empty: allZero(d.watch_time.map((b) => b.students)),
      datasets: [{ label: "Students", data: d.watch_time.map((b) => b.students), backgroundColor: GREEN }],
    });
    const act = d.active_students[activePer];
    draw("active", {
      type: activePer === "daily" ? "line" : "bar", labels: act.map((a) => a.period), empty: allZero(act.map((a) => a.students)),
      datasets: [{ label: "Active students", data: act.map((a) => a.students), borderColor: BRAND, backgroundColor: activePer === "daily" ? SOFT : BRAND, fill: true }],
      options: { scales: { x: dateAxis, y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    draw("journey", {
      type: "bar", labels: d.journey.map((s) => STEP_LABELS[s.step] || s.step), empty: !d.journey.length || !d.journey[0].students,
      datasets: [{ label: "Students", data: d.journey.map((s) => s.students), backgroundColor: PALETTE.slice(0, d.journey.length) }],
      options: horizontal({ plugins: { legend: { display: false }, tooltip: { callbacks: { afterLabel: (c) => {
        const first = d.journey[0].students;
        return first ? `${Math.round((100 * c.raw) / first)} % of those who joined` : "";
      } } } } }),
    });
    draw("messages-day", {
      type: "bar", labels: d.messages_per_day.map((m) => m.date), empty: allZero(d.messages_per_day.map((m) => m.messages)),
      datasets: [{ label: "Questions", data: d.messages_per_day.map((m) => m.messages), backgroundColor: BRAND }],
      options: { scales: { x: dateAxis, y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    draw("messages-hour", {
      type: "bar", labels: d.messages_by_hour.map((_, i) => `${String(i).padStart(2, "0")}:00`), empty: allZero(d.messages_by_hour),
      datasets: [{ label: `Questions (${d.range.timezone})`, data: d.messages_by_hour, backgroundColor: ORANGE }],
    });
    draw("top-questions", {
      type: "bar", labels: d.top_videos_by_questions.map((v) => v.title), empty: !d.top_videos_by_questions.length,
      datasets: [{ label: "Questions", data: d.top_videos_by_questions.map((v) => v.questions), backgroundColor: ORANGE }],
      options: horizontal(),
    });
    courses(d.courses);
  }

  function courses(list) {
    const pick = document.getElementById("course-pick");
    const chosen = pick.value;
    pick.replaceChildren(...list.map((c) => new Option(c.title, c.course_id)));
    pick.hidden = list.length < 2;
    if (list.some((c) => String(c.course_id) === chosen)) pick.value = chosen;
    const c = list.find((x) => String(x.course_id) === pick.value) || list[0];
    const steps = c ? [c.enrolled, c.started, c.half, c.completed] : [];
    draw("course-funnel", {
      type: "bar", labels: ["Enrolled", "Started", "Halfway", "Completed"], empty: !c || !c.enrolled,
      datasets: [{ label: c ? c.title : "Students", data: steps, backgroundColor: [BRAND, "#7c6ff3", ORANGE, GREEN] }],
      options: { plugins: { legend: { display: false } } },
    });
    const mods = c ? [...c.modules].sort((a, b) => a.position - b.position) : [];
    draw("modules", {
      type: "bar", labels: mods.map((m) => m.title), empty: !mods.length || allZero(mods.map((m) => m.started)),
      datasets: [
        { label: "Started", data: mods.map((m) => m.started), backgroundColor: SOFT, borderColor: BRAND, borderWidth: 1 },
        { label: "Completed", data: mods.map((m) => m.completed), backgroundColor: GREEN },
      ],
    });
  }

  function retention(cohorts) {
    const table = document.getElementById("retention");
    document.getElementById("empty-retention").hidden = cohorts.length > 0;
    table.hidden = !cohorts.length;
    if (!cohorts.length) { table.replaceChildren(); return; }
    const el = Chronos.el, n = cohorts[0].days.length;
    const head = el("tr", {}, el("th", { scope: "col", text: "Joined" }), el("th", { scope: "col", text: "Students" }),
      ...Array.from({ length: n }, (_, i) => el("th", { scope: "col", text: `D${i}` })));
    const rows = cohorts.map((c) => el("tr", {}, el("th", { scope: "row", text: c.cohort }), el("td", { text: String(c.size) }),
      ...c.days.map((p, i) => {
        const cell = el("td", { class: p === null ? "heat-cell future" : "heat-cell",
                                title: p === null ? `Day ${i}: not reached yet` : `Day ${i}: ${p.toFixed(0)} % of ${c.size}`,
                                text: p === null ? "" : p.toFixed(0) });
        if (p !== null) cell.style.setProperty("--heat", (p / 100).toFixed(2));
        return cell;
      })));
    table.replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  }

  function attention(items) {
    const list = document.getElementById("attention");
    document.getElementById("empty-attention").hidden = items.length > 0;
    list.replaceChildren(...items.map((v) => Chronos.el("li", {},
      Chronos.el("button", { type: "button", class: "link attention-video", "data-video-id": v.video_id,
                             text: v.title, onclick: () => pickVideo(v.video_id, true) }),
      Chronos.el("span", { class: "muted small", text: ` ${v.reason}` }),
      v.peak_s !== null && v.peak_s !== undefined
        ? Chronos.el("a", { class: "small peak", href: `/videos/${v.video_id}?t=${Math.floor(v.peak_s)}`,
                            text: `▶ ${Chronos.clock(v.peak_s)}` }) : null)));
  }

  /* Thumbs down: the question, the answer, who said what was wrong, and a link to each cited moment. */
  function unhelpful(items) {
    const { el, clock } = Chronos;
    document.getElementById("empty-unhelpful").hidden = items.length > 0;
    document.getElementById("unhelpful").replaceChildren(...items.map((u) => el("li", { "data-message-id": u.message_id },
      el("p", { class: "u-question" }, el("strong", { text: "Q: " }), u.question || "(question deleted)"),
      el("details", {}, el("summary", { class: "small", text: "The answer" }), el("p", { class: "u-answer small", text: u.answer })),
      el("p", { class: "small" }, el("span", { class: "badge u-reason", text: u.reason_label }),
        ` ${u.rater} · ${u.date}`, u.comment ? el("span", { class: "u-comment", text: ` “${u.comment}”` }) : null),
      u.citations.length ? el("p", { class: "small u-cites" }, "Cited: ", ...u.citations.map((c) =>
        el("a", { href: c.url, class: "u-cite", text: `▶ ${c.title} at ${clock(c.start_s)}` }))) : el("p", { class: "small muted", text: "It cited no moment." }))));
  }

  let allVideos = null;
  async function confusionPicker(d) {
    const pick = document.getElementById("video-pick");
    if (allVideos === null) {
      allVideos = await Chronos.api("GET", "/api/videos").catch(() => []);
      pick.replaceChildren(...allVideos.map((v) => new Option(v.title, v.id)));
    }
    const box = document.getElementById("confusion");
    if (!allVideos.length) {
      pick.hidden = true;
      box.replaceChildren(Chronos.el("p", { class: "empty-note muted",
        text: "Upload a video to see where students get confused in it." }));
      return;
    }
    const suggested = (d.needs_attention[0] || d.top_videos_by_questions[0] || d.top_videos[0] || allVideos[0]);
    pickVideo(videoPicked || suggested.video_id || suggested.id, false);
  }

  function pickVideo(id, scroll) {
    videoPicked = Number(id);
    const pick = document.getElementById("video-pick");
    pick.value = String(videoPicked);
    const box = document.getElementById("confusion");
    ChronosConfusion.load(box, videoPicked, range);
    if (scroll) document.getElementById("card-confusion").scrollIntoView({ behavior: "smooth", block: "start" });
  }
  document.getElementById("video-pick").addEventListener("change", (e) => pickVideo(e.target.value, false));
  document.getElementById("course-pick").addEventListener("change", () => overview && courses(overview.courses));
  document.getElementById("active-per").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-per]");
    if (!b) return;
    activePer = b.dataset.per;
    for (const x of e.currentTarget.querySelectorAll("button")) x.setAttribute("aria-pressed", String(x === b));
    if (overview) charts(overview);
  });

  /* The range filter: links that also work without JS; here they refetch in place. */
  function setRange(key) {
    if (key === range) return;
    range = key;
    markRange(key);
    const url = new URL(location.href);
    url.searchParams.set("range", key);
    history.replaceState(null, "", url);
    document.getElementById("to-students").href = `/analytics/students?range=${key}`;
    refresh();
  }
  const markRange = ChronosAnalytics.rangeFilter(setRange, (e) => {
    if (e.key === "s") location.href = document.getElementById("to-students").href;
  });

  /* CSV export: check the dates here so a mistake gets a message, not a download of an error. */
  const form = document.getElementById("export");
  let datesTouched = false;
  form.addEventListener("input", (e) => { if (e.target.type === "date") datesTouched = true; });
  /* The export's dates follow the range filter until the creator picks their own. */
  function exportDates(r) {
    if (datesTouched) return;
    form.elements.from.value = r.from;
    form.elements.to.value = r.to;
  }
  form.addEventListener("submit", (e) => {
    const err = document.getElementById("export-error");
    const from = form.elements.from.value, to = form.elements.to.value;
    err.hidden = true;
    if (!from || !to || from > to) {
      e.preventDefault();
      err.textContent = !from || !to ? "Choose both dates." : "The start date must be on or before the end date.";
      err.hidden = false;
    }
  });

  /* Live: any analytics event for this creator refetches, at most about once a second. */
  ChronosAnalytics.liveRefresh(refresh);

  document.addEventListener("chronos:zone", refresh);  /* analytics_zone.js saved a new zone */
  refresh();
})();
