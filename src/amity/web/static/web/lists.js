// List pages: tick every row at once; show the owner choice only for "Assign an owner"
// and the tag only for adding or removing a tag.
(function () {
  "use strict";

  function boxes(group) {
    return Array.prototype.slice.call(document.querySelectorAll("input." + group));
  }

  function syncSelectAll() {
    document.querySelectorAll("input[data-select-all]").forEach(function (all) {
      var rows = boxes(all.getAttribute("data-select-all"));
      var ticked = rows.filter(function (box) { return box.checked; }).length;
      all.checked = rows.length > 0 && ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
    });
  }

  function syncBulkForm() {
    var action = document.getElementById("bulk-action");
    var owner = document.querySelector(".bulk-owner");
    var tag = document.querySelector(".bulk-tag");
    if (action && owner) owner.hidden = action.value !== "assign";
    if (action && tag) tag.hidden = action.value.indexOf("tag_") !== 0;
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement || target instanceof HTMLSelectElement)) return;
    if (target.matches("input[data-select-all]")) {
      boxes(target.getAttribute("data-select-all")).forEach(function (box) {
        box.checked = target.checked;
      });
    } else if (target.matches("#bulk-action")) {
      syncBulkForm();
    }
    syncSelectAll();
  });

  // "The records ticked below" with nothing ticked would only earn an error: say so here.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "bulk-form") return;
    var scope = form.querySelector("#bulk-scope");
    var ticked = boxes("bulk-ids").some(function (box) { return box.checked; });
    if (scope && scope.value === "selected" && !ticked) {
      event.preventDefault();
      var first = document.querySelector("input.bulk-ids");
      if (first) first.focus();
      form.setAttribute("data-empty", "");
    }
  });

  // On phones the bulk actions start folded away, like the filters.
  function foldOnPhones() {
    if (!window.matchMedia("(max-width: 640px)").matches) return;
    document.querySelectorAll("details.bulk-panel[open]").forEach(function (panel) {
      panel.removeAttribute("open");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    syncBulkForm();
    foldOnPhones();
  });
  document.addEventListener("htmx:afterSwap", function () {
    syncBulkForm();
    syncSelectAll();
    foldOnPhones();
  });
})();
