// Progressive enhancement for the new-ticket form: the urgent section shows
// only while "Urgent" is chosen. Without this script it is always shown,
// with a note that it is required only for urgent tickets.
"use strict";
(function () {
  var form = document.getElementById("ticket-form");
  var section = document.getElementById("urgent");
  if (!form || !section) {
    return;
  }
  function update() {
    var checked = form.querySelector('input[name="priority"]:checked');
    section.hidden = !(checked && checked.value === "urgent");
  }
  form.addEventListener("change", function (e) {
    if (e.target && e.target.name === "priority") {
      update();
    }
  });
  update();
})();
