// Back office keyboard and selection helpers. Everything works without this script; it only saves keystrokes.
(function () {
  "use strict";

  // "Select all on page": the header checkbox ticks every row checkbox of the same name.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) return;
    var form = box.form || document;
    form.querySelectorAll('input[type="checkbox"][name="' + box.dataset.selectAll + '"]').forEach(function (row) {
      row.checked = box.checked;
    });
  });

  // "/" jumps to the search box, as in many tools officers already know.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var search = document.querySelector("[data-shortcut='/']");
    if (search instanceof HTMLElement) {
      event.preventDefault();
      search.focus();
    }
  });

  // After a refused action the message is read first.
  var error = document.getElementById("loi-thao-tac");
  if (error) error.focus();
})();
