// Amity's page behaviour. No inline handlers anywhere (strict CSP): everything is wired here.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function isTyping(target) {
    if (!(target instanceof Element)) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable='true'], [contenteditable='']"));
  }

  // The Menu button shows and hides the sidebar on narrow screens.
  function setSidebar(open) {
    var toggle = document.querySelector(".menu-toggle");
    var sidebar = document.getElementById("sidebar");
    if (!toggle || !sidebar) return;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    sidebar.classList.toggle("open", open);
    if (open) {
      var first = sidebar.querySelector("a");
      if (first) first.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var toggle = target.closest(".menu-toggle");
    if (toggle) {
      setSidebar(toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    var sidebar = document.getElementById("sidebar");
    if (sidebar && sidebar.classList.contains("open") && !target.closest("#sidebar")) {
      setSidebar(false);
    }
    // Close the user menu when clicking elsewhere.
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(target)) menu.removeAttribute("open");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var sidebar = document.getElementById("sidebar");
      if (sidebar && sidebar.classList.contains("open")) {
        setSidebar(false);
        var toggle = document.querySelector(".menu-toggle");
        if (toggle) toggle.focus();
      }
      document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
        menu.removeAttribute("open");
        var summary = menu.querySelector("summary");
        if (summary) summary.focus();
      });
      return;
    }
    // "/" jumps to the search box, unless the user is typing somewhere.
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target)) {
      var search = document.getElementById("global-search");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    }
  });

  // On phones the list filters start folded away unless some are in use.
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.matchMedia("(max-width: 640px)").matches) return;
    document.querySelectorAll("details.filter-panel[open]:not([data-active])").forEach(function (panel) {
      panel.removeAttribute("open");
    });
  });

  // Filter text boxes search as the user types; their "change" on blur would only send the
  // same search again (and race a click on a sort or page link), so it stops here.
  document.addEventListener(
    "change",
    function (event) {
      if (event.target instanceof Element && event.target.matches(".filter-text")) {
        event.stopPropagation();
      }
    },
    true
  );

  // Options swapped into a <select> keep the one marked selected (browsers may pick another).
  function syncSelect(target) {
    if (!(target instanceof HTMLSelectElement)) return;
    var chosen = target.querySelector("option[selected]");
    if (chosen) chosen.selected = true;
  }
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    syncSelect(event.detail && event.detail.target);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    syncSelect(event.detail && event.detail.target);
  });

  // Filter forms leave empty fields (and helper boxes) out of the address they put in the history.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!(elt instanceof HTMLFormElement) || !elt.classList.contains("filters")) return;
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (key) {
      // The company search box only finds options; it is not a filter.
      if (params[key] === "" || key === "company_q") delete params[key];
    });
  });

  // An htmx request whose session ended lands on the login page: load it as a whole page.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.responseURL && new URL(xhr.responseURL).pathname === "/login/") {
      event.preventDefault();
      window.location.assign(xhr.responseURL);
    }
  });

  // Move focus to a revealed value or a reveal form with errors, for keyboard and screen reader users.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!(target instanceof Element)) return;
    var swapped = target.isConnected ? target : null;
    if (!swapped && target.id) swapped = document.getElementById(target.id);
    if (!swapped || !swapped.classList.contains("sensitive")) return;
    var focusable = swapped.querySelector("[aria-invalid='true'], .revealed code");
    if (focusable) {
      if (!focusable.matches("input")) focusable.setAttribute("tabindex", "-1");
      focusable.focus();
    }
  });
})();
