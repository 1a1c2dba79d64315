// The comment form on cached post pages (comments/views.py says why it works this way):
// the page holds no per-reader token, so the CSRF token and the form's time trap are fetched
// when the reader first uses the form; the comment is sent with fetch and the answer shown
// in place. The writer's browser keeps each comment's edit key for its 15 minutes.
(function () {
  "use strict";
  var form = document.querySelector(".comment-form");
  if (!form) return;
  var section = form.closest(".comments");
  var result = form.querySelector(".comment-result");
  var tokenRequest = null;
  var csrf = "";

  function fetchToken() {
    if (!tokenRequest) {
      tokenRequest = fetch(form.dataset.tokenUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) throw new Error("token " + response.status);
          return response.json();
        })
        .then(function (data) {
          csrf = data.csrf;
          form.elements.trap.value = data.trap;
        })
        .catch(function (error) { tokenRequest = null; throw error; });
    }
    return tokenRequest;
  }

  function say(text, kind) {
    result.textContent = text;
    result.className = "comment-result" + (kind ? " " + kind : "");
  }

  // Our server's own markup (sanitised there); a template element keeps any script inert.
  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content.firstElementChild;
  }

  // What the browser keeps of a comment it wrote: {key, until, markdown} (the text as typed,
  // which the page shows only rendered: editing starts from it, not from the rendered text).
  function kept(id) {
    try {
      var value = JSON.parse(localStorage.getItem("comment-key-" + id) || "null");
      if (value && value.until > Date.now()) return value;
      localStorage.removeItem("comment-key-" + id);
    } catch (error) { /* storage refused: no editing */ }
    return null;
  }

  function keyFor(id) {
    var value = kept(id);
    return value ? value.key : null;
  }

  function keep(id, value) {
    try {
      localStorage.setItem("comment-key-" + id, JSON.stringify(value));
    } catch (error) { /* storage refused: no editing */ }
  }

  function keepKey(id, key, seconds, markdown) {
    keep(id, { key: key, until: Date.now() + seconds * 1000, markdown: markdown });
  }

  function post(url, data) {
    return fetchToken().then(function () {
      return fetch(url, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
      });
    });
  }

  function ownTools(article) {
    var id = article.dataset.comment;
    if (!keyFor(id) || article.querySelector(".comment-tools")) return;
    var tools = document.createElement("p");
    tools.className = "comment-tools";
    var edit = document.createElement("button");
    edit.type = "button"; edit.className = "link"; edit.textContent = "Edit";
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "link"; remove.textContent = "Delete";
    tools.append(edit, " · ", remove);
    article.append(tools);
    edit.addEventListener("click", function () { startEdit(article); });
    remove.addEventListener("click", function () {
      var data = new FormData();
      data.append("key", keyFor(id) || "");
      post("/comments/" + id + "/delete/", data).then(function (response) {
        if (response.ok) { article.remove(); say("Your comment is deleted."); }
        else say("This comment can no longer be deleted from here.", "error");
      });
    });
  }

  function startEdit(article) {
    var id = article.dataset.comment;
    var body = article.querySelector(".comment-body");
    var box = document.createElement("textarea");
    box.rows = 5; box.maxLength = 5000; box.setAttribute("aria-label", "Edit your comment");
    var own = kept(id);
    box.value = own && typeof own.markdown === "string" ? own.markdown : body.textContent.trim();
    var save = document.createElement("button");
    save.type = "button"; save.textContent = "Save";
    body.replaceWith(box);
    box.after(save);
    save.addEventListener("click", function () {
      var data = new FormData();
      data.append("key", keyFor(id) || ""); data.append("body", box.value);
      post("/comments/" + id + "/edit/", data).then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) { say("This comment can no longer be changed from here.", "error"); return; }
          var own = kept(id);
          if (own) { own.markdown = answer.markdown; keep(id, own); }
          var fresh = fragment(answer.html);
          article.replaceWith(fresh);
          ownTools(fresh);
        });
      });
    });
  }

  form.addEventListener("focusin", function () { fetchToken().catch(function () {}); });

  section.addEventListener("click", function (event) {
    var reply = event.target.closest(".comment-reply-button");
    if (reply) {
      form.elements.parent.value = reply.dataset.replyTo;
      form.querySelector(".comment-replying-name").textContent = reply.dataset.replyName;
      form.querySelector(".comment-replying").hidden = false;
      form.elements.body.focus();
    }
    if (event.target.closest(".comment-reply-cancel")) {
      form.elements.parent.value = "";
      form.querySelector(".comment-replying").hidden = true;
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("[type=submit]");
    button.disabled = true;
    say("Sending…");
    fetchToken().then(function () {
      return post(form.action, new FormData(form));
    }).then(function (response) {
      if (response.status === 429) { say("Too many comments from here just now: try again in a few minutes.", "error"); return; }
      return response.json().then(function (answer) {
        if (response.status === 400 && answer.errors) {
          var messages = [];
          Object.keys(answer.errors).forEach(function (name) {
            answer.errors[name].forEach(function (error) { messages.push((name === "__all__" ? "" : name + ": ") + error.message); });
          });
          say(messages.join(" "), "error");
          return;
        }
        if (!response.ok) { say(answer.error || "Your comment could not be sent.", "error"); return; }
        if (answer.html) {
          var article = fragment(answer.html);
          var parent = form.elements.parent.value && document.getElementById("comment-" + form.elements.parent.value);
          if (parent) parent.closest(".comment-thread").querySelector(".comment-reply-button, :scope > :last-child").before(article);
          else form.before(article);
          keepKey(answer.id, answer.edit_key, answer.edit_seconds, answer.markdown);
          ownTools(article);
        }
        form.elements.body.value = "";
        say(answer.status === "approved" ? "Your comment is published." : "Thank you: your comment waits for an editor's approval.", "done");
      });
    }).catch(function () {
      say("Your comment could not be sent. Check your connection and try again.", "error");
    }).finally(function () { button.disabled = false; });
  });

  section.querySelectorAll(".comment[data-comment]").forEach(ownTools);
})();
