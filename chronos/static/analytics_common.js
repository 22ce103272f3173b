/* What the analytics pages share: loading with an error box, the range filter, live refetching. */
"use strict";
window.ChronosAnalytics = (() => {
  /** Run load(); on failure show its message in #load-error (hidden again after a success). */
  async function guarded(load) {
    const box = document.getElementById("load-error");
    try {
      await load();
      box.hidden = true;
    } catch (e) {
      box.textContent = `${e.message} Reload the page to try again.`;
      box.hidden = false;
    }
  }

  /** Wire #range-filter's links: a click or the key 1-4 calls choose(key); extraKey(e) sees other keys.
      Returns mark(key), which shows key as the current range. */
  function rangeFilter(choose, extraKey = () => {}) {
    const filter = document.getElementById("range-filter");
    const links = [...filter.querySelectorAll("[data-range]")];
    filter.addEventListener("click", (e) => {
      const a = e.target.closest("[data-range]");
      if (!a) return;
      e.preventDefault();
      choose(a.dataset.range);
    });
    document.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName)) return;
      const link = links[Number(e.key) - 1];
      if (link) choose(link.dataset.range);
      else extraKey(e);
    });
    return (key) => {
      for (const a of links) {
        if (a.dataset.range === key) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
      }
    };
  }

  /** Refetch (at most about once a second) whenever an analytics event arrives over /ws/live. */
  function liveRefresh(refresh) {
    let timer = null;
    Chronos.live((e) => {
      if (e.type !== "analytics" || timer) return;
      timer = setTimeout(() => { timer = null; refresh(); }, 1000);
    });
  }

  return { guarded, rangeFilter, liveRefresh };
})();
