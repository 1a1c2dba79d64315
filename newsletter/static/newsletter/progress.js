// The change page: its sending's figures (sent, retrying, failed, remaining),
// refreshed every two seconds while anything remains, without reloading the page.
(function () {
  "use strict";
  var box = document.getElementById("issue-progress");
  if (!box) { return; }
  function refresh() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        box.textContent = data.state + " — " + data.line + "; retrying: " + data.retrying + "; remaining: " + data.remaining;
        var field = document.querySelector(".field-progress_line .readonly");
        if (field) { field.textContent = data.line; }
        if (data.remaining > 0 || data.state === "Sending") { setTimeout(refresh, 2000); }
      });
  }
  refresh();
}());
