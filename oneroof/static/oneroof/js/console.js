// The counter console stays current: on every change of the center's queue (or of this
// counter) fetch the live region again; if the counter or its visitor changed elsewhere
// (another screen, a supervisor), reload the page. Without this script the page still works.
(function () {
  "use strict";
  var root = document.querySelector("[data-console]");
  var region = document.getElementById("console-live");
  if (!root || !region || !window.oneroofLive || !window.fetch) { return; }
  var url = root.getAttribute("data-live-url");
  var key = root.getAttribute("data-live-key");
  var busy = false;

  // Never swap the list under someone's hands: an open "call out of order" form, or focus.
  function inUse() {
    var active = document.activeElement;
    return region.querySelector("details[open]") !== null ||
      (active !== null && active !== document.body && region.contains(active));
  }

  function refetch() {
    if (busy) { return; }
    busy = true;
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("[data-live-key]");
        if (!fresh) { return; }
        if (fresh.getAttribute("data-live-key") !== key) {
          if (!document.querySelector(".console textarea:focus, .console input:focus")) {
            location.reload();
          }
          return;
        }
        if (!inUse()) { region.replaceChildren(document.importNode(fresh, true)); }
      })
      .catch(function () { /* the next event or poll tries again */ })
      .then(function () { busy = false; });
  }

  window.oneroofConsole = { refetch: refetch };
  window.oneroofLive.subscribe(
    [["center", root.getAttribute("data-center")], ["counter", root.getAttribute("data-counter")]],
    { refetch: refetch, pollMs: 4000, refreshMs: 30000 }
  );
})();
