// Mekong — the citizen signs on the member's screen: a white canvas, drawn with a finger or a pen; the
// drawing is sent as a PNG data URL with the form. Without JavaScript this part stays hidden.
(function () {
  "use strict";
  var form = document.querySelector("[data-signature-form]");
  if (!form) return;
  var pad = form.querySelector("[data-signature-pad]");
  var canvas = pad.querySelector("canvas");
  var input = form.querySelector("input[name=signature]");
  var submit = form.querySelector("[data-signature-submit]");
  var context = canvas.getContext && canvas.getContext("2d");
  if (!context) return;
  pad.hidden = false;
  submit.hidden = false;
  var drawing = false;
  var inked = false;

  function blank() {
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.lineWidth = 4;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#000";
    inked = false;
  }
  function point(event) {
    var box = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) * canvas.width) / box.width,
      y: ((event.clientY - box.top) * canvas.height) / box.height,
    };
  }
  canvas.addEventListener("pointerdown", function (event) {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    var p = point(event);
    context.beginPath();
    context.moveTo(p.x, p.y);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    var p = point(event);
    context.lineTo(p.x, p.y);
    context.stroke();
    inked = true;
    event.preventDefault();
  });
  ["pointerup", "pointercancel"].forEach(function (name) {
    canvas.addEventListener(name, function () { drawing = false; });
  });
  form.querySelector("[data-signature-clear]").addEventListener("click", blank);
  form.addEventListener("submit", function () {
    input.value = inked ? canvas.toDataURL("image/png") : "";
  });
  blank();
})();
