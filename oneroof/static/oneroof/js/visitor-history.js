// The counter console's "Visitor's history" panel: fetched once when the page shows a
// visitor (never with the console's live polls, since every look is written to the audit
// log). Without this script the panel is a link to the same history.
(function () {
  "use strict";
  var panel = document.querySelector("[data-history-url]");
  if (!panel || !window.fetch || !window.DOMParser) { return; }
  var body = panel.querySelector("[data-history-body]");
  if (!body) { return; }
  panel.setAttribute("aria-busy", "true");
  panel.classList.add("loading");

  fetch(panel.getAttribute("data-history-url"), {
    headers: { "HX-Request": "true" },
    credentials: "same-origin",
    cache: "no-store"
  })
    .then(function (response) {
      // Refusals (403, 422) come as the same partial with their message.
      if (response.redirected) { throw new Error("signed out"); }
      return response.text();
    })
    .then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.querySelector("[data-history-content]");
      if (fresh) { body.replaceChildren(document.importNode(fresh, true)); }
    })
    .catch(function () { /* the link stays: it opens the same history */ })
    .then(function () {
      panel.removeAttribute("aria-busy");
      panel.classList.remove("loading");
    });
})();
