// The supervisor's live view: fetch the center's state (JSON) again on every event of its
// websocket group `center.<id>`, or every few seconds where the socket is down or not open to
// this user (agency administrators and decision makers poll), and redraw the figures, lines,
// counters, alerts and the hourly chart. Without this script the page shows the state it
// was loaded with.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  var configNode = document.getElementById("live-config");
  if (!root || !configNode || !window.fetch) { return; }
  var config = JSON.parse(configNode.textContent);
  var L = config.labels;
  var statusBox = root.querySelector("[data-live-status]");
  var statusText = root.querySelector("[data-live-text]");
  var failures = 0;
  var view = { updates: 0, state: null };
  window.oneroofInsightsLive = view;

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  function fmt(value, format) {
    if (value === null || value === undefined) { return "—"; }
    if (format === "share") { return (Math.round(value * 1000) / 10).toFixed(value < 0.1 ? 1 : 0) + "%"; }
    if (value !== Math.round(value)) { return value.toFixed(1); }
    return value.toLocaleString("en-US");
  }

  function figures(kpis) {
    root.querySelectorAll("[data-figure]").forEach(function (node) {
      var key = node.getAttribute("data-figure");
      if (key in kpis) { node.textContent = fmt(kpis[key], node.getAttribute("data-format")); }
    });
  }

  function alerts(list) {
    var box = root.querySelector("[data-alerts]");
    var items = list.map(function (a) { return text("li", a.text, "alert alert-" + a.kind); });
    if (!items.length) { items = [text("li", L.noAlerts, "alert alert-none")]; }
    box.replaceChildren.apply(box, items);
  }

  function lines(list) {
    var body = root.querySelector("[data-lines]");
    var top = Math.max.apply(null, [1].concat(list.map(function (l) { return l.waiting; })));
    var rows = list.map(function (l) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-line", l.id);
      if (l.over_target) { tr.className = "over"; }
      var th = document.createElement("th");
      th.scope = "row";
      th.appendChild(text("span", l.prefix, "prefix"));
      th.appendChild(document.createTextNode(" " + l.name));
      if (l.agency && l.agency !== l.name) {
        th.appendChild(document.createElement("br"));
        th.appendChild(text("span", l.agency, "muted small"));
      }
      tr.appendChild(th);
      var cell = document.createElement("td");
      cell.className = "bar-cell";
      cell.appendChild(text("span", String(l.waiting), "figure"));
      cell.appendChild(window.oneroofCharts.bar(l.waiting / top * 100, l.over_target ? "alert" : ""));
      tr.appendChild(cell);
      var longest = l.longest_wait_minutes === null ? "—" : String(l.longest_wait_minutes);
      tr.appendChild(text("td", longest + " / " + l.target_minutes + " " + L.min, "nowrap"));
      tr.appendChild(text("td", String(l.open_counters)));
      return tr;
    });
    body.replaceChildren.apply(body, rows);
  }

  function agencies(list) {
    var box = root.querySelector("[data-agencies]");
    var top = Math.max.apply(null, [1].concat(list.map(function (a) { return a.waiting; })));
    box.replaceChildren.apply(box, list.map(function (a) {
      var li = document.createElement("li");
      li.appendChild(text("span", a.name, "bar-label"));
      li.appendChild(text("span", String(a.waiting), "figure"));
      li.appendChild(window.oneroofCharts.bar(a.waiting / top * 100));
      li.appendChild(text("span", a.served + " " + L.served, "muted small"));
      return li;
    }));
  }

  function counters(list) {
    var box = root.querySelector("[data-counters]");
    box.replaceChildren.apply(box, list.map(function (c) {
      var li = document.createElement("li");
      li.className = "counter-tile status-" + c.status + (c.alert ? " alert" : "");
      li.setAttribute("data-counter", c.id);
      li.appendChild(text("span", String(c.number), "counter-number"));
      var since = c.since_minutes === null ? "" : " · " + c.since_minutes + " " + L.min;
      li.appendChild(text("span", c.status_label + since, "counter-status"));
      li.appendChild(text("span", c.employee || "—", "counter-employee"));
      li.appendChild(text("span", c.current ? c.current_label : c.lines.join(" · "), "counter-current"));
      return li;
    }));
  }

  function hourly(list) {
    var svg = root.querySelector("[data-hourly] svg");
    if (!svg || !window.oneroofCharts) { return; }
    window.oneroofCharts.columns(svg, {
      labels: list.map(function (h) { return (h.hour < 10 ? "0" : "") + h.hour; }),
      values: list.map(function (h) { return h.served; }),
      line: list.map(function (h) { return h.arrivals; }),
      titles: list.map(function (h) {
        return (h.hour < 10 ? "0" : "") + h.hour + ":00 — " + h.served + " " + L.served + ", " +
          h.arrivals + " " + L.arrived;
      }),
      rtl: config.rtl, height: 200, maxXTicks: 24
    });
  }

  function apply(state) {
    view.state = state;
    figures(state.kpis);
    alerts(state.alerts);
    lines(state.lines);
    agencies(state.agencies);
    counters(state.counters);
    hourly(state.hourly);
    var clock = root.querySelector("[data-local-time]");
    if (clock) { clock.textContent = state.local_time; }
    view.updates += 1;
    root.setAttribute("data-updates", String(view.updates));
  }

  function refetch() {
    return fetch(config.stateUrl, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        statusBox.classList.remove("offline");
        apply(state);
      })
      .catch(function () {
        failures += 1;
        if (failures >= 2) {
          statusBox.classList.add("offline");
          statusText.textContent = L.offline;
        }
      });
  }

  function showMode(live) {
    statusBox.classList.toggle("polling", !live);
    statusText.textContent = live ? L.live : L.polling;
  }

  view.refetch = refetch;
  if (config.socket && window.oneroofLive && window.WebSocket) {
    window.oneroofLive.subscribe([["center", String(config.centerId)]], {
      refetch: refetch, pollMs: config.pollMs, refreshMs: 60000, onStatus: showMode
    });
  } else {
    showMode(false);
    setInterval(refetch, config.pollMs);
  }
})();
