// Progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // The required-papers checklist: remember ticks on this device, show progress, print.
  document.querySelectorAll("[data-checklist]").forEach(function (box) {
    var key = "oneroof-checklist:" + box.getAttribute("data-checklist");
    var inputs = box.querySelectorAll("input[type=checkbox]");
    var progress = box.querySelector(".checklist-progress");
    var saved = {};
    try { saved = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
    function update() {
      var done = 0, state = {};
      inputs.forEach(function (i) { if (i.checked) { done++; state[i.value] = true; } });
      try { localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* private mode */ }
      if (progress) {
        progress.textContent = done === inputs.length
          ? progress.getAttribute("data-template-done")
          : progress.getAttribute("data-template-count")
              .replace("{done}", done).replace("{total}", inputs.length);
      }
    }
    inputs.forEach(function (i) { i.checked = !!saved[i.value]; i.addEventListener("change", update); });
    update();
  });
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
