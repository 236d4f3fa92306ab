/* The calendar's enhancements, no library: drag an event onto another half hour to move it,
   drag its bottom edge to change its end (snapped to 15 minutes), or with the keyboard on
   a focused event: Shift+ArrowUp/Down changes the end by 15 minutes, ArrowLeft/Right moves
   it a day. The day and week open at the working day's start. The edit form stays the way
   that works everywhere (touch included). Every change posts the event's version; a
   conflict shows the server's message instead of reloading. */
(function () {
  "use strict";

  var QUARTER = 15;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* Add minutes to a wall-clock "YYYY-MM-DDTHH:MM" (the server reads it in the user's zone). */
  function shift(local, minutes) {
    var p = local.split(/[-T:]/).map(Number);
    var d = new Date(Date.UTC(p[0], p[1] - 1, p[2], p[3], p[4]) + minutes * 60000);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) +
      "T" + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }

  function report(message) {
    var status = document.getElementById("cal-status");
    if (!status) { return; }
    status.textContent = message;
    status.hidden = false;
  }

  function send(url, fields, focusId) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
      redirect: "follow"
    }).then(function (response) {
      if (response.ok) {
        if (focusId) { sessionStorage.setItem("cal-focus", focusId); }
        window.location.reload();
        return null;
      }
      return response.text().then(function (text) { report(text || response.statusText); });
    }, function (error) { report(String(error)); });
  }

  /* Moving by drag and drop onto a half hour. */
  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest ? event.target.closest(".cal-event[data-move]") : null;
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
    send(parts[0], { start: slot.dataset.start, version: parts[1] });
  });

  /* Resizing by dragging the bottom edge: the height follows the pointer in quarter hours. */
  var resizing = null;
  var swallowClick = false;

  function quarterHeight(item) {
    var slot = item.parentNode.querySelector(".cal-slot");
    return slot ? slot.getBoundingClientRect().height / 2 : 14;
  }

  document.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest ? event.target.closest(".cal-resize") : null;
    var item = handle ? handle.closest(".cal-event[data-resize]") : null;
    if (!item || event.button !== 0) { return; }
    event.preventDefault();  // no text selection
    item.draggable = false;  // and no native drag, which would move the event instead
    var rect = item.getBoundingClientRect();
    resizing = { item: item, top: rect.top, quarter: quarterHeight(item), quarters: 0 };
    resizing.quarters = Math.max(1, Math.round(rect.height / resizing.quarter));
    item.classList.add("cal-resizing");
  });

  document.addEventListener("pointermove", function (event) {
    if (!resizing) { return; }
    var quarters = Math.max(1, Math.round((event.clientY - resizing.top) / resizing.quarter));
    resizing.quarters = quarters;
    resizing.item.style.height = (quarters * resizing.quarter) + "px";
  });

  document.addEventListener("pointerup", function () {
    if (!resizing) { return; }
    var item = resizing.item;
    var quarters = resizing.quarters;
    resizing = null;
    swallowClick = true;
    window.setTimeout(function () { swallowClick = false; }, 300);
    item.classList.remove("cal-resizing");
    item.draggable = true;
    var end = shift(item.dataset.start, quarters * QUARTER);
    if (end === item.dataset.end) { item.style.height = ""; return; }
    send(item.dataset.resize, { end: end, version: item.dataset.version });
  });

  document.addEventListener("click", function (event) {
    if (swallowClick && event.target.closest && event.target.closest(".cal-event")) {
      event.preventDefault();
      swallowClick = false;
    }
  }, true);

  /* The keyboard way: Shift+ArrowUp/Down resizes, ArrowLeft/Right moves a day. */
  document.addEventListener("keydown", function (event) {
    var item = event.target.closest ? event.target.closest("[data-move][data-version]") : null;
    if (!item || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    if (event.shiftKey && (key === "ArrowDown" || key === "ArrowUp") && item.dataset.resize) {
      event.preventDefault();
      var end = shift(item.dataset.end, key === "ArrowDown" ? QUARTER : -QUARTER);
      send(item.dataset.resize, { end: end, version: item.dataset.version }, item.dataset.id);
    } else if (!event.shiftKey && (key === "ArrowLeft" || key === "ArrowRight")) {
      event.preventDefault();
      var start = shift(item.dataset.start, key === "ArrowRight" ? 1440 : -1440);
      send(item.dataset.move, { start: start, version: item.dataset.version }, item.dataset.id);
    }
  });

  /* After a keyed change the page reloads: give the focus back to the event. */
  function refocus() {
    var id = sessionStorage.getItem("cal-focus");
    if (!id) { return; }
    sessionStorage.removeItem("cal-focus");
    var item = document.querySelector('[data-id="' + id.replace(/\D/g, "") + '"]');
    if (item) { item.focus(); }
  }

  /* Open the day and week at the working day's start. */
  function scrollToWorkingHours() {
    var body = document.querySelector(".cal-body[data-scroll-to]");
    if (!body) { return; }
    var slot = body.querySelector('.cal-slot[data-start$="T' + body.dataset.scrollTo + '"]');
    if (slot) { body.scrollTop = slot.offsetTop; }
  }

  /* The event form: dates for an all-day event, times otherwise. */
  function allDayToggle() {
    var box = document.getElementById("id_all_day");
    if (!box) { return; }
    var form = box.closest("form");
    var apply = function () { form.classList.toggle("cal-all-day", box.checked); };
    form.classList.add("cal-js");
    box.addEventListener("change", apply);
    apply();
  }

  function ready() {
    scrollToWorkingHours();
    allDayToggle();
    refocus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
