// dms-console: the little behaviour pages need beyond htmx. No inline script, no eval.
(function () {
  "use strict";

  // Show <time datetime> values in the browser's time zone; the UTC text stays as the title.
  function localiseTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      if (el.dataset.localised) return;
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date.getTime())) return;
      el.textContent = date.toLocaleString(undefined, {
        year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short"
      });
      el.dataset.localised = "1";
    });
  }

  // Storage bars take their width from data-percent (CSP forbids inline styles).
  function sizeBars(root) {
    root.querySelectorAll(".bar-fill[data-percent]").forEach(function (el) {
      var p = Math.max(0, Math.min(100, parseInt(el.dataset.percent, 10) || 0));
      el.style.width = p + "%";
      if (p >= 85) el.classList.add("bar-high");
    });
  }

  function enhance(root) {
    localiseTimes(root);
    sizeBars(root);
  }

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("button.copy[data-copy]");
    if (copy) {
      var text = copy.dataset.copy;
      var done = function () { copy.textContent = "Copied"; setTimeout(function () { copy.textContent = "Copy"; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { copy.textContent = "Copy failed"; });
      } else {
        var area = document.createElement("textarea");
        area.value = text;
        document.body.appendChild(area);
        area.select();
        try { document.execCommand("copy"); done(); } catch (e) { copy.textContent = "Copy failed"; }
        area.remove();
      }
      return;
    }
    var close = event.target.closest(".toast-close");
    if (close) close.closest(".toast").remove();
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
  // Toasts fade after a while; errors stay until dismissed.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id !== "toasts") return;
    event.target.querySelectorAll(".toast:not(.toast-error)").forEach(function (t) {
      setTimeout(function () { t.remove(); }, 6000);
    });
  });
})();
