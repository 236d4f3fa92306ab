/* Move calendar events by dragging them onto another half hour (the edit form is the
   keyboard and touch way). No library; posts the new start and reloads the week. */
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest ? event.target.closest(".cal-event") : null;
    if (!item) { return; }
    event.dataTransfer.setData("text/plain", item.dataset.move + "|" + item.dataset.version);
    event.dataTransfer.effectAllowed = "move";
    item.classList.add("cal-dragging");
  });

  document.addEventListener("dragend", function (event) {
    var item = event.target.closest ? event.target.closest(".cal-event") : null;
    if (item) { item.classList.remove("cal-dragging"); }
  });

  document.addEventListener("dragover", function (event) {
    if (event.target.closest && event.target.closest(".cal-slot")) { event.preventDefault(); }
  });

  document.addEventListener("drop", function (event) {
    var slot = event.target.closest ? event.target.closest(".cal-slot") : null;
    if (!slot) { return; }
    event.preventDefault();
    var parts = (event.dataTransfer.getData("text/plain") || "").split("|");
    if (parts.length !== 2 || parts[0].charAt(0) !== "/") { return; }
    var body = new URLSearchParams({ start: slot.dataset.start, version: parts[1] });
    fetch(parts[0], {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      redirect: "follow"
    }).then(function () { window.location.reload(); });
  });
})();
