// The command center: poll the state of every center (one JSON for all of them: thousands
// of centers are one request, not thousands of websockets) and update the totals, each
// center's card and map dot, and the cards' order by the chosen ranking.
(function () {
  "use strict";
  var root = document.querySelector("[data-command]");
  var configNode = document.getElementById("command-config");
  if (!root || !configNode || !window.fetch) { return; }
  var config = JSON.parse(configNode.textContent);
  var statusBox = root.querySelector("[data-live-status]");
  var statusText = root.querySelector("[data-live-text]");
  var initialText = statusText.textContent;
  var failures = 0;
  var view = { updates: 0 };
  window.oneroofCommand = view;

  function fmt(value, format) {
    if (value === null || value === undefined) { return "—"; }
    if (format === "share") { return Math.round(value * 100) + "%"; }
    if (value !== Math.round(value)) { return value.toFixed(1); }
    return value.toLocaleString("en-US");
  }

  function radius(waiting) { return Math.round((5 + Math.min(waiting, 120) / 12) * 10) / 10; }

  function apply(state) {
    root.querySelectorAll("[data-total]").forEach(function (node) {
      var key = node.getAttribute("data-total");
      if (key in state.totals) { node.textContent = fmt(state.totals[key], node.getAttribute("data-format")); }
    });
    var overCard = root.querySelector("[data-total-card=lines_over_target]");
    if (overCard) { overCard.classList.toggle("tile-alert", state.totals.lines_over_target > 0); }
    var list = root.querySelector("[data-centers]");
    state.centers.forEach(function (c) {
      var card = list.querySelector("[data-center='" + c.id + "']");
      if (card) {
        card.className = "center-card level-" + c.level;
        card.querySelectorAll("[data-field]").forEach(function (node) {
          var key = node.getAttribute("data-field");
          if (key in c) { node.textContent = fmt(c[key], node.getAttribute("data-format")); }
        });
        list.appendChild(card); // in rank order
      }
      var pin = root.querySelector("[data-pin='" + c.id + "']");
      if (pin) {
        pin.setAttribute("class", "pin level-" + c.level);
        pin.setAttribute("r", String(radius(c.waiting_now)));
      }
    });
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
        statusText.textContent = initialText;
        apply(state);
      })
      .catch(function () {
        failures += 1;
        if (failures >= 2) {
          statusBox.classList.add("offline");
          statusText.textContent = config.labels.offline;
        }
      });
  }

  view.refetch = refetch;
  setInterval(refetch, config.pollMs);
})();
