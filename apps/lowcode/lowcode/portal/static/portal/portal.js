/* Behaviour shared by every portal page, kept out of the markup: the Content-Security-Policy runs no inline
   event handlers. The language menu switches as soon as one is chosen (without JavaScript its button shows);
   a [data-print] button prints the page. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
