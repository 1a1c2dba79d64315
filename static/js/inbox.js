// The link inbox's pages: a button that closes the bookmarklet's window once a link is kept.
// (A file of its own: our CSP runs no inline script.)
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".close-window")) {
    button.addEventListener("click", () => window.close());
  }
});
