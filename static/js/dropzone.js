// Drag and drop onto an upload form: the dropped file goes into the form's file input,
// so the form submits exactly as with the picker (and works without this script).
(function () {
  document.querySelectorAll("form[data-dropzone]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var hint = form.querySelector(".dropzone-hint");
    if (!input || typeof DataTransfer === "undefined") return;
    if (hint) hint.hidden = false;
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { form.classList.remove("dragging"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer.files.length) return;
      var files = new DataTransfer();
      files.items.add(event.dataTransfer.files[0]);
      input.files = files.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
})();
