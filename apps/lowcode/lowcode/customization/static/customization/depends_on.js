/* depends_on in the browser: a field whose widget carries data-show-if (a condition tree made on the server
   from its sandboxed expression) shows only while the condition holds for what is on the form now. Fields that
   are not inputs on the page are read from the JSON in #depends-on-values. The server checks again on save. */
(function () {
  "use strict";
  function known() {
    var node = document.getElementById("depends-on-values");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (e) { return {}; }
  }
  function read(form, values, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    if (!inputs.length) return values[name];
    var first = inputs[0];
    if (first.type === "checkbox") return first.checked;
    if (first.type === "radio") {
      var chosen = Array.prototype.find.call(inputs, function (i) { return i.checked; });
      return chosen ? chosen.value : "";
    }
    return first.value;
  }
  function same(a, b) {
    if (a === null || a === undefined) a = "";
    if (b === null || b === undefined) b = "";
    return String(a) === String(b);
  }
  function evaluate(t, form, values) {
    if ("field" in t) return read(form, values, t.field);
    if ("const" in t) return t.const;
    if ("list" in t) return t.list.map(function (i) { return evaluate(i, form, values); });
    var a = t.args.map(function (x) { return evaluate(x, form, values); });
    switch (t.op) {
      case "and": return Boolean(a[0]) && Boolean(a[1]);
      case "or": return Boolean(a[0]) || Boolean(a[1]);
      case "not": return !a[0];
      case "eq": return same(a[0], a[1]);
      case "ne": return !same(a[0], a[1]);
      case "in": return a[1].some(function (v) { return same(v, a[0]); });
      case "notin": return !a[1].some(function (v) { return same(v, a[0]); });
      case "gt": return Number(a[0]) > Number(a[1]);
      case "lt": return Number(a[0]) < Number(a[1]);
      case "gteq": return Number(a[0]) >= Number(a[1]);
      case "lteq": return Number(a[0]) <= Number(a[1]);
    }
    return true;
  }
  function row(input) {
    var node = input;
    while (node.parentElement && !node.parentElement.querySelector('label[for="' + input.id + '"]')) {
      node = node.parentElement;
    }
    return node.parentElement || input;
  }
  function apply(form, values) {
    form.querySelectorAll("[data-show-if]").forEach(function (input) {
      var shown = true;
      try { shown = Boolean(evaluate(JSON.parse(input.getAttribute("data-show-if")), form, values)); } catch (e) {}
      var box = row(input);
      box.hidden = !shown;
      box.setAttribute("data-depends-on-hidden", shown ? "0" : "1");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var values = known();
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-if]")) return;
      apply(form, values);
      form.addEventListener("input", function () { apply(form, values); });
      form.addEventListener("change", function () { apply(form, values); });
    });
  });
})();
