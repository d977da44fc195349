// The ticket page keeps itself up to date: it shows the state the server rendered, listens
// on the ticket's and the line's websockets, and on any event fetches the ticket again from
// the API. Without websockets it asks every 5 seconds (with them every 30, in case an event
// was missed). Written for old phones (ES5, XHR).
(function () {
  "use strict";
  var body = document.body;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  // The 80 mm print page prints itself.
  if (body.hasAttribute("data-auto-print")) {
    window.addEventListener("load", function () { window.print(); });
  }

  var box = document.querySelector("[data-ticket]");
  if (!box) { return; }
  var id = box.getAttribute("data-ticket-id");
  var apiUrl = box.getAttribute("data-api-url");
  var note = box.querySelector("[data-live-note]");
  var english = document.documentElement.lang === "en";
  var FINISHED = { done: true, cancelled: true };
  var POLL_MS = 5000; // without websockets
  var SAFETY_MS = 30000; // with them, in case an event was missed
  var ticker = null;
  var lastRefresh = Date.now();
  var sockets = [];
  var busy = false;
  var again = false;
  var status = box.getAttribute("data-ticket-status");

  function setText(field, value) {
    each(box.querySelectorAll('[data-field="' + field + '"]'), function (el) {
      el.textContent = value === null || value === undefined ? "" : String(value);
    });
  }

  function show(state, counter) {
    body.setAttribute("data-ticket-status", state);
    body.setAttribute("data-counter", counter === null || counter === undefined ? "" : counter);
    box.setAttribute("data-ticket-status", state);
    box.setAttribute("data-counter", counter === null || counter === undefined ? "" : counter);
    each(box.querySelectorAll("[data-when]"), function (el) {
      el.hidden = el.getAttribute("data-when") !== state;
    });
  }

  function render(t) {
    if (t.id !== id) {
      // Transferred to another line: the page of the visitor's current ticket.
      stopLive();
      window.location.reload();
      return;
    }
    var before = status;
    status = t.status;
    setText("number", t.number);
    setText("status_label", t.status_label);
    setText("people_ahead", t.people_ahead);
    setText("estimated_wait_minutes", t.estimated_wait_minutes);
    setText("counter", t.counter);
    setText("service_name", english ? (t.service_name_en || t.service_name_ar) : t.service_name_ar);
    show(t.status, t.counter);
    if (note) { note.textContent = ""; }
    if (t.status === "called" && before !== "called") {
      document.title = t.number + " → " + t.counter;
      if (navigator.vibrate) { navigator.vibrate([400, 150, 400, 150, 400]); }
    }
    if (FINISHED[t.status]) { stopLive(); }
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    lastRefresh = Date.now();
    var xhr = new XMLHttpRequest();
    xhr.open("GET", apiUrl, true);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      busy = false;
      if (xhr.status === 200) {
        try { render(JSON.parse(xhr.responseText)); } catch (e) { failed(); }
      } else {
        failed();
      }
      if (again) { again = false; refresh(); }
    };
    xhr.send();
  }

  function failed() {
    if (note) { note.textContent = box.getAttribute("data-error-text"); }
  }

  function socketsOpen() {
    var open = sockets.length > 0;
    each(sockets, function (ws) { open = open && ws.readyState === 1; });
    return open;
  }

  // Every 5 seconds: ask the API unless both websockets are open (then every 30 seconds).
  function tick() {
    if (!socketsOpen() || Date.now() - lastRefresh >= SAFETY_MS) { refresh(); }
  }

  function stopLive() {
    if (ticker) { clearInterval(ticker); ticker = null; }
    each(sockets, function (ws) { try { ws.close(); } catch (e) { /* already gone */ } });
    sockets = [];
  }

  function listen(path) {
    if (!window.WebSocket) { return; }
    try {
      var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + path);
      ws.onopen = refresh; // catch up on anything between the page load and now
      ws.onmessage = refresh;
      sockets.push(ws);
    } catch (e) {
      // no websockets here: the ticker asks every 5 seconds
    }
  }

  show(status, box.getAttribute("data-counter"));
  if (!FINISHED[status]) {
    listen("/ws/ticket/" + id + "/");
    listen("/ws/line/" + box.getAttribute("data-line-id") + "/");
    ticker = setInterval(tick, POLL_MS);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && !FINISHED[status]) { refresh(); }
    });
  }

  // Cancelling through the API; the form posts to the page when this fails.
  each(box.querySelectorAll("[data-cancel-form]"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var token = form.querySelector("[name=csrfmiddlewaretoken]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("data-cancel-url"), true);
      xhr.setRequestHeader("Content-Type", "application/json");
      xhr.setRequestHeader("Accept", "application/json");
      if (token) { xhr.setRequestHeader("X-CSRFToken", token.value); }
      xhr.onreadystatechange = function () {
        if (xhr.readyState !== 4) { return; }
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (xhr.status === 200 && data) {
          render(data);
        } else if (data && data.error && note) {
          note.textContent = data.error.message;
          refresh();
        } else {
          form.submit();
        }
      };
      xhr.send("{}");
    });
  });
})();
