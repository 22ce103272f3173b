/* Chart.js wrappers for the dashboard: one chart per canvas, redrawn in place when data changes. */
"use strict";
const ChronosCharts = (() => {
  const BRAND = "#5b4cf0", SOFT = "rgba(91, 76, 240, .18)", ORANGE = "#f97316", GREEN = "#16a34a";
  const PALETTE = [BRAND, ORANGE, GREEN, "#0ea5e9", "#e11d48", "#a16207"];

  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.color = "#6b7280";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;
  Chart.defaults.datasets.bar.maxBarThickness = 40;
  Chart.defaults.datasets.line.cubicInterpolationMode = "monotone";  // smooth, never dipping below 0
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    Chart.defaults.animation = false;
  }

  /* Draw a chart on #chart-<id>, or update the existing one in place (no new canvas, no reload).
     Shows the card's empty note instead when `empty` is true. */
  function draw(id, { type, labels, datasets, options = {}, empty = false }) {
    const canvas = document.getElementById(`chart-${id}`);
    const note = document.getElementById(`empty-${id}`);
    if (note) note.hidden = !empty;
    canvas.parentElement.hidden = empty;
    const existing = Chart.getChart(canvas);
    if (existing && existing.config.type === type) {
      existing.data.labels = labels;
      datasets.forEach((d, i) => {
        if (existing.data.datasets[i]) Object.assign(existing.data.datasets[i], d);
        else existing.data.datasets.push(d);
      });
      existing.data.datasets.length = datasets.length;
      existing.update();
      return existing;
    }
    if (existing) existing.destroy();
    return new Chart(canvas, { type, data: { labels, datasets }, options: withDefaults(options) });
  }

  function withDefaults(options) {
    return {
      responsive: true,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom" }, tooltip: { enabled: true }, ...(options.plugins || {}) },
      scales: options.scales || { y: { beginAtZero: true, ticks: { precision: 0 } } },
      ...Object.fromEntries(Object.entries(options).filter(([k]) => !["plugins", "scales"].includes(k))),
    };
  }

  /* A horizontal bar chart's options (long titles on the y axis, counts on x). */
  const horizontal = (extra = {}) => ({
    indexAxis: "y",
    scales: { x: { beginAtZero: true, ticks: { precision: 0 } },
              y: { ticks: { callback(v) { const t = this.getLabelForValue(v); return t.length > 28 ? t.slice(0, 27) + "…" : t; } } } },
    ...extra,
  });

  /* An x axis of ISO dates shown as MM-DD, level, thinned to fit the width. */
  const dateAxis = { ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 8,
                              callback(v) { const t = this.getLabelForValue(v); return /^\d{4}-\d\d-\d\d$/.test(t) ? t.slice(5) : t; } } };

  const allZero = (values) => !values.length || values.every((v) => !v);
  const minutes = (s) => Math.round((s || 0) / 6) / 10;

  return { draw, horizontal, dateAxis, allZero, minutes, BRAND, SOFT, ORANGE, GREEN, PALETTE };
})();
