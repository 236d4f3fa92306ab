// The top bar's quick results: htmx fills #search-dropdown as the user types; this file
// shows and hides it and lets the arrow keys, Enter and Escape work the list.
(function () {
  "use strict";

  function parts() {
    var input = document.getElementById("global-search");
    var dropdown = document.getElementById("search-dropdown");
    return input && dropdown ? { input: input, dropdown: dropdown } : null;
  }

  function options(dropdown) {
    return Array.prototype.slice.call(dropdown.querySelectorAll("[role='option']"));
  }

  function setActive(p, index) {
    var all = options(p.dropdown);
    all.forEach(function (option, i) {
      var on = i === index;
      option.setAttribute("aria-selected", on ? "true" : "false");
      option.classList.toggle("active", on);
      if (on) option.scrollIntoView({ block: "nearest" });
    });
    if (index >= 0 && all[index]) {
      p.input.setAttribute("aria-activedescendant", all[index].id);
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  }

  function activeIndex(p) {
    return options(p.dropdown).findIndex(function (option) {
      return option.getAttribute("aria-selected") === "true";
    });
  }

  function show(p, open) {
    p.dropdown.hidden = !open;
    p.input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) setActive(p, -1);
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var p = parts();
    if (!p || event.detail.target !== p.dropdown) return;
    var hasContent = p.dropdown.textContent.trim() !== "";
    show(p, hasContent && p.input.value.trim() !== "" && document.activeElement === p.input);
    setActive(p, -1);
  });

  document.addEventListener("keydown", function (event) {
    var p = parts();
    if (!p || event.target !== p.input) return;
    var all = options(p.dropdown);
    var current = activeIndex(p);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (p.dropdown.hidden || all.length === 0) return;
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = current + step;
      if (next < 0) next = all.length - 1;
      if (next >= all.length) next = 0;
      setActive(p, next);
    } else if (event.key === "Enter") {
      if (!p.dropdown.hidden && current >= 0 && all[current]) {
        var link = all[current].querySelector("a");
        if (link) {
          event.preventDefault();
          window.location.assign(link.href);
        }
      }
    } else if (event.key === "Escape") {
      if (!p.dropdown.hidden) {
        event.preventDefault();
        event.stopPropagation();
        show(p, false);
      }
    }
  });

  // Typing again shows the list once new results arrive; leaving the search area hides it.
  document.addEventListener("click", function (event) {
    var p = parts();
    if (!p || p.dropdown.hidden) return;
    var target = event.target instanceof Element ? event.target : null;
    if (target && target.closest(".global-search")) return;
    show(p, false);
  });

  document.addEventListener("focusin", function (event) {
    var p = parts();
    if (!p) return;
    if (event.target === p.input && p.input.value.trim() !== "" && options(p.dropdown).length) {
      show(p, true);
    }
  });
})();
