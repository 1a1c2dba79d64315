// Live character count under every textarea with data-count="<limit>" (no inline script, so
// a strict Content-Security-Policy can forbid those).
(function () {
  document.querySelectorAll("textarea[data-count]").forEach(function (box) {
    var limit = parseInt(box.getAttribute("data-count"), 10);
    var counter = document.createElement("div");
    counter.className = "char-count";
    counter.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", counter);
    function update() {
      var left = limit - box.value.length;
      counter.textContent = left >= 0
        ? box.value.length + " of " + limit + " characters"
        : (-left) + " characters too many (the limit is " + limit + ")";
      counter.classList.toggle("over", left < 0);
    }
    box.addEventListener("input", update);
    update();
  });
})();
