// Live character count under every textarea with data-count="<limit>" (no inline script, so
// a strict Content-Security-Policy can forbid those). The server judges the length, counting a
// line break once whatever the browser sends (sponsors.forms.one_kind_of_line_break); this
// counts the same way, and never cuts what is typed or pasted.
(function () {
  function length(text) {
    return text.replace(/\r\n?/g, "\n").length;
  }
  function characters(n) {
    return n + (n === 1 ? " character" : " characters");
  }
  document.querySelectorAll("textarea[data-count]").forEach(function (box) {
    var limit = parseInt(box.getAttribute("data-count"), 10);
    var counter = document.createElement("div");
    counter.className = "char-count";
    counter.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", counter);
    function update() {
      var count = length(box.value);
      counter.textContent = count <= limit
        ? count + " of " + limit + " characters"
        : characters(count - limit) + " too many (the limit is " + limit + ")";
      counter.classList.toggle("over", count > limit);
    }
    box.addEventListener("input", update);
    update();
  });
})();
