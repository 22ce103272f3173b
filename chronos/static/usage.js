// Usage page: bars grow to their share and counters count up to the real figure.
(function () {
  "use strict";
  var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var duration = reduce ? 0 : 900;
  document.querySelectorAll(".counter").forEach(function (el) {
    var target = Number(el.dataset.target) || 0, bytes = el.dataset.bytes === "1";
    var show = function (v) { el.textContent = bytes ? Chronos.bytes(Math.round(v)) : String(Math.round(v)); };
    if (!duration) { show(target); el.dataset.done = "1"; return; }
    var start = null;
    show(0);
    function step(t) {
      if (start === null) start = t;
      var k = Math.min(1, (t - start) / duration), eased = 1 - Math.pow(1 - k, 3);
      show(target * eased);
      if (k < 1) requestAnimationFrame(step); else { show(target); el.dataset.done = "1"; }
    }
    requestAnimationFrame(step);
  });
  requestAnimationFrame(function () { document.getElementById("meters").classList.add("grown"); });
  var copy = document.getElementById("copy-snippet");
  if (copy) copy.addEventListener("click", function () {
    var text = document.getElementById("raise-snippet").textContent;
    var done = function () { copy.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, function () {});
    else {  // http on a LAN address: no clipboard API, select the text for Ctrl+C instead
      var range = document.createRange();
      range.selectNodeContents(document.getElementById("raise-snippet"));
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      copy.textContent = "Selected: press Ctrl+C";
    }
  });
})();
