/* A generated web form, one page at a time, then a review of everything entered before it is submitted.
   Without JavaScript every page shows at once and the form submits as it is. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-steps]").forEach(function (form) {
    var pages = Array.prototype.slice.call(form.querySelectorAll(".wf-page"));
    var review = form.querySelector(".wf-review");
    var list = review.querySelector(".review-list");
    var prev = form.querySelector("[data-prev]");
    var next = form.querySelector("[data-next]");
    var submit = form.querySelector("[data-submit]");
    var steps = form.querySelector(".steps");
    var current = 0;
    var withError = pages.findIndex(function (p) { return p.querySelector(".has-error"); });
    if (withError >= 0) current = withError;

    function valueOf(field) {
      var input = field.querySelector("input, select, textarea");
      if (!input) return "";
      if (input.type === "checkbox") return input.checked ? "是" : "否";
      if (input.type === "file") {
        var kept = field.querySelector("a");
        return input.files.length ? input.files[0].name : (kept ? kept.textContent : "");
      }
      if (input.tagName === "SELECT") return input.selectedIndex >= 0 ? input.options[input.selectedIndex].text : "";
      return input.value;
    }

    function fillReview() {
      list.textContent = "";
      form.querySelectorAll(".wf-page .field").forEach(function (field) {
        if (field.closest("[hidden]") && !field.closest(".wf-page[hidden]")) return;  // hidden by its condition
        if (field.hidden) return;
        var label = field.querySelector("label");
        if (!label) return;
        var dt = document.createElement("dt");
        dt.textContent = label.textContent.replace("*", "").replace(/（.*?）/, "").trim();
        var dd = document.createElement("dd");
        dd.textContent = valueOf(field) || "—";
        list.appendChild(dt);
        list.appendChild(dd);
      });
    }

    function pageValid(page) {
      var ok = true;
      page.querySelectorAll("input, select, textarea").forEach(function (input) {
        var field = input.closest(".field");
        if (field && field.hidden) return;  // a field hidden by its condition is not asked for
        var note = field && field.querySelector(".js-error");
        if (note) note.remove();
        var required = input.required || input.getAttribute("data-required-when-shown") === "1";
        var missing = required && !input.disabled && (
          input.type === "file" ? input.files.length === 0 && !field.querySelector("a") : !String(input.value).trim());
        if (missing && field) {
          ok = false;
          var p = document.createElement("p");
          p.className = "field-error js-error";
          p.setAttribute("role", "alert");
          p.textContent = "请填写此项。";
          field.appendChild(p);
          input.setAttribute("aria-invalid", "true");
        } else {
          input.removeAttribute("aria-invalid");
        }
      });
      return ok;
    }

    function show(index) {
      current = index;
      pages.forEach(function (page, i) { page.hidden = i !== index; });
      var reviewing = index === pages.length;
      review.hidden = !reviewing;
      if (reviewing) fillReview();
      prev.hidden = index === 0;
      next.hidden = reviewing;
      submit.hidden = !reviewing;
      if (steps) {
        steps.hidden = false;
        steps.querySelectorAll("li").forEach(function (li, i) {
          if (i === index) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
        });
      }
      var heading = reviewing ? review.querySelector("h2") : pages[index].querySelector("legend");
      if (heading && heading.focus) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }

    next.addEventListener("click", function () {
      if (pageValid(pages[current])) show(current + 1);
    });
    prev.addEventListener("click", function () { show(current - 1); });
    form.addEventListener("submit", function (event) {
      var bad = pages.findIndex(function (page) { return !pageValid(page); });
      if (bad >= 0) { event.preventDefault(); show(bad); }
      else { submit.disabled = true; }
    });
    show(current);
  });
})();
