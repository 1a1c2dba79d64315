// The link inbox's pages (a file of its own: our CSP runs no inline script):
// - a button that closes the bookmarklet's window once a link is kept;
// - on the list, "All" chooses every link, and Shift+click chooses the links between the last
//   one clicked and this one, as in a mail client.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".close-window")) {
    button.addEventListener("click", () => window.close());
  }
  const boxes = [...document.querySelectorAll(".entry input[name=entries]")];
  const all = document.getElementById("choose-all");
  if (!all || !boxes.length) return;
  all.closest("label").hidden = false;
  const sync = () => {
    const chosen = boxes.filter((box) => box.checked).length;
    all.checked = chosen === boxes.length;
    all.indeterminate = chosen > 0 && chosen < boxes.length;
  };
  all.addEventListener("change", () => {
    for (const box of boxes) box.checked = all.checked;
  });
  let last = null;
  for (const box of boxes) {
    box.addEventListener("click", (event) => {
      if (event.shiftKey && last !== null) {
        const [from, to] = [boxes.indexOf(last), boxes.indexOf(box)].sort((a, b) => a - b);
        for (const other of boxes.slice(from, to + 1)) other.checked = box.checked;
      }
      last = box;
      sync();
    });
  }
  sync();
});
