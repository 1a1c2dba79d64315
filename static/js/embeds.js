// Video embeds (digest/embeds.py): a <figure class="embed" data-embed="…"> holds a link to the
// video's page and loads nothing from the video's host. A click on that link puts the player
// there instead; without JavaScript, or with a modifier key, the link opens the page.
(function () {
  "use strict";
  // The same addresses the sanitiser accepts (digest.embeds.PLAYER_URL), and no others.
  var PLAYERS = [
    /^https:\/\/www\.youtube-nocookie\.com\/embed\/[A-Za-z0-9_-]{11}\?autoplay=1(?:&start=[0-9]{1,6})?$/,
    /^https:\/\/player\.vimeo\.com\/video\/[0-9]{1,12}\?autoplay=1&dnt=1(?:&h=[0-9a-f]{4,32})?$/
  ];
  var NAMES = { "embed-youtube": "YouTube", "embed-vimeo": "Vimeo" };

  function allowed(url) {
    return PLAYERS.some(function (pattern) { return pattern.test(url); });
  }

  function play(figure, link) {
    var url = figure.getAttribute("data-embed") || "";
    if (!allowed(url)) return false;
    var name = "Video";
    Object.keys(NAMES).forEach(function (cls) {
      if (figure.classList.contains(cls)) name = NAMES[cls] + " video";
    });
    var frame = document.createElement("iframe");
    frame.src = url;
    frame.title = link.title ? name + ": " + link.title : name;
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("allow", "autoplay; fullscreen; picture-in-picture; encrypted-media");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.setAttribute("loading", "lazy");
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation allow-popups");
    link.replaceWith(frame);
    var caption = figure.querySelector("figcaption");
    if (caption) caption.remove();
    figure.classList.add("embed-playing");
    frame.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest ? event.target.closest("a") : null;
    var figure = link ? link.parentElement : null;
    if (!figure || !figure.matches("figure.embed[data-embed]")) return;
    if (play(figure, link)) event.preventDefault();
  });
})();
