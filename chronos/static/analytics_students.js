/* The student leaderboard: sortable columns (click or Enter), pages of 25, the range in ?range=. */
"use strict";
(() => {
  const { el, clock } = Chronos;
  const PAGE = 25;
  const root = document.getElementById("board-page");
  const params = new URLSearchParams(location.search);
  const state = { range: root.dataset.range, sort: params.get("sort") || "videos",
                  order: params.get("order") === "asc" ? "asc" : "desc", offset: 0, total: 0 };
  if (!["videos", "questions", "courses"].includes(state.sort)) state.sort = "videos";

  const when = (iso) => (iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "–");

  function refresh() {
    const q = new URLSearchParams({ sort: state.sort, order: state.order, range: state.range, limit: PAGE, offset: state.offset });
    return ChronosAnalytics.guarded(async () => render(await Chronos.api("GET", `/api/analytics/students?${q}`)));
  }

  function render(data) {
    state.total = data.total;
    document.getElementById("board-empty").hidden = data.total > 0;
    document.getElementById("board").closest(".table-wrap").hidden = data.total === 0;
    document.getElementById("board-rows").replaceChildren(...data.students.map((s, i) => el("tr", { "data-student-id": s.id },
      el("td", { class: "muted", text: String(state.offset + i + 1) }),
      el("td", {}, el("a", { href: `/analytics/students/${s.id}`, text: s.name || s.email || `Student ${s.id}` }),
        s.email && s.name ? el("div", { class: "muted small", text: s.email }) : null),
      el("td", { class: "num", "data-col": "videos", text: String(s.videos_watched) }),
      el("td", { class: "num", "data-col": "questions", text: String(s.questions) }),
      el("td", { class: "num", "data-col": "courses", text: String(s.courses_completed) }),
      el("td", { class: "num", text: clock(s.watch_s) }),
      el("td", { text: when(s.last_active_at) }))));
    for (const th of document.querySelectorAll("th[data-sort]")) {
      const on = th.dataset.sort === state.sort;
      if (on) th.setAttribute("aria-sort", state.order === "desc" ? "descending" : "ascending"); else th.removeAttribute("aria-sort");
      th.querySelector(".arrow").textContent = on ? (state.order === "desc" ? "▼" : "▲") : "";
    }
    const last = Math.min(state.offset + PAGE, data.total);
    document.getElementById("page-note").textContent = data.total ? `${state.offset + 1}–${last} of ${data.total}` : "";
    document.getElementById("prev").disabled = state.offset === 0;
    document.getElementById("next").disabled = last >= data.total;
    document.getElementById("pager").hidden = data.total <= PAGE;
  }

  function keepInUrl() {
    const url = new URL(location.href);
    url.searchParams.set("range", state.range);
    url.searchParams.set("sort", state.sort);
    url.searchParams.set("order", state.order);
    history.replaceState(null, "", url);
    document.getElementById("to-overview").href = `/analytics?range=${state.range}`;
  }

  document.querySelector("#board thead").addEventListener("click", (e) => {
    const th = e.target.closest("th[data-sort]");
    if (!th) return;
    if (th.dataset.sort === state.sort) state.order = state.order === "desc" ? "asc" : "desc";
    else { state.sort = th.dataset.sort; state.order = "desc"; }
    state.offset = 0;
    keepInUrl();
    refresh();
  });
  document.getElementById("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); refresh(); });
  document.getElementById("next").addEventListener("click", () => { state.offset += PAGE; refresh(); });

  function setRange(key) {
    state.range = key;
    state.offset = 0;
    markRange(key);
    keepInUrl();
    refresh();
  }
  const markRange = ChronosAnalytics.rangeFilter(setRange);
  ChronosAnalytics.liveRefresh(refresh);
  refresh();
})();
