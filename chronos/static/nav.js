/* The owner's navigation on a phone: folded behind the Menu button, opened and closed by it. */
"use strict";
(() => {
  const toggle = document.getElementById("nav-toggle");
  if (!toggle) return;
  const bar = toggle.closest(".topbar");
  toggle.addEventListener("click", () => {
    const open = bar.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
