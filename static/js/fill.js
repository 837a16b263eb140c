/* Filling a checklist on a tablet: nothing typed is lost.
 *
 * Every change goes first to localStorage ("pending"), then to the server as a draft
 * (debounced). What the server confirms leaves "pending"; what it could not receive (offline,
 * network error) stays and is sent when the connection returns, or restored after a reload.
 * What the server confirmed is remembered too ("saved", with the revision the server gave):
 * a page reloaded without a connection is the copy kept when it was first opened, older than
 * those saves, so they are laid over it before the pending changes. The visit's tabs share that
 * record: what one saves, the others show at once (each value with the revision of its save).
 * localStorage reaches the disk late, so every change is also written to IndexedDB
 * (static/js/draft-store.js), whence a page adopts what a killed browser left only there.
 * Photos wait in IndexedDB until sent (static/js/fill-photos.js). Without these scripts the page
 * is a plain form.
 */
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  if (!form) return;
  var msg = JSON.parse(document.getElementById("fill-messages").textContent);
  // Each tab keeps its unsent changes under a key of its own: two tabs of one visit on one tablet
  // wrote one key in turn and the last one's changes replaced the other's.
  var PREFIX = "audit-draft:" + form.dataset.uuid, KEY = PREFIX + ":" + Math.random().toString(36).slice(2);
  var HELD_KEY = PREFIX + ":held";  // changes kept after the visit was submitted elsewhere
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var stateEl = document.getElementById("save-state");
  var timer = null, inflight = false, lastErrors = {}, conflicted = false;
  var photos = window.AuditFillPhotos(form, msg, csrf, { changed: photosChanged, error: photoError, conflict: conflict });
  // A page kept offline from an older version may come without draft-store.js: localStorage alone then.
  var drafts = window.AuditDraftStore || { put: function () {}, remove: function () {}, list: function () { return Promise.resolve(null); } };
  // The same goes for an older draft-store.js: the plain comparison then (a "4,5" kept for 4.5 is offered again).
  var sameValue = drafts.sameValue || function (typed, stored) {
    return String(typed === null || typed === undefined ? "" : typed).trim() === String(stored === null || stored === undefined ? "" : stored).trim();
  };
  var KINDS = ["answers", "comments", "details"];

  document.body.classList.add("js");

  // ---- pending changes, kept in localStorage until the server confirms them -------------
  function empty() { return { answers: {}, comments: {}, details: {} }; }
  // A page opens with every change its visit's other tabs (open, closed or killed) left unsent,
  // the latest of each, and sends them with its own; their keys are taken over.
  var leftBehind = {};  // key -> the record localStorage had for it
  var heldAtLoad = null;  // what earlier pages kept after a conflict, merged
  function mergeRecords(records) {
    var merged = empty();
    records.sort(function (a, b) { return (a.at || 0) - (b.at || 0); });
    records.forEach(function (changes) {
      KINDS.forEach(function (kind) {
        Object.keys(changes[kind] || {}).forEach(function (id) { merged[kind][id] = changes[kind][id]; });
      });
    });
    return merged;
  }
  function loadPending() {
    var keys = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key === PREFIX || key.indexOf(PREFIX + ":") === 0) keys.push(key);
      }
      keys.forEach(function (key) {
        try { var found = JSON.parse(localStorage.getItem(key)); if (found) leftBehind[key] = found; } catch (e) { /* unreadable */ }
      });
    } catch (e) { return empty(); }  // storage switched off
    var records = Object.keys(leftBehind).map(function (key) { return leftBehind[key]; });
    heldAtLoad = mergeRecords(records.filter(function (r) { return r.conflict; }));
    var merged = mergeRecords(records.filter(function (r) { return !r.conflict; }));
    if (Object.keys(merged.answers).length + Object.keys(merged.comments).length + Object.keys(merged.details).length) {
      localStorage.setItem(KEY, JSON.stringify(Object.assign({ at: Date.now() }, merged)));
    }
    keys.forEach(function (key) { if (key !== HELD_KEY) localStorage.removeItem(key); });
    return merged;
  }
  // The durable copy (IndexedDB) is read when it opens, a moment after the page: a record newer
  // than localStorage's copy of the same key (or one localStorage never had) was typed just
  // before the browser was killed. Its changes are taken, except on fields changed here since.
  var changedHere = {};
  function adoptDurableCopy() {
    drafts.list(PREFIX).then(function (found) {
      if (found === null) { if (heldAtLoad) storeHeld(); return; }  // no IndexedDB: localStorage alone
      var records = Object.assign({}, leftBehind), newer = false;
      var durableHeld = found.filter(function (entry) { return entry.key === HELD_KEY; }).length > 0;
      if (leftBehind[HELD_KEY] && !durableHeld) {
        // Applied or discarded just before the browser was killed: IndexedDB, on disk at once,
        // no longer has it; localStorage had not caught up. Not asked again.
        delete records[HELD_KEY];
        held = mergeRecords(Object.keys(records).map(function (key) { return records[key]; })
          .filter(function (r) { return r.conflict; }));
      }
      found.forEach(function (entry) {
        if (entry.key === KEY || entry.key === HELD_KEY) return;
        var record = null;
        try { record = JSON.parse(entry.text); } catch (e) { record = null; }
        if (record && (!records[entry.key] || (record.at || 0) > (records[entry.key].at || 0))) {
          records[entry.key] = record;
          newer = true;
        }
        drafts.remove(entry.key);
      });
      if (!newer) { storeHeld(); showHeld(); return; }
      var all = Object.keys(records).map(function (key) { return records[key]; });
      holdBack(mergeRecords(all.filter(function (r) { return r.conflict; })));
      var adopted = mergeRecords(all.filter(function (r) { return !r.conflict; })), taken = 0;
      KINDS.forEach(function (kind) {
        Object.keys(adopted[kind]).forEach(function (id) {
          if (changedHere[kind + ":" + id] || pending[kind][id] === adopted[kind][id]) return;
          pending[kind][id] = adopted[kind][id];
          taken += 1;
        });
      });
      if (!taken) return;
      store();
      lay(pending);
      refresh();
      if (conflicted) { showUnsent(); return; }
      setState(navigator.onLine ? "saving" : "offline");
      schedule(0);
    });
  }
  var pending = form.dataset.savedNow ? refusedValues() : loadPending();  // a POST just saved the form
  var held = heldAtLoad || empty();
  // After a POST the page holds what was stored, except the values the server refused (marked
  // with their message): those stay on the tablet as changes still to send, so a reload or a
  // killed tab does not lose them.
  function refusedValues() {
    var kept = empty();
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      if (!el.textContent.trim()) return;
      var id = el.dataset.errorFor, box = el.closest(".question, .field");
      if (box && box.classList.contains("field")) {
        var detail = box.querySelector("[data-detail]");
        if (detail && detail.value) kept.details[detail.dataset.detail] = detail.value;
        return;
      }
      var answer = valueOf("answer-" + id), comment = valueOf("comment-" + id);
      if (answer) kept.answers[id] = answer;
      if (comment) kept.comments[id] = comment;
    });
    return kept;
  }
  function store() {
    if (count() === 0) {
      try { localStorage.removeItem(KEY); } catch (e) { /* switched off */ }
      drafts.remove(KEY);
      return;
    }
    var text = JSON.stringify(Object.assign({ at: Date.now() }, conflicted ? { conflict: true } : {}, pending));
    drafts.put(KEY, text);
    try {
      localStorage.setItem(KEY, text);
    } catch (e) { /* full or switched off: the changes are still sent from this page */ }
  }
  // Confirmed saves newer than this page (which is then the offline copy); else the page has them.
  // Each value keeps the revision of the save that confirmed it ("revisions"): the record is shared
  // by the visit's tabs on this tablet, and one tab's saves reach the others through it (the
  // "storage" event below), field by field where newer than what that tab has. Tab A showed
  // "Saved" and its own older answer after tab B had saved another one.
  var SAVED_KEY = "audit-saved:" + form.dataset.uuid, revision = Number(form.dataset.revision || 0);
  var saved = null;
  try { saved = JSON.parse(localStorage.getItem(SAVED_KEY)); } catch (e) { saved = null; }
  if (!saved || !(saved.revision > revision)) saved = { revision: revision, answers: {}, comments: {}, details: {} };
  saved.revisions = saved.revisions || empty();  // none in a record of an older version of this page
  KINDS.forEach(function (kind) { saved[kind] = saved[kind] || {}; saved.revisions[kind] = saved.revisions[kind] || {}; });
  // The revision of the value this page has of a field: its last confirmed save, else the page's.
  function revisionOf(kind, id) { return saved.revisions[kind][id] || revision; }
  // Another tab's confirmed values, where newer than this page's, are taken and shown, except on
  // fields this page has a change of its own waiting for: that change is sent after, and stays.
  // A value without a revision of its own (an older version's record) is left: it may be older.
  function takeSaved(record) {
    var shown = 0;
    if (!record || !record.revisions) return 0;
    KINDS.forEach(function (kind) {
      var values = record[kind] || {}, revisions = record.revisions[kind] || {};
      Object.keys(values).forEach(function (id) {
        if (!(revisions[id] > revisionOf(kind, id))) return;
        saved[kind][id] = values[id];
        saved.revisions[kind][id] = revisions[id];
        if (Object.prototype.hasOwnProperty.call(pending[kind], id)) return;
        if (valueOf(kind === "answers" ? "answer-" + id : kind === "comments" ? "comment-" + id : id) === values[id]) return;
        layOne(kind, id, values[id]);
        shown += 1;
      });
    });
    if (record.revision > saved.revision) saved.revision = record.revision;
    return shown;
  }
  // The values the server gave the page, but those it refused (shown as they were typed).
  function pageValues() {
    var values = empty();
    form.querySelectorAll("[name^='answer-'], [name^='comment-'], [data-detail]").forEach(function (el) {
      var name = el.name, kind = "details", key = el.dataset.detail;
      if (name.indexOf("answer-") === 0) { kind = "answers"; key = name.slice(7); }
      else if (name.indexOf("comment-") === 0) { kind = "comments"; key = name.slice(8); }
      var error = form.querySelector('[data-error-for="' + key + '"]');
      if (el.type === "file" || (error && error.textContent.trim())) return;
      if (el.type !== "radio") values[kind][key] = el.defaultValue;
      else if (el.defaultChecked) values[kind][key] = el.value;
      else if (!(key in values[kind])) values[kind][key] = "";
    });
    return values;
  }
  // A page brought back by a "Save draft" of the whole form shows the server's values as that save
  // left them: kept as confirmed at the page's revision, for the other tabs to take too.
  if (form.dataset.savedNow) {
    var onPage = pageValues();
    KINDS.forEach(function (kind) {
      Object.keys(onPage[kind]).forEach(function (id) {
        if (saved.revisions[kind][id] > revision) return;  // saved since in another tab
        saved[kind][id] = onPage[kind][id];
        saved.revisions[kind][id] = revision;
      });
    });
  }
  function storeSaved() {
    // Read first: a save of another tab not announced here yet (its event comes after) is kept.
    try { takeSaved(JSON.parse(localStorage.getItem(SAVED_KEY))); } catch (e) { /* unreadable: replaced */ }
    try { localStorage.setItem(SAVED_KEY, JSON.stringify(saved)); } catch (e) { /* full: the page still works */ }
  }
  storeSaved();
  function size(changes) {
    return Object.keys(changes.answers).length + Object.keys(changes.comments).length +
      Object.keys(changes.details).length;
  }
  function count() { return size(pending); }
  store();

  // ---- reading and writing the controls ---------------------------------------------------
  function control(name) { return form.elements[name]; }
  function valueOf(name) {
    var el = control(name);
    return el ? (el.value || "") : "";
  }
  function setValue(name, value) {
    var el = control(name);
    if (!el) return;
    if (typeof el.length === "number" && !el.tagName) {  // a RadioNodeList
      Array.prototype.forEach.call(el, function (radio) { radio.checked = radio.value === value; });
    } else {
      el.value = value === null ? "" : value;
    }
  }
  function lay(changes) {
    Object.keys(changes.answers).forEach(function (id) { setValue("answer-" + id, changes.answers[id]); });
    Object.keys(changes.comments).forEach(function (id) {
      setValue("comment-" + id, changes.comments[id]);
      // Open, as the server renders a box with a comment: a kept comment laid over the page kept
      // offline (whose box was closed) was hidden, with nothing showing it was there.
      var box = control("comment-" + id) && control("comment-" + id).closest("details");
      if (box && String(changes.comments[id] || "").trim()) box.open = true;
    });
    Object.keys(changes.details).forEach(function (key) { setValue(key, changes.details[key]); });
  }
  function layOne(kind, id, value) {
    var one = empty();
    one[kind][id] = value;
    lay(one);
  }
  function restorePending() {
    lay(saved);
    lay(pending);
  }

  // ---- a number answer checked as it is typed, as the server checks it (checklist/answers.py) --
  // Outside the question's range, or no number at all, the question shows at once the message the
  // server would give (the page carries it in its language), also offline. The value stays in the
  // box and in the draft kept on the tablet, but is not sent: the server would refuse it, keep its
  // earlier answer, and be sent it again every 15 s. A save of the whole form still sends it.
  var NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;
  function numberProblem(input, text) {
    var typed = String(text === null || text === undefined ? "" : text).trim();
    if (!typed) return "";
    if (typed.toLowerCase() === "na") return input.dataset.na ? "" : msg.na_not_allowed;
    // A decimal comma and grouping spaces, as in "1 000,5"; digits only, as the server reads them.
    var written = typed.replace(/[ \u00a0\u202f]/g, "").replace(/,/g, "."), number = Number(written);
    if (!NUMBER.test(written) || !isFinite(number)) return msg.not_a_number;
    // At most 15 digits, leading zeros aside (answers.py's MAX_DIGITS): a longer number is rounded.
    var parts = written.replace(/^[-+]/, "").split(".");
    if ((parts[0].replace(/^0+/, "") + (parts[1] || "")).length > 15) return msg.too_many_digits;
    var low = Number(input.dataset.min || 0), high = input.dataset.max ? Number(input.dataset.max) : Infinity;
    if (input.dataset.rangeMessage && (number < low || number > high)) return input.dataset.rangeMessage;
    return number < 0 ? msg.negative : "";
  }
  function numberInput(id) {
    var el = control("answer-" + id);
    return el && el.tagName === "INPUT" && el.closest(".question[data-type=number]") ? el : null;
  }
  function refusedHere(id, value) {
    var input = numberInput(id);
    return !!input && !!numberProblem(input, value);
  }
  // A comment over the server's limit is refused the same way, here and offline; its answer is
  // sent and counts as given.
  function commentTooLong(text) { return String(text || "").trim().length > msg.max_comment; }
  function withheld() {
    return Object.keys(pending.answers).filter(function (id) { return refusedHere(id, pending.answers[id]); }).length +
      Object.keys(pending.comments).filter(function (id) { return commentTooLong(pending.comments[id]); }).length;
  }
  // What a save sends: the changes waiting, but the answers and comments refused here.
  function sendable() {
    var sent = JSON.parse(JSON.stringify(pending));
    Object.keys(sent.answers).forEach(function (id) { if (refusedHere(id, sent.answers[id])) delete sent.answers[id]; });
    Object.keys(sent.comments).forEach(function (id) { if (commentTooLong(sent.comments[id])) delete sent.comments[id]; });
    return sent;
  }
  // The message of a number question, as its box reads now. A message of the server about the
  // value (after a refused save) goes once the value is right; others (a missing comment) stay.
  function checkNumber(q) {
    var id = q.dataset.item, input = numberInput(id);
    if (!input) return false;
    var problem = numberProblem(input, input.value), before = lastErrors[id];
    var ours = [input.dataset.rangeMessage, msg.not_a_number, msg.too_many_digits, msg.negative, msg.na_not_allowed];
    if (problem === (before || "")) return false;
    if (problem) lastErrors[id] = problem;
    else if (ours.indexOf(before) !== -1) delete lastErrors[id];
    else return false;
    q.querySelector("[data-error-for]").textContent = problem;
    q.classList.toggle("has-error", !!problem);
    return true;
  }
  // The message of a comment too long, after the number's (the answer is the one to mend first).
  function checkComment(q) {
    var id = q.dataset.item, box = control("comment-" + id);
    if (!box || box.tagName !== "TEXTAREA") return false;
    var tooLong = commentTooLong(box.value), before = lastErrors[id];
    if (tooLong && !before) lastErrors[id] = msg.comment_too_long;
    else if (!tooLong && before === msg.comment_too_long) delete lastErrors[id];
    else return false;
    q.querySelector("[data-error-for]").textContent = lastErrors[id] || "";
    q.classList.toggle("has-error", !!lastErrors[id]);
    if (tooLong) q.querySelector("details.comment").open = true;
    return true;
  }

  // ---- what the page shows: show_if, failing items, progress, save state -------------------
  function bandScore(bands, text) {
    var number = parseFloat(String(text).replace(",", "."));
    if (isNaN(number)) return null;
    for (var i = 0; i < bands.length; i++) {
      if (bands[i][0] === null || number <= bands[i][0]) return bands[i][1];
    }
    return null;
  }
  function fails(question, value) {
    if (!value) return false;
    if (question.dataset.bands) {
      var score = bandScore(JSON.parse(question.dataset.bands), value);
      return score !== null && score < 0.5;
    }
    return JSON.parse(question.dataset.failing || "[]").indexOf(value) !== -1;
  }
  // A failure is what the branch will be shown: its "Comment or photo" unfolds by itself, so that
  // "Add a photo" is one tap away, and folds again when the answer is changed to a pass before
  // anything was written or attached. Only on a tap of an answer button, under that button: a
  // number's box would unfold as the field loses focus, that is, at the tap on the next question,
  // and move that question under the finger (the tap then lands on whatever took its place).
  function offerEvidence(q, value) {
    var box = q && q.querySelector("details.comment");
    if (!box) return;
    if (fails(q, value)) {
      if (!box.open) { box.open = true; box.dataset.unfolded = "failure"; }
    } else if (box.dataset.unfolded && !valueOf("comment-" + q.dataset.item).trim() && !q.querySelector(".photos .photo")) {
      box.open = false;
      delete box.dataset.unfolded;
    }
  }
  function refresh() {
    var visible = {}, required = 0, answered = 0, marked = false, left = {};
    form.querySelectorAll(".question").forEach(function (q) {
      if (q.dataset.type === "number" && checkNumber(q)) marked = true;
      if (checkComment(q)) marked = true;
      var id = q.dataset.item, rule = q.dataset.showIf ? JSON.parse(q.dataset.showIf) : null;
      var show = !rule || (visible[rule.item] && rule.values.indexOf(valueOf("answer-" + rule.item)) !== -1);
      q.hidden = !show;
      if (!show) return;
      visible[id] = true;
      var value = valueOf("answer-" + id);
      var needs = !!q.dataset.commentOnFail && fails(q, value) && !valueOf("comment-" + id).trim();
      // A refused value is no answer, nor is a failure still waiting for its required comment; a
      // comment refused as too long leaves its answer given.
      var refused = !!lastErrors[id] && lastErrors[id] !== msg.comment_too_long;
      if (q.dataset.required) {
        required += 1;
        if (value && !refused && !needs) answered += 1;
        else { var section = q.closest(".fill-section").dataset.section; left[section] = (left[section] || 0) + 1; }
      }
      var errorEl = q.querySelector("[data-error-for]");
      if (q.dataset.commentOnFail) {
        if (needs) { q.querySelector("details.comment").open = true; }
        q.classList.toggle("needs-comment", needs);
        if (!lastErrors[id]) errorEl.textContent = needs ? msg.comment_needed : "";
      }
    });
    if (marked) markSections();
    markUnanswered(left);
    var bar = document.getElementById("progress-fill");
    bar.style.width = (required ? Math.round(100 * answered / required) : 100) + "%";
    document.getElementById("progress-text").textContent =
      msg.progress.replace("%(answered)s", answered).replace("%(required)s", required);
    // A date outside the scheduled window is allowed (the shop was shut that day …) but marked.
    var windowEl = document.getElementById("visit-window"), outside = document.getElementById("window-warning");
    if (windowEl && outside) {
      var day = (form.elements.visited_at.value || "").slice(0, 10);  // datetime-local: YYYY-MM-DDTHH:MM
      outside.hidden = !day || (day >= windowEl.dataset.from && day <= windowEl.dataset.until);
    }
  }
  // What the connection's return will send: the changes, but the answers refused here, and the
  // photos. A refused value is kept on the tablet, not sent: counted as waiting, it told the
  // auditor it would go by itself.
  function waiting() { return size(sendable()) + photos.waiting(); }
  function setState(kind) {
    var left = waiting();
    if (stateEl.dataset.state === "signed-out" && kind !== "saved") return;  // until the page is reloaded
    // Nothing to send but refused answers: "not saved", offline as online, until they are corrected.
    if (kind === "offline" && !left && withheld()) kind = "error";
    stateEl.dataset.state = kind;
    if (kind === "offline" && left && navigator.onLine) {  // online, but the server did not answer
      stateEl.textContent = msg.not_sent.replace("%(n)s", left);
    } else if (kind === "offline" && left) {
      stateEl.textContent = left === 1 ? msg.offline_one : msg.offline.replace("%(n)s", left);
    } else if (kind === "offline") {  // "Saved" in the offline colour read as a contradiction
      stateEl.textContent = msg.offline_all_saved;
    } else if (kind === "saving") {
      stateEl.textContent = msg.saving;
    } else if (kind === "saved") {
      stateEl.textContent = msg.saved;
    } else if (kind === "error") {
      stateEl.textContent = msg.not_saved;
    }
    document.getElementById("offline-note").hidden = navigator.onLine;
  }
  // Errors of the fields a save sent replace theirs; the others (the page's own, from a refused
  // submit) stay until their field is sent.
  form.querySelectorAll("[data-error-for]").forEach(function (el) {
    if (el.textContent.trim()) lastErrors[el.dataset.errorFor] = el.textContent.trim();
  });
  function stillNeedsComment(id) {
    var question = form.querySelector('.question[data-item="' + id + '"]');
    return !!question && question.classList.contains("needs-comment");
  }
  function showErrors(errors, sent) {
    errors = errors || {};
    KINDS.forEach(function (kind) {
      Object.keys(sent[kind]).forEach(function (key) {
        // A draft takes a failure without its required comment, which the refused submit marked:
        // the mark stays (here and on the section button) until the comment is written.
        if (errors[key]) lastErrors[key] = errors[key];
        else if (lastErrors[key] && stillNeedsComment(key)) lastErrors[key] = msg.comment_needed;
        else delete lastErrors[key];
      });
    });
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      var id = el.dataset.errorFor, box = el.closest(".question, .field");
      if (lastErrors[id]) el.textContent = lastErrors[id];
      else if (!box || !box.classList.contains("needs-comment")) el.textContent = "";
      if (box) box.classList.toggle("has-error", !!lastErrors[id]);
    });
    markSections();
  }
  // The section buttons say where the required answers still missing are (the counter's rule,
  // counted by refresh): a number on the button, and in its name for a screen reader.
  function markUnanswered(left) {
    form.querySelectorAll(".section-nav [data-section-link]").forEach(function (link) {
      if (link.dataset.sectionLink === "details") return;
      var n = left[link.dataset.sectionLink] || 0, badge = link.querySelector(".chip-left");
      if (link.dataset.label === undefined) link.dataset.label = link.getAttribute("aria-label") || "";
      link.classList.toggle("unanswered", n > 0);
      // A page kept offline by an older version has no words for it: the number alone then.
      var words = n && msg.section_left ? " – " + msg.section_left.replace("%(n)s", n) : "";
      link.setAttribute("aria-label", link.dataset.label + words);
      if (!n) { if (badge) badge.remove(); return; }
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "chip-left";
        badge.setAttribute("aria-hidden", "true");
        link.appendChild(badge);
      }
      badge.textContent = n;
    });
  }
  // The section buttons say where the marked answers are.
  function markSections() {
    form.querySelectorAll("[data-section-link]").forEach(function (link) {
      var section = document.getElementById("s-" + link.dataset.sectionLink);
      link.classList.toggle("has-error", !!(section && section.querySelector(".has-error")));
    });
  }

  // ---- sending the draft ------------------------------------------------------------------
  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(flush, delay === undefined ? 600 : delay);
  }
  function flush() {
    if (conflicted) return;
    if (inflight) { schedule(); return; }
    if (count() === 0) { photosChanged(); return; }  // "saved" only once no photo waits either
    if (!navigator.onLine) { setState("offline"); return; }
    var sent = sendable();
    if (!size(sent)) { photosChanged(); return; }  // only answers refused here wait: marked, not sent
    inflight = true;
    setState("saving");
    fetch(form.dataset.draftUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(sent)
    }).then(function (response) {
      if (response.status === 409) { conflict(); return null; }  // submitted from another tab or device
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if ((response.redirected && /\/login$/.test(new URL(response.url).pathname)) || (!json && response.status === 400)) {
        // Signed out (elsewhere, or the session ran out) or the page's form token expired: not
        // a lost connection. The changes stay on the tablet until the page is opened again.
        stateEl.dataset.state = "signed-out";
        stateEl.textContent = msg.signed_out;
        return null;
      }
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (data) {
      if (!data) return;
      KINDS.forEach(function (kind) {
        Object.keys(sent[kind]).forEach(function (key) {
          if ((data.errors || {})[key]) return;
          // Forget what the server accepted, unless it was changed again meanwhile.
          if (pending[kind][key] === sent[kind][key]) delete pending[kind][key];
          if (saved.revisions[kind][key] > data.revision) {  // saved after this by another tab: that value stands
            if (!Object.prototype.hasOwnProperty.call(pending[kind], key)) layOne(kind, key, saved[kind][key]);
            return;
          }
          saved[kind][key] = sent[kind][key];
          if (data.revision) saved.revisions[kind][key] = data.revision;
        });
      });
      if (data.revision > saved.revision) saved.revision = data.revision;
      storeSaved();
      store();
      showErrors(data.errors, sent);
      refresh();
      if (Object.keys(data.errors || {}).length) setState("error"); else photosChanged();
    }).catch(function () {
      setState("offline");
    }).then(function () {
      inflight = false;
    });
  }

  // What this tablet had not sent yet stays on it, listed for the auditor to pass on to the
  // reviewer: it was evidence (a failed critical item, a photo …), not to be thrown away.
  function conflict() {
    conflicted = true;
    store();  // marked: a page opened later holds these back instead of sending them
    stateEl.dataset.state = "conflict";
    stateEl.textContent = msg.submitted_elsewhere;
    showUnsent();
  }
  function showUnsent() {
    var box = document.getElementById("unsent");
    var list = box.querySelector("ul");
    listChanges(list, pending);
    form.querySelectorAll(".photo[data-queue-key]").forEach(function (photo) {
      var li = document.createElement("li");
      li.textContent = labelled(questionText(photo.closest(".question")), msg.photo_waiting);
      list.appendChild(li);
    });
    box.hidden = !list.children.length;
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  }
  // A question as the auditor reads it, without its "Critical" badge.
  function questionText(box) {
    if (!box) return "";
    var text = box.querySelector(".q-text").cloneNode(true);
    text.querySelectorAll(".badge").forEach(function (badge) { badge.remove(); });
    return text.textContent.trim();
  }
  // "Question: answer", with no colon after a question mark: "Was it clean? No".
  function labelled(label, text) {
    return (label ? label + (/[?!.:]$/.test(label) ? " " : ": ") : "") + text;
  }
  // Each change as "Question: answer" (the answer as its button names it), "Question: “comment”".
  function listChanges(list, changes) {
    list.textContent = "";
    function add(label, text) {
      var li = document.createElement("li");
      li.textContent = labelled(label, text);
      list.appendChild(li);
    }
    function question(id) { return questionText(document.getElementById("q-" + id)); }
    Object.keys(changes.answers).forEach(function (id) {
      var value = changes.answers[id], button = null;
      form.querySelectorAll('[name="answer-' + id + '"]').forEach(function (el) { if (el.value === value && el.type === "radio") button = el; });
      add(question(id), button ? button.parentNode.textContent.trim() : value);
    });
    Object.keys(changes.comments).forEach(function (id) { add(question(id), "“" + changes.comments[id] + "”"); });
    Object.keys(changes.details).forEach(function (key) {
      var label = control(key) && control(key).closest("label");
      add(label ? label.querySelector("span").textContent : "", changes.details[key]);
    });
  }

  // Changes typed here after the visit had been submitted elsewhere were kept, not sent. If the
  // reviewer returns the visit, they are not sent by themselves either: the visit may have been
  // returned for other reasons, and they may contradict what was submitted. The auditor decides.
  function showHeld() {
    var box = document.getElementById("held-back");
    if (!box) return;
    dropServerValues(held);
    var count = Object.keys(held.answers).length + Object.keys(held.comments).length + Object.keys(held.details).length;
    box.hidden = !count;
    if (count) listChanges(box.querySelector("ul"), held);
  }
  function storeHeld() {
    dropServerValues(held);
    var text = JSON.stringify(Object.assign({ at: Date.now(), conflict: true }, held));
    var none = !(Object.keys(held.answers).length + Object.keys(held.comments).length + Object.keys(held.details).length);
    try { if (none) localStorage.removeItem(HELD_KEY); else localStorage.setItem(HELD_KEY, text); } catch (e) { /* off */ }
    if (none) drafts.remove(HELD_KEY); else drafts.put(HELD_KEY, text);
  }
  // A kept change the server has already (another tab sent the same, or it was saved after all)
  // is no change: not offered, not kept. The server's values are those the page was made with.
  function dropServerValues(changes) {
    KINDS.forEach(function (kind) {
      Object.keys(changes[kind]).forEach(function (id) {
        var name = kind === "answers" ? "answer-" + id : kind === "comments" ? "comment-" + id : id;
        var el = control(name), now = null, number = false;
        if (!el) return;
        if (typeof el.length === "number" && !el.tagName) {  // a RadioNodeList
          now = "";
          Array.prototype.forEach.call(el, function (radio) { if (radio.defaultChecked) now = radio.value; });
        } else if (el.type !== "file") {
          now = el.defaultValue;
          number = kind === "answers" && !!el.closest(".question[data-type=number]");
        }
        if (now !== null && sameValue(changes[kind][id], now, number, id === "visited_at")) delete changes[kind][id];
      });
    });
    return changes;
  }
  function holdBack(changes) {
    KINDS.forEach(function (kind) {
      Object.keys(changes[kind] || {}).forEach(function (id) { held[kind][id] = changes[kind][id]; });
    });
    storeHeld();
    showHeld();
  }
  var heldBox = document.getElementById("held-back");
  if (heldBox) {
    heldBox.querySelector("[data-held=apply]").addEventListener("click", function () {
      KINDS.forEach(function (kind) {
        Object.keys(held[kind]).forEach(function (id) { pending[kind][id] = held[kind][id]; changedHere[kind + ":" + id] = true; });
      });
      held = empty();
      store();  // first, and with the removal below in one transaction: the changes are never in neither place
      storeHeld();
      showHeld();
      lay(pending);
      refresh();
      setState(navigator.onLine ? "saving" : "offline");
      schedule(0);
    });
    heldBox.querySelector("[data-held=discard]").addEventListener("click", function () {
      held = empty();
      storeHeld();
      showHeld();
    });
  }

  form.addEventListener("input", onChange);
  form.addEventListener("change", onChange);
  function onChange(event) {
    var el = event.target, name = el.name || "", kind, key;
    if (el.type === "file") return;
    if (name.indexOf("answer-") === 0) { kind = "answers"; key = name.slice(7); }
    else if (name.indexOf("comment-") === 0) { kind = "comments"; key = name.slice(8); }
    else if (el.dataset.detail) { kind = "details"; key = el.dataset.detail; }
    else return;
    pending[kind][key] = kind === "answers" ? valueOf(name) : el.value;
    changedHere[kind + ":" + key] = true;
    store();
    refresh();
    if (kind === "answers" && el.type === "radio" && event.type === "change") offerEvidence(el.closest(".question"), pending.answers[key]);
    if (conflicted) { showUnsent(); return; }  // nothing more is sent; the list grows
    // "Not saved" at once for an answer refused here, when nothing else is to be sent.
    setState(!navigator.onLine ? "offline" : size(sendable()) ? "saving" : "error");
    schedule(el.tagName === "TEXTAREA" || el.type === "text" ? 900 : 300);
  }
  // Another tab of this visit saved: its confirmed values are laid over this page's (takeSaved).
  window.addEventListener("storage", function (event) {
    if (event.key !== SAVED_KEY || !event.newValue) return;  // none: the visit was submitted (page.js)
    var record = null;
    try { record = JSON.parse(event.newValue); } catch (e) { return; }
    if (takeSaved(record)) refresh();
  });
  window.addEventListener("online", function () { flush(); photos.send(); });
  window.addEventListener("offline", function () { setState("offline"); });
  // Answers and photos that could not be sent (the server down, an error) are tried again.
  setInterval(function () { if (count()) flush(); if (photos.waiting() && !conflicted) photos.send(); }, 15000);

  form.addEventListener("submit", function (event) {
    if (stateEl.dataset.state === "signed-out") {
      // Posted, the form came back as the generic "page has expired" (400): the form token went
      // with the session. Said by the buttons instead; the answers stay on the tablet.
      event.preventDefault();
      var note = document.getElementById("signed-out-note");  // none on a page kept from an older version
      if (!note) return;
      note.textContent = msg.signed_out;
      note.hidden = false;
      note.scrollIntoView({ block: "nearest" });
      return;
    }
    if (!navigator.onLine) {
      event.preventDefault();
      setState("offline");
      document.getElementById("offline-note").hidden = false;
      return;
    }
    var submitter = event.submitter || lastPressed;  // event.submitter: Safari 15.4 and later
    var submitting = submitter && submitter.value === "submit";
    if (submitting && photos.waiting()) {
      // A submitted visit takes no more photos: one still waiting here would be left behind.
      event.preventDefault();
      document.getElementById("photos-note").hidden = false;
      photos.send();
      return;
    }
    // Saved, the page comes back to the section it was on (the attribute: form.action is the buttons
    // named "action"); submitted, it goes on to the visit page, whose address the section would
    // follow (a refused submit opens on its first marked answer and names that section itself).
    form.setAttribute("action", form.getAttribute("action").split("#")[0] + (submitting ? "" : location.hash || ""));
    // Only what this page changed and the server has not confirmed yet is sent with the form:
    // the rest may have been changed since on another tablet or in another tab, and sending the
    // page's older copy of it would undo that.
    var left = [];
    form.querySelectorAll("[name^='answer-'], [name^='comment-'], [data-detail]").forEach(function (el) {
      var name = el.name, kind = "details", key = el.dataset.detail;
      if (name.indexOf("answer-") === 0) { kind = "answers"; key = name.slice(7); }
      else if (name.indexOf("comment-") === 0) { kind = "comments"; key = name.slice(8); }
      if (!Object.prototype.hasOwnProperty.call(pending[kind], key)) { el.disabled = true; left.push(el); }
    });
    // The form's data is taken as this event ends: the fields are usable again at once, should
    // the request stall or the page come back from the browser's history.
    setTimeout(function () { left.forEach(function (el) { el.disabled = false; }); }, 0);
  });
  var lastPressed = null;
  form.querySelectorAll("button[type=submit]").forEach(function (button) {
    button.addEventListener("click", function () { lastPressed = button; });
  });

  // ---- photos (static/js/fill-photos.js) ---------------------------------------------------
  function photoError(item, message) {
    // Kept like the answers' errors, so the next autosave does not wipe it.
    if (message) lastErrors[item] = message; else delete lastErrors[item];
    var el = form.querySelector('[data-error-for="' + item + '"]');
    if (el) el.textContent = message || "";
    var box = el && el.closest(".question");
    if (box) box.classList.toggle("has-error", !!message);
  }
  function photosChanged() {
    // A photo the server did not take (down, an error) is "not sent yet", not "saving"; an answer
    // refused here is "not saved" (see the marked answers) until it is corrected.
    setState(waiting() ? (navigator.onLine && !photos.trouble() ? "saving" : "offline")
      : withheld() ? "error" : "saved");
  }
  photos.start();

  // ---- one section at a time -----------------------------------------------------------------
  var sections = Array.prototype.slice.call(form.querySelectorAll(".fill-section"));
  function showSection(id) {
    var target = sections.filter(function (s) { return s.dataset.section === id; })[0] || sections[0];
    sections.forEach(function (s) { s.classList.toggle("active", s === target); });
    var named = document.getElementById("section-now");  // none on a page kept from an older version
    form.querySelectorAll("[data-section-link]").forEach(function (a) {
      a.classList.toggle("current", a.dataset.sectionLink === target.dataset.section);
      if (a.dataset.sectionLink === target.dataset.section) {
        a.setAttribute("aria-current", "step");
        if (named) named.textContent = a.title || "";  // "Visit" names itself
      } else a.removeAttribute("aria-current");
    });
  }
  function fromHash() {
    var hash = location.hash || "";
    var question = hash.indexOf("#q-") === 0 ? document.getElementById(hash.slice(1)) : null;
    if (!question) { showSection(hash.replace("#s-", "")); return false; }
    // A reviewer's note names a question: open its section and go to the question itself.
    showSection(question.closest(".fill-section").dataset.section);
    question.tabIndex = -1;
    setTimeout(function () { question.focus(); }, 0);
    return true;
  }
  window.addEventListener("hashchange", function () { if (!fromHash()) window.scrollTo(0, 0); });
  // After a refused submit the page opens on the first marked answer, focused and scrolled clear
  // of the sticky bar, so the auditor (or a screen reader) starts where the work is.
  var firstError = null;
  form.querySelectorAll("[data-error-for]").forEach(function (el) {
    var box = el.closest(".question, .field");
    if (!firstError && el.textContent.trim() && box && !box.hidden) firstError = box;
  });
  if (firstError) {
    var errorSection = firstError.closest(".fill-section").dataset.section;
    showSection(errorSection);
    // The address names the section shown: it still named the one the submit was sent from, and
    // tapping that section's button then changed nothing.
    if (history.replaceState) history.replaceState(null, "", "#s-" + errorSection);
    var target = firstError.querySelector("input[type=datetime-local]") || firstError;
    if (target === firstError) firstError.tabIndex = -1;
    setTimeout(function () { target.focus(); }, 0);
    // Focus given before the page had finished loading was once lost on a busy machine (the test
    // waited 30 s for it): given again once it has, unless the auditor has moved on meanwhile.
    window.addEventListener("load", function () {
      if (!document.activeElement || document.activeElement === document.body) target.focus();
    });
  } else if (!fromHash() && location.hash) {
    // Opened at a section's address (as after a reload), the browser would scroll its title under
    // the sticky progress bar: only one section is shown, so its top is the page's.
    setTimeout(function () { window.scrollTo(0, 0); }, 0);
  }

  // ---- offline: a service worker serves this page again if it is reloaded without a connection
  if ("serviceWorker" in navigator && window.caches) {
    navigator.serviceWorker.register("/sw.js").then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      return caches.open("audit-pages-v1").then(function (c) { return c.add(location.pathname); });
    }).then(function () {
      document.body.dataset.offlineReady = "1";
    }).catch(function () {});
  }

  restorePending();
  refresh();
  setState(count() ? (navigator.onLine ? "saving" : "offline") : "saved");
  if (count()) flush();
  showHeld();
  // The held-back changes go under one key (the other pages' keys taken over) once the durable
  // copy has been read: it says whether they were decided already.
  if (!form.dataset.savedNow) adoptDurableCopy(); else if (heldAtLoad) storeHeld();
}());
