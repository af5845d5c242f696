// dms-console: the little behaviour pages need beyond htmx. No inline script, no eval.
// Everything here is an enhancement: without JavaScript, forms post and links navigate.
(function () {
  "use strict";

  var BROWSER_ZONE_COOKIE = "dms-console-browser-tz";

  // Tell the server the browser's time zone, so pages show times in it (unless UTC is chosen).
  function reportZone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
    var current = document.cookie.split("; ").find(function (c) { return c.indexOf(BROWSER_ZONE_COOKIE + "=") === 0; });
    if (current === BROWSER_ZONE_COOKIE + "=" + zone) return;
    var secure = location.protocol === "https:" ? "; secure" : "";
    document.cookie = BROWSER_ZONE_COOKIE + "=" + zone + "; path=/; max-age=31536000; samesite=lax" + secure;
  }

  // Storage bars take their width from data-percent (CSP forbids inline styles).
  function sizeBars(root) {
    root.querySelectorAll(".bar-fill[data-percent]").forEach(function (el) {
      var p = Math.max(0, Math.min(100, parseInt(el.dataset.percent, 10) || 0));
      el.style.width = p + "%";
      if (p >= 85) el.classList.add("bar-high");
    });
  }

  // A typed confirmation enables its form's submit button only once the text matches.
  function armConfirmations(root) {
    root.querySelectorAll("input[data-confirm]").forEach(function (input) {
      if (input.dataset.armed) return;
      input.dataset.armed = "1";
      var form = input.form;
      var button = form && form.querySelector("button[type=submit]");
      if (!button) return;
      var check = function () { button.disabled = input.value.trim() !== input.dataset.confirm; };
      input.addEventListener("input", check);
      check();
    });
  }

  // A "select all" checkbox (data-select-all="name") checks every box of that name in its form.
  function armSelectAll(root) {
    root.querySelectorAll("input[type=checkbox][data-select-all]").forEach(function (all) {
      if (all.dataset.armed) return;
      all.dataset.armed = "1";
      var boxes = function () {
        return all.form ? all.form.querySelectorAll("input[type=checkbox][name='" + all.dataset.selectAll + "']") : [];
      };
      all.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = all.checked; });
      });
    });
  }

  function enhance(root) {
    sizeBars(root);
    armConfirmations(root);
    armSelectAll(root);
  }

  function copy(button) {
    var text = button.dataset.copy;
    var label = button.textContent;
    var done = function () {
      button.textContent = button.dataset.copied || label;
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    var failed = function () { button.textContent = button.dataset.copyFailed || label; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, failed);
    } else {
      var area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); done(); } catch (e) { failed(); }
      area.remove();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy[data-copy]");
    if (button) { copy(button); return; }
    var close = event.target.closest(".toast-close");
    if (close) { close.closest(".toast").remove(); return; }
    if (event.target.closest("#shortcuts-open")) { openShortcuts(); }
  });

  // Preferences apply as soon as they are chosen (the Apply button is for pages without script).
  document.addEventListener("change", function (event) {
    var select = event.target.closest("#preferences-form select");
    if (select && select.form.requestSubmit) select.form.requestSubmit();
  });

  function openShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open && dialog.showModal) dialog.showModal();
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // Keyboard shortcuts: ? help, / filter, g i|t|g|m|d to go somewhere, Esc closes.
  var pendingG = 0;
  var GO = { i: "", t: "/topics", g: "/groups", m: "/messages", d: "/dlq" };
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details[open]").forEach(function (d) { d.removeAttribute("open"); });
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    if (pendingG && Date.now() - pendingG < 1500 && Object.prototype.hasOwnProperty.call(GO, event.key)) {
      pendingG = 0;
      event.preventDefault();
      if (event.key === "i") { location.href = "/instances"; return; }
      var base = document.body.dataset.instance;
      if (base) location.href = base + GO[event.key];
      return;
    }
    pendingG = 0;
    if (event.key === "g") { pendingG = Date.now(); return; }
    if (event.key === "?") { event.preventDefault(); openShortcuts(); return; }
    if (event.key === "/") {
      var filter = document.querySelector("[data-filter]") || document.querySelector("main input[type=search]");
      if (filter) { event.preventDefault(); filter.focus(); filter.select && filter.select(); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () { reportZone(); enhance(document); });
  // New content is enhanced as soon as htmx has processed it (before it settles).
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
  // Toasts fade after a while; errors stay until dismissed.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id !== "toasts") return;
    event.target.querySelectorAll(".toast:not(.toast-error)").forEach(function (t) {
      setTimeout(function () { t.remove(); }, 6000);
    });
  });
})();
