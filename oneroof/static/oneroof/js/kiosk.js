// The kiosk: an on-screen keypad, one ticket per press, printing, and the return to the
// start for the next visitor. Every step works without this file.
(function () {
  "use strict";
  var body = document.body;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  // Back to the start (in Arabic) after a while without a touch.
  var seconds = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var reset = body.getAttribute("data-reset-url");
  if (seconds > 0 && reset) {
    var timer = null;
    var arm = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (window.location.pathname + window.location.search !== reset) {
          window.location.assign(reset);
        }
      }, seconds * 1000);
    };
    each(["pointerdown", "keydown", "input"], function (type) {
      document.addEventListener(type, arm, true);
    });
    arm();
  }

  // The keypad for the phone number: large keys instead of the system keyboard.
  var pad = document.querySelector("[data-keypad]");
  var phone = document.getElementById("phone");
  if (pad && phone) {
    pad.hidden = false;
    phone.setAttribute("inputmode", "none");
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key) { return; }
      var value = key.getAttribute("data-key");
      if (value === "clear") {
        phone.value = "";
      } else if (value === "back") {
        phone.value = phone.value.slice(0, -1);
      } else if (phone.value.length < (phone.maxLength > 0 ? phone.maxLength : 20)) {
        phone.value += value;
      }
    });
  }

  // One press, one ticket: a second touch while the first is on its way does nothing.
  each(document.querySelectorAll("[data-kiosk-form]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      each(form.querySelectorAll("button[type=submit]"), function (b) { b.disabled = true; });
    });
  });

  // The paper ticket: printed by the browser when the kiosk has no server-side printer.
  each(document.querySelectorAll("[data-print]"), function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  if (document.querySelector("[data-auto-print]")) {
    window.addEventListener("load", function () { window.print(); });
  }
})();
