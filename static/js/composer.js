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
    // For the reader preview (composer-preview.js): a fold or a row moved is an edit too.
    form.dispatchEvent(new CustomEvent("composer:edited"));
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
    untouchAddedRows();
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
  // One request at a time: two in flight could be written in the other order, the older
  // form last.
  let autosaveInFlight = false;

  function scheduleAutosave() {
    if (!autosaveUrl) return;
    autosavePending = true;
    if (autosaveTimer === null && !autosaveInFlight) {
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
    if (!autosavePending || submitting || autosaveInFlight) return;
    autosavePending = false;
    autosaveInFlight = true;
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
        autosavePending = true;
      })
      .finally(() => {
        autosaveInFlight = false;
        // Edits made while it was on its way (or a failed one) go with the next.
        if (autosavePending) scheduleAutosave();
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
        foldsFromBoxes();
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
        foldsFromBoxes();
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
    refreshFolds(event);
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

  // --- The fold: one marker per list; the parts above it are on the index -----------------
  // The marker is a row of its own that the editor drags (pointer events: mouse, pen, finger)
  // or moves with ↑/↓ (Alt too), Home and End while it has the focus. It stands after the
  // first `shown` parts; moving parts (▲▼, a drag of a row) keeps that count, so a part moved
  // across it changes sides. It only ticks the rows' own "on the index" boxes, which the form
  // sends as before (their column is hidden: the marker replaces ticking row by row).
  const FOLD_NOUNS = { "stats-group": "stats", "quotes-group": "quotes", "items-group": "items" };
  const folds = [];

  function onIndexBox(row) {
    return row.querySelector("input[type=checkbox][name$='-on_index']");
  }

  function foldRows(group) {
    const rows = group.querySelector("tbody")
      ? group.querySelectorAll("tbody > tr.form-row:not(.empty-form)")
      : group.querySelectorAll(".inline-related:not(.empty-form):not(.tabular)");
    return [...rows].filter(onIndexBox);
  }

  function describeFold(fold, rows) {
    const total = rows.length;
    const noun = FOLD_NOUNS[fold.group.id];
    const said =
      fold.shown === total
        ? `All ${total} ${noun} on the index`
        : `Fold: ${fold.shown} of ${total} ${noun} above it on the index`;
    fold.label.textContent = said + (fold.mixed ? " (some below are ticked: moving the fold sets them)" : "");
    fold.marker.setAttribute("aria-valuenow", String(fold.shown));
    fold.marker.setAttribute("aria-valuemax", String(total));
    fold.marker.setAttribute("aria-valuetext", said);
    fold.marker.hidden = total === 0;
  }

  function placeFold(fold) {
    const rows = foldRows(fold.group);
    fold.shown = Math.max(0, Math.min(fold.shown, rows.length));
    const focused = document.activeElement === fold.marker;
    if (fold.shown > 0) {
      if (rows[fold.shown - 1].nextElementSibling !== fold.marker) rows[fold.shown - 1].after(fold.marker);
    } else if (rows.length && rows[0].previousElementSibling !== fold.marker) {
      rows[0].before(fold.marker);
    }
    if (focused) fold.marker.focus();
    describeFold(fold, rows);
    return rows;
  }

  function applyFold(fold, event) {
    const rows = placeFold(fold);
    let changed = false;
    rows.forEach((row, index) => {
      const box = onIndexBox(row);
      if (box.checked !== index < fold.shown) {
        box.checked = index < fold.shown;
        changed = true;
      }
    });
    fold.mixed = false;
    describeFold(fold, rows);
    if (changed && event) byEditor(event);
  }

  function moveFold(fold, shown, event) {
    fold.shown = shown;
    applyFold(fold, event);
  }

  function dragFold(fold, down) {
    if (down.button !== 0) return;
    down.preventDefault();
    const marker = fold.marker;
    // Followed on the window, not by capturing the pointer: moving the marker in the page
    // takes it out and back in, which ends any capture.
    marker.classList.add("dragging");
    // Where each part's middle is on the page as if the marker were not there, taken once:
    // the marker moving during the drag shifts the rows under the pointer.
    const height = marker.getBoundingClientRect().height;
    let below = false;
    const middles = [];
    for (const row of foldRows(fold.group)) {
      if (marker.compareDocumentPosition(row) & Node.DOCUMENT_POSITION_FOLLOWING) below = true;
      const box = row.getBoundingClientRect();
      middles.push(box.top + window.scrollY + box.height / 2 - (below ? height : 0));
    }
    const move = (event) => {
      const y = event.clientY + window.scrollY;
      const shown = middles.filter((middle) => y > middle).length;
      if (shown !== fold.shown) {
        fold.shown = shown;
        placeFold(fold);
      }
    };
    const end = (event) => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", end);
      window.removeEventListener("pointercancel", end);
      marker.classList.remove("dragging");
      applyFold(fold, event);
      marker.focus();
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", end);
    window.addEventListener("pointercancel", end);
  }

  function keyFold(fold, event) {
    const total = foldRows(fold.group).length;
    const to = {
      ArrowUp: fold.shown - 1,
      ArrowDown: fold.shown + 1,
      Home: 0,
      End: total,
    }[event.key];
    if (to === undefined || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    event.stopPropagation();
    if (to >= 0 && to <= total) moveFold(fold, to, event);
  }

  function addFolds() {
    for (const [id, noun] of Object.entries(FOLD_NOUNS)) {
      const group = document.getElementById(id);
      if (!group) continue;
      const rows = foldRows(group);
      const boxes = rows.map(onIndexBox);
      let shown = 0;
      while (shown < boxes.length && boxes[shown].checked) shown += 1;
      const tabular = Boolean(group.querySelector("tbody"));
      const marker = document.createElement(tabular ? "tr" : "div");
      marker.className = "fold-marker";
      marker.tabIndex = 0;
      marker.setAttribute("role", "separator");
      marker.setAttribute("aria-orientation", "horizontal");
      marker.setAttribute("aria-valuemin", "0");
      marker.setAttribute("aria-label", `Fold of the ${noun}: the ${noun} above it show on the index. Drag it, or move it with the arrow keys.`);
      marker.title = "Drag the fold, or focus it and press ↑/↓ (Alt+↑/↓), Home, End";
      const inner = document.createElement(tabular ? "td" : "div");
      if (tabular) {
        const head = group.querySelector("thead tr");
        inner.colSpan = head ? [...head.cells].reduce((sum, cell) => sum + cell.colSpan, 0) : 8;
      }
      const grip = document.createElement("span");
      grip.className = "fold-grip";
      grip.setAttribute("aria-hidden", "true");
      const label = document.createElement("span");
      label.className = "fold-label";
      inner.append(grip, label);
      marker.append(inner);
      const fold = {
        group,
        marker,
        label,
        shown,
        mixed: boxes.slice(shown).some((box) => box.checked),
      };
      if (tabular) group.querySelector("tbody").prepend(marker);
      else (rows[0] || group.querySelector(".add-row") || group.lastElementChild).before(marker);
      group.classList.add("has-fold");
      placeFold(fold);
      marker.addEventListener("pointerdown", (event) => dragFold(fold, event));
      marker.addEventListener("keydown", (event) => keyFold(fold, event));
      // A part dragged by its handle (adminsortable2): the fold keeps its count.
      group.addEventListener("dragend", (event) => refreshFold(fold, event));
      folds.push(fold);
    }
    // A part added with "Add another": below the fold, unless every part was on the index.
    document.addEventListener("formset:added", (event) => {
      for (const fold of folds) {
        if (!fold.group.contains(event.target)) continue;
        const total = foldRows(fold.group).length;
        if (fold.shown === total - 1 && !fold.mixed) fold.shown = total;
        refreshFold(fold, null);
      }
    });
  }

  // After parts moved or were added: the fold keeps its count (a list whose boxes were mixed
  // keeps them, until the editor moves the fold).
  function refreshFold(fold, event) {
    if (fold.mixed) placeFold(fold);
    else applyFold(fold, event);
  }

  function refreshFolds(event) {
    for (const fold of folds) refreshFold(fold, event);
  }

  // A row added with "Add another" and left empty is skipped by the save only if it is as it
  // came; the fold's untick would make it a part without text ("This field is required").
  function untouchAddedRows() {
    for (const fold of folds) {
      for (const row of foldRows(fold.group)) {
        if (row.classList.contains("has_original")) continue;
        const fields = row.querySelectorAll("input[type=text], input[type=url], textarea");
        if ([...fields].every((field) => !field.value.trim())) {
          const box = onIndexBox(row);
          box.checked = box.defaultChecked;
        }
      }
    }
  }

  // After edits were restored into the form: each fold where the restored boxes put it.
  function foldsFromBoxes() {
    for (const fold of folds) {
      const boxes = foldRows(fold.group).map(onIndexBox);
      fold.shown = 0;
      while (fold.shown < boxes.length && boxes[fold.shown].checked) fold.shown += 1;
      fold.mixed = boxes.slice(fold.shown).some((box) => box.checked);
      placeFold(fold);
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
    addFolds();
    const title = document.getElementById("id_title");
    const day = document.getElementById("id_publish_at_0");
    for (const el of [title, day]) if (el) el.addEventListener("input", checkTitleDate);
    if (day) day.addEventListener("change", checkTitleDate);
    // The admin's calendar widget sets the date without an input event.
    document.addEventListener("click", () => setTimeout(checkTitleDate, 0));
    checkTitleDate();
  });
})();
