/* What every page does, loaded by base.html before the page's own scripts. The
   Content-Security-Policy (script-src 'self', style-src 'self') refuses style="" attributes and
   inline handlers such as onchange="", so templates say these with data attributes instead:
   data-width="40" (a bar 40 % wide), data-pct="40" (the --pct a stylesheet uses), and
   data-submit-on-change (a control that submits its form when changed). */
(() => {
  for (const node of document.querySelectorAll("[data-width]")) node.style.width = `${node.dataset.width}%`;
  for (const node of document.querySelectorAll("[data-pct]")) node.style.setProperty("--pct", `${node.dataset.pct}%`);
  document.addEventListener("change", (e) => {
    const control = e.target.closest("[data-submit-on-change]");
    if (control && control.form) control.form.submit();
  });
})();
