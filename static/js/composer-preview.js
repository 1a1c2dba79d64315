// The composer's server-rendered helpers: the Markdown preview beside the intro and the body
// (the same renderer and sanitiser as a save), and "Check links" above a digest's items.
// No inline script anywhere (our CSP allows none): this file reads #composer's data-*.
(function () {
  "use strict";

  const form = document.getElementById("post_form");
  const config = document.getElementById("composer");
  if (!form || !config) return;

  // --- Markdown preview beside the text, rendered by the server ---------------------------
  function csrfToken() {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function addPreview(textarea) {
    const pane = document.createElement("div");
    pane.className = "markdown-preview";
    pane.setAttribute("aria-live", "polite");
    pane.dataset.for = textarea.id;
    const wrap = document.createElement("div");
    wrap.className = "markdown-side-by-side";
    textarea.before(wrap);
    wrap.append(textarea, pane);
    let timer = null;
    let asked = 0;
    const refresh = () => {
      const ask = ++asked;
      const body = new URLSearchParams({ text: textarea.value });
      fetch(config.dataset.previewUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
        body,
        credentials: "same-origin",
      })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((data) => {
          // Sanitised by the server (nh3), the same pipeline as the saved post.
          if (ask === asked) pane.innerHTML = data.html || "<p class='empty'>(nothing yet)</p>";
        })
        .catch(() => {
          if (ask === asked) pane.textContent = "The preview is not available right now.";
        });
    };
    textarea.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
    refresh();
  }

  // --- "Already covered": the saved digest's links checked against what was published -----
  function addLinkCheck() {
    const url = config.dataset.linksUrl;
    const group = document.getElementById("items-group");
    if (!url || !group) return;
    const panel = document.createElement("div");
    panel.className = "composer-links";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Check links: published before? twice here?";
    const list = document.createElement("ul");
    panel.append(button, list);
    group.before(panel);
    button.addEventListener("click", () => {
      button.disabled = true;
      list.textContent = "";
      fetch(url, { credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((data) => {
          if (!data.links.length) {
            const li = document.createElement("li");
            li.textContent = "No link of this digest (as last saved) was published before or appears twice.";
            list.append(li);
          }
          for (const link of data.links) {
            const li = document.createElement("li");
            li.className = "composer-warning";
            if (link.covered_by) {
              const a = document.createElement("a");
              a.href = link.covered_url;
              a.target = "_blank";
              a.textContent = link.covered_by;
              li.append(`${link.where}: ${link.url} is already in `, a, `, ${link.covered_on}.`);
            } else {
              li.textContent = `${link.where}: ${link.url} is also in ${link.repeats} of this digest.`;
            }
            list.append(li);
          }
        })
        .catch(() => {
          list.textContent = "The links could not be checked right now.";
        })
        .finally(() => {
          button.disabled = false;
        });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    addLinkCheck();
    for (const name of ["excerpt", "body"]) {
      const textarea = document.getElementById(`id_${name}`);
      if (textarea && config.dataset.previewUrl) addPreview(textarea);
    }
  });
})();
