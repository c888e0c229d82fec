// Face photos from the phone's camera, in the page. Without JavaScript, or without a camera, the file inputs
// (accept="image/*" capture="user") open the camera app or the gallery instead: this is only a convenience.
// Each press of "Chụp" fills the next empty photo input of the form with a JPEG of the current frame.
(function () {
  "use strict";
  function setup(form) {
    var box = form.querySelector("[data-camera]");
    var inputs = Array.prototype.slice.call(form.querySelectorAll('input[type="file"]'));
    if (!box || !inputs.length || !navigator.mediaDevices || !window.DataTransfer) return;
    var video = box.querySelector("[data-camera-video]");
    var step = box.querySelector("[data-camera-step]");
    var shoot = box.querySelector("[data-camera-shoot]");
    function labelOf(input) {
      var label = form.querySelector('label[for="' + input.id + '"]');
      return label ? label.textContent : "";
    }
    function next() {
      for (var i = 0; i < inputs.length; i++) { if (!inputs[i].files.length) return inputs[i]; }
      return null;
    }
    function announce() {
      var input = next();
      step.textContent = input ? labelOf(input) : "";
      shoot.disabled = !input;
      var turn = form.querySelector("[data-turn]");
      if (turn && input && turn.contains(input)) {
        var instruction = turn.querySelector(".turn-instruction");
        if (instruction) step.textContent = instruction.textContent;
      }
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        return video.play();
      })
      .then(function () {
        box.hidden = false;
        announce();
        shoot.addEventListener("click", function () {
          var input = next();
          if (!input) return;
          var canvas = document.createElement("canvas");
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
          canvas.getContext("2d").drawImage(video, 0, 0);
          canvas.toBlob(function (blob) {
            var transfer = new DataTransfer();
            transfer.items.add(new File([blob], input.name + ".jpg", { type: "image/jpeg" }));
            input.files = transfer.files;
            input.dispatchEvent(new Event("change", { bubbles: true }));
            announce();
          }, "image/jpeg", 0.9);
        });
        inputs.forEach(function (input) { input.addEventListener("change", announce); });
      })
      .catch(function () { box.hidden = true; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-face-capture]"), setup);
  });
})();
