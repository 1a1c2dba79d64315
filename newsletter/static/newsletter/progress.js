// An issue's figures (sent, retrying, failed, remaining, delivered, bounced, complained,
// unsubscribed), on the page and in the post page's Newsletter panel, refreshed every
// two seconds while it is being sent, and every thirty once it is (the e-mail service's
// reports keep coming in), without reloading the page. And the panel's "Send now" asks first.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  var table = document.getElementById("issue-figures");
  if (!table) { return; }
  function refresh() {
    fetch(table.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        table.querySelectorAll("[data-figure]").forEach(function (cell) {
          if (cell.dataset.figure in data) { cell.textContent = data[cell.dataset.figure]; }
        });
        document.querySelectorAll(".field-state .readonly, [data-progress-state]").forEach(
          function (state) { state.textContent = data.state; }
        );
        setTimeout(refresh, data.remaining > 0 || data.state === "Sending" ? 2000 : 30000);
      });
  }
  refresh();
}());
