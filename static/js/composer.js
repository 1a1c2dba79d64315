// The post composer (admin change form of a post): never lose work (a warning before leaving,
// Ctrl+S, a copy in this browser, an autosave on the server), a fold marker per list for the
// index excerpt, move parts one step (the previews and the link check: composer-preview.js).
// No inline script anywhere (our CSP allows none): this file reads #composer's data-*.
(function () {
  "use strict";

  const form = document.getElementById("post_form");
  const config = document.getElementById("composer");
  if (!form || !config) return;
  const postId = config.dataset.post;
  const version = config.dataset.version;
  const draftPrefix = `scalepress-draft:${postId}:`;
  const draftKey = draftPrefix + version;
  const params = new URLSearchParams(location.search);
  const newKind = postId === "new" ? params.get("kind") || "post" : "";
  const storageKey = postId === "new" ? `${draftPrefix}${newKind}` : draftKey;
  let dirty = false;
  let submitting = false;

  // --- Unsaved changes: a warning before leaving ------------------------------------------
  const markDirty = () => {
    dirty = true;
    scheduleDraft();
    scheduleAutosave();
  };
  // Only what the editor did counts: events a script dispatches (the admin's own widgets,
  // tests that provoke every handler) are not edits to guard.
  const byEditor = (event) => {
    if (event.isTrusted) markDirty();
  };
  form.addEventListener("input", byEditor);
  form.addEventListener("change", byEditor);
  form.addEventListener("submit", () => {
    submitting = true;
    clearTimeout(autosaveTimer);
    saveDraft(true);
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- Ctrl/Cmd+S: save and stay -----------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    if (!event.isTrusted || !event.key) return;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
      event.preventDefault();
      const stay = form.querySelector("input[name=_continue]");
      if (stay) form.requestSubmit(stay);
    }
  });

  // --- A copy of the form in this browser, offered back on reopening ----------------------
  // Kept per post and version; it is never applied without the editor asking.
  const skipped = (el) =>
    !el.name ||
    el.type === "file" ||
    el.type === "submit" ||
    el.name === "csrfmiddlewaretoken" ||
    el.name.includes("__prefix__");

  function formState() {
    const state = {};
    for (const el of form.elements) {
      if (skipped(el)) continue;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.type === "radio" && !el.checked) continue;
        state[el.name] = el.type === "checkbox" ? el.checked : el.value;
      } else {
        state[el.name] = el.value;
      }
    }
    return state;
  }

  let draftTimer = null;
  function scheduleDraft() {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(() => saveDraft(false), 1500);
  }

  function saveDraft(submitted) {
    if (!dirty) return;
    try {
      localStorage.setItem(
        storageKey,
        JSON.stringify({ savedAt: new Date().toISOString(), version, submitted, fields: formState() }),
      );
    } catch (error) {
      // Storage full or refused (private window): the warning before leaving still guards.
    }
  }

  function applyState(fields) {
    for (const el of form.elements) {
      if (skipped(el) || !(el.name in fields)) continue;
      const value = fields[el.name];
      if (el.type === "checkbox") el.checked = Boolean(value);
      else if (el.type === "radio") el.checked = el.value === value;
      else el.value = value;
    }
  }

  // --- Autosave: the changed form kept on the server as this editor's draft revision -------
  // Every `data-autosave-interval` ms (30 s; read at each change, so a page or a test may
  // shorten it) after a change, never the post itself: the server keeps it apart and offers
  // it back when the editor opens the post again. Checkboxes go as "on" or "".
  const autosaveUrl = config.dataset.autosaveUrl;
  const autosaveStatus = document.getElementById("autosave-status");
  let autosaveTimer = null;
  let autosavePending = false;

  function scheduleAutosave() {
    if (!autosaveUrl) return;
    autosavePending = true;
    if (autosaveTimer === null) {
      autosaveTimer = setTimeout(autosaveNow, Number(config.dataset.autosaveInterval) || 30000);
    }
  }

  const hhmm = (date) =>
    `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;

  function sayAutosave(text, failed) {
    if (!autosaveStatus) return;
    autosaveStatus.textContent = text;
    autosaveStatus.classList.toggle("composer-warning", Boolean(failed));
  }

  function autosaveNow() {
    autosaveTimer = null;
    if (!autosavePending || submitting) return;
    autosavePending = false;
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(formState())) {
      body.append(name, value === true ? "on" : value === false ? "" : value);
    }
    const token = form.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(autosaveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": token ? token.value : "", "Content-Type": "application/x-www-form-urlencoded" },
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
        let said = `Autosaved ${hhmm(new Date(data.saved_at))}`;
        if (data.newer) {
          said += ` — saved since by ${data.newer.by || "someone else"} (${data.newer.at}): saving shows their version beside yours`;
        }
        sayAutosave(said, false);
        autosaveStatus.dataset.savedAt = data.saved_at;
      })
      .catch((data) => {
        sayAutosave(`Not autosaved: ${(data && data.error) || "no connection"}. The copy in this browser is kept.`, true);
        scheduleAutosave();
      });
  }

  function offerAutosave() {
    const kept = document.getElementById("autosave-data");
    if (!kept || !autosaveUrl) return "";
    const fields = JSON.parse(kept.textContent);
    const current = formState();
    const asBox = (name, value) => (typeof current[name] === "boolean" ? Boolean(value) : value);
    const differs = Object.entries(fields).some(
      ([name, value]) => name in current && name !== "loaded_version" && current[name] !== asBox(name, value),
    );
    const discard = () => {
      const token = form.querySelector("input[name=csrfmiddlewaretoken]");
      fetch(autosaveUrl, {
        method: "POST",
        headers: { "X-CSRFToken": token ? token.value : "", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ discard: "1" }),
        credentials: "same-origin",
      });
    };
    if (!differs) {
      discard();
      return "";
    }
    const savedAt = config.dataset.autosaveAt;
    const banner = document.createElement("div");
    banner.className = "composer-draft composer-autosaved";
    banner.setAttribute("role", "alert");
    banner.innerHTML =
      "<p></p><button type='button' class='button' data-act='restore'>Restore the autosaved edits</button> " +
      "<button type='button' class='button' data-act='discard'>Discard them</button>";
    banner.querySelector("p").textContent =
      `Your edits of ${new Date(savedAt).toLocaleString()} were autosaved but not saved.` +
      (config.dataset.autosaveVersion !== version
        ? " The post has been saved since: restoring them and saving shows their version beside yours, field by field."
        : "");
    banner.addEventListener("click", (event) => {
      const act = event.target.dataset.act;
      if (!act) return;
      if (act === "restore") {
        const restored = {};
        for (const [name, value] of Object.entries(fields)) restored[name] = asBox(name, value);
        applyState(restored);
        byEditor(event);
      } else {
        discard();
      }
      banner.remove();
    });
    form.prepend(banner);
    return savedAt;
  }

  function offerDraft(notBefore) {
    const hasErrors = document.querySelector(".errornote, .errorlist");
    const keys = Object.keys(localStorage).filter((key) => key.startsWith(draftPrefix));
    let offered = null;
    for (const key of keys) {
      let draft;
      try {
        draft = JSON.parse(localStorage.getItem(key));
      } catch (error) {
        localStorage.removeItem(key);
        continue;
      }
      // A copy taken as the form was sent, and the save went through: nothing to offer.
      if (draft.submitted && !hasErrors) {
        localStorage.removeItem(key);
        continue;
      }
      if (!offered || draft.savedAt > offered.draft.savedAt) offered = { key, draft };
    }
    if (!offered || hasErrors) return;
    // The server's autosave is offered already, and this copy is no newer.
    if (notBefore && new Date(offered.draft.savedAt) <= new Date(notBefore)) return;
    const current = formState();
    const differs = Object.entries(offered.draft.fields).some(
      ([name, value]) => name in current && current[name] !== value && name !== "loaded_version",
    );
    if (!differs) {
      localStorage.removeItem(offered.key);
      return;
    }
    const older = offered.draft.version !== version;
    const banner = document.createElement("div");
    banner.className = "composer-draft";
    banner.setAttribute("role", "alert");
    const when = new Date(offered.draft.savedAt).toLocaleString();
    banner.innerHTML =
      "<p></p><button type='button' class='button' data-act='restore'>Restore my edits</button> " +
      "<button type='button' class='button' data-act='discard'>Discard them</button>";
    banner.querySelector("p").textContent =
      `Edits you had not saved (${when}) are kept in this browser.` +
      (older
        ? " The post has been saved since: restoring them and saving shows their version beside yours, field by field."
        : "");
    banner.addEventListener("click", (event) => {
      const act = event.target.dataset.act;
      if (!act) return;
      if (act === "restore") {
        applyState(offered.draft.fields);
        byEditor(event);
      }
      localStorage.removeItem(offered.key);
      banner.remove();
    });
    form.prepend(banner);
  }

  // --- Move parts one step, with the ▲▼ icons or Alt+↑/↓ ----------------------------------
  function rowsOf(node) {
    const group = node.closest(".inline-group");
    return group ? [...group.querySelectorAll("tr.has_original, .inline-related.has_original")] : [];
  }

  function renumber(rows, event) {
    rows.forEach((row, index) => {
      const input = row.querySelector("input._reorder_");
      if (input) input.value = `${index + 1}`;
    });
    byEditor(event);
    markFold(rows);
  }

  function moveOne(row, step, event) {
    const rows = rowsOf(row);
    const at = rows.indexOf(row);
    const to = at + step;
    if (at < 0 || to < 0 || to >= rows.length) return;
    if (step < 0) rows[to].before(row);
    else rows[to].after(row);
    renumber(rowsOf(row), event);
  }

  document.addEventListener(
    "click",
    (event) => {
      const icon = event.target.closest(".sort i.move-begin, .sort i.move-end");
      if (!icon) return;
      // adminsortable2's own handler moves to the very first or last place; ours, one step.
      event.stopImmediatePropagation();
      event.preventDefault();
      const row = icon.closest("tr.has_original, .inline-related.has_original");
      moveOne(row, icon.classList.contains("move-begin") ? -1 : 1, event);
    },
    true,
  );
  document.addEventListener("keydown", (event) => {
    if (!event.isTrusted || !event.altKey) return;
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    const row = event.target.closest && event.target.closest("tr.has_original, .inline-related.has_original");
    if (!row) return;
    event.preventDefault();
    moveOne(row, event.key === "ArrowUp" ? -1 : 1, event);
    event.target.focus();
  });

  // --- The fold: "on the index up to here" in one click -----------------------------------
  function onIndexBox(row) {
    return row.querySelector("input[type=checkbox][name$='-on_index']");
  }

  function markFold(rows) {
    const boxes = rows.map(onIndexBox);
    rows.forEach((row) => row.classList.remove("fold-after"));
    const shown = boxes.filter((box) => box && box.checked).length;
    // The fold is drawn only where the boxes say "these first, none after".
    const clean = boxes.every((box, index) => !box || box.checked === index < shown);
    if (clean && shown > 0 && shown < rows.length) rows[shown - 1].classList.add("fold-after");
  }

  function foldAt(row, event) {
    const rows = rowsOf(row);
    const at = rows.indexOf(row);
    rows.forEach((other, index) => {
      const box = onIndexBox(other);
      if (box) box.checked = index <= at;
    });
    byEditor(event);
    markFold(rows);
  }

  function addFoldButtons() {
    for (const group of document.querySelectorAll("#quotes-group, #items-group")) {
      const rows = [...group.querySelectorAll("tr.has_original, .inline-related.has_original")];
      for (const row of rows) {
        const box = onIndexBox(row);
        if (!box) continue;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "fold-here";
        button.textContent = "Fold here";
        button.title = "Show on the index up to here; hide everything below";
        button.addEventListener("click", (event) => foldAt(row, event));
        box.parentElement.append(button);
      }
      markFold(rows);
      group.addEventListener("change", (event) => {
        if (event.target.matches("input[name$='-on_index']")) markFold(rowsOf(event.target));
      });
    }
  }

  // --- A digest's title and its publish day -----------------------------------------------
  const TITLE_START = "Stuff The Internet Says On Scalability For ";
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  function ordinal(day) {
    const teen = day % 100 >= 11 && day % 100 <= 13;
    return day + (teen ? "th" : { 1: "st", 2: "nd", 3: "rd" }[day % 10] || "th");
  }
  function issueTitle(dayValue) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dayValue.trim());
    if (!match) return "";
    const [, y, m, d] = match;
    return `${TITLE_START}${MONTHS[Number(m) - 1]} ${ordinal(Number(d))}, ${y}`;
  }
  function checkTitleDate() {
    const title = document.getElementById("id_title");
    const day = document.getElementById("id_publish_at_0");
    const kind = document.getElementById("id_kind");
    if (!title || !day) return;
    let note = document.getElementById("title-date-warning");
    const isDigest = !kind || kind.value === "digest";
    let expected = "";
    if (isDigest && title.value.startsWith(TITLE_START)) expected = issueTitle(day.value);
    if (!expected || expected === title.value.trim()) {
      if (note) note.hidden = true;
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.id = "title-date-warning";
      note.className = "composer-warning";
      const use = document.createElement("button");
      use.type = "button";
      use.className = "button";
      use.textContent = "Use this title";
      note.append(document.createElement("span"), " ", use);
      use.addEventListener("click", (event) => {
        title.value = note.dataset.expected;
        byEditor(event);
        checkTitleDate();
      });
      // Under the title's row, not beside the box (which would squeeze it).
      (title.closest(".form-row") || title.parentElement).append(note);
    }
    note.dataset.expected = expected;
    note.querySelector("span").textContent = `The title names another day than the publish date. For ${day.value} it would be “${expected}”.`;
    note.hidden = false;
  }

  // --- Publish / Schedule: say when it goes live first ------------------------------------
  form.addEventListener("click", (event) => {
    const button = event.target.closest(".composer-step");
    if (!button || !event.isTrusted) return; // a script's click submits nothing to confirm
    let question = button.dataset.confirm;
    if (question === "schedule") {
      const day = document.getElementById("id_publish_at_0");
      const time = document.getElementById("id_publish_at_1");
      question = `Schedule it for ${day ? day.value : "?"} ${time ? time.value : ""}? Readers see it from then.`;
    }
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", () => {
    offerDraft(offerAutosave());
    addFoldButtons();
    const title = document.getElementById("id_title");
    const day = document.getElementById("id_publish_at_0");
    for (const el of [title, day]) if (el) el.addEventListener("input", checkTitleDate);
    if (day) day.addEventListener("change", checkTitleDate);
    // The admin's calendar widget sets the date without an input event.
    document.addEventListener("click", () => setTimeout(checkTitleDate, 0));
    checkTitleDate();
  });
})();
