// Small comforts for the appointment pages; every page works without this file.
(function () {
  "use strict";
  // "Choose all" checkbox of the closure's bookings.
  document.querySelectorAll("[data-check-all]").forEach(function (all) {
    var name = all.getAttribute("data-check-all");
    var boxes = document.querySelectorAll("input[type=checkbox][name='" + name + "']");
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
    });
    boxes.forEach(function (b) {
      b.addEventListener("change", function () {
        all.checked = Array.prototype.every.call(boxes, function (x) { return x.checked; });
      });
    });
  });
  // The code step: put the cursor in the code field.
  var code = document.querySelector("input[name=code]");
  if (code && !code.value) { code.focus(); }
})();
