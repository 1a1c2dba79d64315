// The composer's server-rendered helpers: the Markdown preview beside the intro and the body
// (the same renderer and sanitiser as a save), the reader preview (the unsaved post on the
// index, cut at its folds, beside its whole page) and "Check links" above a digest's items.
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

  // --- Reader preview: the form as the index and the post's page would show it -----------
  // The server builds the post from the form in memory and renders it with the readers' own
  // templates; each is shown in a frame of its own with the site's stylesheet, so the admin's
  // styles and the site's never meet. The frames are same-origin blank documents (no
  // address to load, nothing for the CSP's frame-src to allow) and run no script.
  function addReaderPreview() {
    const panel = document.getElementById("reader-preview");
    if (!panel || !config.dataset.readerPreviewUrl) return;
    const frames = {
      index: panel.querySelector("iframe[data-shows=index]"),
      page: panel.querySelector("iframe[data-shows=page]"),
    };
    const problems = panel.querySelector(".reader-preview-problems");
    const status = panel.querySelector(".reader-preview-status");
    const prepare = (frame) => {
      const doc = frame.contentDocument;
      if (doc.getElementById("site-css")) return doc;
      const css = doc.createElement("link");
      css.id = "site-css";
      css.rel = "stylesheet";
      css.href = config.dataset.siteCss;
      const base = doc.createElement("base");
      base.target = "_blank";
      doc.head.append(base, css);
      doc.body.style.padding = "0 12px";
      return doc;
    };
    let timer = null;
    let inFlight = false;
    let again = false;
    // How long the last preview took: a long digest waits longer between previews, so one
    // editor typing keeps a server worker busy a third of the time at most.
    let lastTook = 0;
    const refresh = () => {
      timer = null;
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      again = false;
      status.textContent = "Updating…";
      const asked = performance.now();
      const body = new FormData(form);
      // The files stay out: a preview shows the lead image as saved.
      for (const [name, value] of [...body.entries()]) if (value instanceof File) body.delete(name);
      fetch(config.dataset.readerPreviewUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
        body,
        credentials: "same-origin",
      })
        .then((response) =>
          response
            .json()
            .catch(() => ({ error: `the server answered ${response.status}` }))
            .then((data) => (response.ok ? data : Promise.reject(data))),
        )
        .then((data) => {
          for (const [name, frame] of Object.entries(frames)) {
            const doc = prepare(frame);
            // Sanitised by the server (nh3), the same pipeline as the saved post.
            // The frames keep their height (they scroll): the buttons under them never move
            // while the editor aims at one.
            doc.body.innerHTML = data[name];
          }
          problems.hidden = !data.problems.length;
          problems.textContent = data.problems.length
            ? `Not in the preview as typed: ${data.problems.join(" · ")}`
            : "";
          status.textContent = "";
        })
        .catch((data) => {
          status.textContent = `The preview is not available right now (${(data && data.error) || "no connection"}).`;
        })
        .finally(() => {
          inFlight = false;
          lastTook = performance.now() - asked;
          if (again) later();
        });
    };
    const later = () => {
      clearTimeout(timer);
      const delay = Number(config.dataset.readerPreviewDelay) || 800;
      timer = setTimeout(refresh, Math.max(delay, 2 * lastTook));
    };
    for (const type of ["input", "change", "composer:edited"]) form.addEventListener(type, later);
    panel.querySelector(".reader-preview-refresh").addEventListener("click", refresh);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", () => {
    addLinkCheck();
    addReaderPreview();
    for (const name of ["excerpt", "body"]) {
      const textarea = document.getElementById(`id_${name}`);
      if (textarea && config.dataset.previewUrl) addPreview(textarea);
    }
  });
})();
