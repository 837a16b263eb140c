/* Behaviour every page shares. Pages carry no inline scripts (the Content-Security-Policy allows
 * only files from this site), so what they need is asked for with data- attributes. */
(function () {
  // A box with a limit (maxlength) takes a longer paste cut to its limit, without a word: once a
  // box is full, a line under it says so, so that nothing is lost unseen ("Staff who served
  // you" cut a pasted description at 2000 characters). The line goes when the text is shorter.
  var fullBox = document.body && document.body.getAttribute("data-full-box");
  var LIMITED = "textarea[maxlength], input[maxlength]:not([type=search]):not([type=password])";
  if (fullBox) document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(LIMITED) || !(box.maxLength > 0)) return;
    var note = box.nextElementSibling && box.nextElementSibling.classList.contains("full-box")
      ? box.nextElementSibling : null;
    var full = box.value.length >= box.maxLength;
    if (full && !note) {
      note = document.createElement("span");
      note.className = "full-box hint";
      note.setAttribute("role", "status");
      note.textContent = fullBox.replace("%(num)s", String(box.maxLength));
      box.insertAdjacentElement("afterend", note);
    } else if (!full && note) {
      note.remove();
    }
  });

  // A form sent offline put the browser's own "No internet" page in place of this one (Start on
  // the auditor's home page did), and Back did not always bring back what was typed: the page
  // stays and says why nothing happened, before a question (data-confirm) is asked. The language
  // buttons, Sign out and the fill page deal with being offline themselves.
  var formOffline = document.getElementById("form-offline");
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (navigator.onLine !== false || !formOffline || !form.matches ||
        form.matches("form.languages, #logout-form, #visit-form")) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    formOffline.hidden = false;
    formOffline.textContent = "";  // written after it is shown, so that screen readers announce it
    setTimeout(function () { formOffline.textContent = formOffline.getAttribute("data-offline-message"); }, 50);
    formOffline.scrollIntoView({ block: "nearest" });
  }, true);
  if (formOffline) window.addEventListener("online", function () { formOffline.hidden = true; });

  // A photo over the server's limit is refused by the browser's own check, before sending: sent,
  // the whole form would be refused unread ("413 Too large") and what was typed beside it lost.
  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll ? event.target.querySelectorAll("input[type=file][data-max-bytes]") : [];
    Array.prototype.some.call(inputs, function (input) {
      var tooLarge = Array.prototype.some.call(input.files || [], function (file) {
        return file.size > Number(input.getAttribute("data-max-bytes"));
      });
      if (!tooLarge) return false;
      event.preventDefault();
      event.stopImmediatePropagation();
      var said = document.getElementById(input.getAttribute("aria-describedby") || "");
      if (said) { said.hidden = false; said.textContent = input.getAttribute("data-too-large"); }
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return true;
    });
  }, true);
  document.addEventListener("change", function (event) {  // another file chosen: the refusal is old news
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]") || !input.hasAttribute("aria-invalid")) return;
    input.removeAttribute("aria-invalid");
    var said = document.getElementById(input.getAttribute("aria-describedby") || "");
    if (said) { said.hidden = true; said.textContent = ""; }
  });

  // One tap on a tablet list should not deactivate, delete or cancel: such forms ask first.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);
  // A form that would leave what was typed in another one unsent (Approve, with comments written
  // for a return) asks first: the reviewer's comments went without a word.
  document.addEventListener("submit", function (event) {
    var form = event.target, other = form.getAttribute && document.getElementById(form.getAttribute("data-unsent-in") || "");
    if (!other || event.defaultPrevented) return;
    var typed = Array.prototype.some.call(other.querySelectorAll("textarea, input[type=text]"), function (el) {
      return el.value.trim() !== "";
    });
    if (typed && !window.confirm(form.getAttribute("data-unsent-question"))) event.preventDefault();
  }, true);

  // A double tap (two taps 150 ms apart) sent a form twice: the first was saved, the second refused
  // as a duplicate, and the page showed "Visit scheduled." beside "already scheduled". Once a POST
  // form goes ahead (seen after the form's own listeners, none of which held it back: a confirm
  // answered Cancel, fill.js or sign-out.js keeping the page), the page's further submits are
  // ignored until it is left, before any listener hears of them (window, capture phase: no second
  // confirm either). GET forms (filters) may go again. A page that stays after all (the service
  // worker kept it on a weak connection and says so, Back brought it from the browser's cache, the
  // loading was stopped) sends again: at once, or after SEND_WAIT. No POST form here answers with a
  // file or opens another window; one that did would wait as long.
  var SEND_WAIT = 15000;  // ms; as long as sw.js waits for an answer that might still come
  var sending = null, sendingTimer = 0;
  function sendAgain() {
    if (sending) sending.removeAttribute("aria-busy");
    sending = null;
    clearTimeout(sendingTimer);
  }
  window.addEventListener("submit", function (event) {
    if (sending) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);
  document.addEventListener("submit", function (event) {  // bubble phase: after the form's own listeners
    var form = event.target, by = event.submitter;
    var method = (by && by.getAttribute("formmethod")) || form.getAttribute("method") || "";
    var target = (by && by.getAttribute("formtarget")) || form.getAttribute("target") || "_self";
    if (event.defaultPrevented || method.toLowerCase() !== "post" || target !== "_self") return;
    sending = form;
    form.setAttribute("aria-busy", "true");  // the buttons keep their look; a screen reader hears it is busy
    sendingTimer = setTimeout(sendAgain, SEND_WAIT);
  });
  window.addEventListener("pageshow", function (event) { if (event.persisted) sendAgain(); });
  if (navigator.serviceWorker) navigator.serviceWorker.addEventListener("message", sendAgain);

  // A page that answers a form and shows something once (a set-password link) moves the address
  // bar to a page that can be opened again: a reload then opens it instead of sending the form again.
  // Any other page that answers a form (refused, shown again with the errors) does the same with its
  // own address (base.html): Back to it, after the corrected form went through, showed the browser's
  // "Confirm Form Resubmission".
  // A form sent to an address that only takes forms (/visits/7/return) and refused comes back on
  // the page it was sent from, under that page's address (base.html), which a reload or a reopened
  // tab opens again; the page opens at the refused form, whose errors stood far below the top
  // (a reviewer's note at the end of the checklist, a manager's action under its question).
  var address = document.querySelector("[data-page-address]");
  var posted = document.body.getAttribute("data-posted-address");
  var refused = posted && posted.split(/[?#]/)[0] !== location.pathname ? refusedForm() : null;
  if (address && window.history.replaceState) history.replaceState(null, "", address.getAttribute("data-page-address"));
  else if (posted && window.history.replaceState) {
    history.replaceState(null, "", posted + (refused && refused.hash ? refused.hash : location.hash));
  }
  if (refused) refused.target.scrollIntoView({ block: "center" });

  // The first error beside a field of a form, its folded <details> opened. In sight: the form,
  // or, if it is taller than the screen (the return form takes the whole checklist), the field.
  // A form with an id is named in the address: a reload opens it (revealTarget, below).
  function refusedForm() {
    var error = Array.prototype.filter.call(document.querySelectorAll("form .error, form [aria-invalid=true]"),
      function (el) { return !el.closest("[hidden]"); })[0];
    if (!error) return null;
    for (var folded = error.closest("details:not([open])"); folded; folded = folded.closest("details:not([open])")) {
      folded.open = true;
    }
    var form = error.closest("form");
    if (form.getBoundingClientRect().height <= window.innerHeight * 0.8) {
      return { target: form, hash: form.id ? "#" + form.id : "" };
    }
    return { target: error.closest("label, fieldset, details") || error, hash: "" };
  }

  // Back to a page with a form (a refused form left for another page, a note half written): the
  // browser opens the page afresh (pages are not kept: no-store), without what was typed. What was
  // typed in its forms is kept for the tab (sessionStorage) as the page is left, and put back when
  // the page is opened again by Back, Forward or a reload, never otherwise. Not kept: passwords,
  // files, hidden fields, and the fill page's answers (fill.js keeps those itself).
  // Kept by history entry (the same address can be two entries: the form left, then opened afresh),
  // the latest MOST_KEPT entries of the tab, in one record.
  var TYPED = "audit-typed", MOST_KEPT = 30;
  function keptFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && ["password", "file", "hidden", "submit", "button"].indexOf(el.type) === -1 &&
        el.name !== "csrf_token";
    });
  }
  function keptForms() {  // the forms that send something typed (not the language and sign-out buttons)
    return Array.prototype.filter.call(document.forms, function (form) {
      return (form.getAttribute("method") || "").toLowerCase() === "post" && form.id !== "visit-form" &&
        keptFields(form).length > 0;
    });
  }
  function readTyped() {
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(TYPED)); } catch (e) { /* storage switched off, or spoilt */ }
    return kept && Array.isArray(kept.entries) && kept.forms && typeof kept.forms === "object" ? kept
      : { entries: [], forms: {} };
  }
  // Nothing is kept for who is not signed in: a page without Sign out (the sign-in page after
  // signing out, or after a session ended) forgets what earlier pages of the tab kept.
  var signedIn = !!document.getElementById("logout-form");
  if (!signedIn) try { sessionStorage.removeItem(TYPED); } catch (e) { /* storage switched off */ }
  var entry = signedIn && history.state && history.state.typedEntry;
  if (signedIn && !entry && window.history.replaceState && keptForms().length) {
    entry = Date.now().toString(36) + Math.random().toString(36).slice(2);
    history.replaceState(Object.assign({}, history.state, { typedEntry: entry }), "");
  }
  if (entry) window.addEventListener("pagehide", function () {
    var kept = readTyped();
    kept.forms[entry] = keptForms().map(function (form) {
      return keptFields(form).map(function (el) {
        if (el.type === "checkbox" || el.type === "radio") return el.checked;
        if (el.multiple) return Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
        return el.value;
      });
    });
    kept.entries = kept.entries.filter(function (e) { return e !== entry; }).concat([entry]);
    kept.entries.splice(0, Math.max(0, kept.entries.length - MOST_KEPT)).forEach(function (e) { delete kept.forms[e]; });
    try { sessionStorage.setItem(TYPED, JSON.stringify(kept)); } catch (e) { /* storage off or full */ }
  });
  // Puts kept values back onto forms[i] from typed[i], field for field: a form that changed
  // meanwhile gets nothing back.
  function putBack(forms, typed) {
    forms.forEach(function (form, i) {
      var fields = keptFields(form);
      if (!Array.isArray(typed[i]) || typed[i].length !== fields.length) return;
      fields.forEach(function (el, j) {
        var value = typed[i][j];
        if (el.type === "checkbox" || el.type === "radio") el.checked = value === true;
        else if (el.multiple && Array.isArray(value)) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
        } else if (typeof value === "string" && (el.tagName !== "SELECT" ||
            Array.prototype.some.call(el.options, function (o) { return o.value === value; }))) el.value = value;
      });
    });
  }
  var arrival = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  if (entry && arrival && (arrival.type === "back_forward" || arrival.type === "reload")) {
    var typed = readTyped().forms[entry], forms = keptForms();
    if (Array.isArray(typed) && typed.length === forms.length) putBack(forms, typed);
  }
  // Switching language opens the page afresh in the other language (a new history entry): what was
  // typed in its forms comes along, each form onto the one with the same address (a page that
  // answered a form, showing its errors or a plan, has forms the fresh one may not have). The
  // switch is noted for the tab as the page is left, and taken by the page it leads to, once.
  var SWITCH = "audit-language-switch";
  var switched = null;
  try { switched = JSON.parse(sessionStorage.getItem(SWITCH)); sessionStorage.removeItem(SWITCH); } catch (e) { switched = null; }
  if (entry && switched && arrival && arrival.type === "navigate" && Date.now() - switched.at < 60000 &&
      switched.address === location.pathname + location.search && Array.isArray(switched.actions)) {
    var carried = readTyped().forms[switched.entry], left = switched.actions.slice();
    if (Array.isArray(carried)) keptForms().forEach(function (form) {
      var i = left.indexOf(form.action);
      if (i === -1) return;
      left[i] = null;  // two forms of one address: the first onto the first
      putBack([form], [carried[i]]);
    });
  }

  // Switching language stays on the section of the checklist the auditor was on. Offline, the
  // button would open the browser's own "No internet" page in place of the form being filled:
  // the page stays and says why nothing happened (the messages are the server's, translated).
  // Online in name only (a connection too weak to carry the form), the service worker (sw.js)
  // keeps the page and says so here.
  document.querySelectorAll("form.languages").forEach(function (languages) {
    var notice = document.getElementById(languages.getAttribute("data-offline-status") || "");
    function say(message) {
      if (!notice) return;
      notice.hidden = false;
      // Written after it is shown, so that screen readers announce it (role="status").
      notice.textContent = "";
      setTimeout(function () { notice.textContent = languages.getAttribute(message); }, 50);
    }
    languages.addEventListener("submit", function (event) {
      if (navigator.onLine === false && notice) {
        event.preventDefault();
        say("data-offline-message");
        return;
      }
      var next = languages.querySelector("input[name=next]");
      if (next && location.hash) next.value = next.value.split("#")[0] + location.hash;
      if (next && entry) try {
        sessionStorage.setItem(SWITCH, JSON.stringify({
          entry: entry, address: next.value.split("#")[0], at: Date.now(),
          actions: keptForms().map(function (form) { return form.action; }) }));
      } catch (e) { /* storage off: the page opens with its forms empty */ }
    });
    if (notice) window.addEventListener("online", function () { notice.hidden = true; });
    if (navigator.serviceWorker) navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.language === "not-switched") say("data-weak-message");
    });
  });

  // Long lists (300 branches, 300 users) narrow as one types: <input data-filter-for="ID"> hides
  // the rows (or, in a fieldset, the choices) of element ID that do not contain the text; letters
  // with diacritics match their base letter (rīga finds Rīga, "riga" too).
  function bare(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  // A <select> (300 branches to schedule a visit to) keeps only its matching options, the first
  // of them chosen: hidden options are still listed by some tablets' pickers, so they are removed.
  function narrowSelect(select, options, words) {
    var kept = options.filter(function (option) {
      var text = bare(option.textContent);
      return option.value && words.every(function (word) { return text.indexOf(word) !== -1; });
    });
    var chosen = select.value;
    select.replaceChildren.apply(select, words.length ? kept : options);
    if (words.length && kept.length && !kept.some(function (o) { return o.value === chosen; })) select.value = kept[0].value;
    else select.value = chosen;
    return words.length ? kept.length : options.length;
  }
  document.querySelectorAll("input[data-filter-for]").forEach(function (input) {
    var target = document.getElementById(input.getAttribute("data-filter-for"));
    if (!target) return;
    (input.closest(".list-filter") || input).hidden = false;
    var count = document.getElementById(input.getAttribute("data-filter-count") || "");
    var options = target.tagName === "SELECT" ? Array.prototype.slice.call(target.options) : null;
    input.addEventListener("input", function () {
      var words = bare(input.value).split(/\s+/).filter(Boolean), shown = 0;
      if (options) {
        shown = narrowSelect(target, options, words);
        if (count) count.textContent = words.length ? count.getAttribute("data-template").replace("%(num)s", shown) : "";
        return;
      }
      var rows = target.tBodies ? target.tBodies[0].rows : target.querySelectorAll("label");
      Array.prototype.forEach.call(rows, function (row) {
        var text = bare(row.textContent);
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        row.hidden = !match;
        if (match) shown += 1;
      });
      if (count) count.textContent = words.length ? count.getAttribute("data-template").replace("%(num)s", shown) : "";
    });
  });

  // The visit id is made on the tablet, so a retried tap never starts a second visit.
  document.querySelectorAll(".start-form input[name=client_uuid]").forEach(function (input) {
    if (window.crypto && crypto.randomUUID) input.value = crypto.randomUUID();
  });

  // Choosing or typing a corrected answer means "overturn": tick it, so the choice is not lost to "Uphold".
  document.querySelectorAll("form.decide [name=new_value]").forEach(function (field) {
    field.addEventListener("input", function () {
      if (field.value) field.form.querySelector("input[value=overturn]").checked = true;
    });
  });

  // A visit just submitted: the fill page's record of confirmed saves is no longer needed. Its
  // unsent changes are not simply wiped: another tab's may be among them, never sent (below).
  document.querySelectorAll("[data-clear-drafts]").forEach(function (marker) {
    try { localStorage.removeItem("audit-saved:" + marker.getAttribute("data-clear-drafts")); } catch (e) { /* off */ }
  });

  var keptBox = document.getElementById("kept-changes"), keptServer = document.getElementById("kept-server");
  if (keptBox && keptServer) showKeptChanges(keptBox, JSON.parse(keptServer.textContent));

  // A visit that can no longer be changed, opened by its auditor: the changes this tablet kept of it
  // (fill.js: "audit-draft:<uuid>:<tab>", in localStorage and IndexedDB) that the server does not
  // have are listed to be copied. They were typed in a tab that could not send them before the
  // visit was submitted (another tab or tablet submitted it, or the connection was bad), and a
  // reload no longer showed them anywhere. What the server has is forgotten; what it has not is
  // kept, marked so that a fill page opened after a return offers it rather than sending it.
  // The photos not uploaded by then are listed too (showKeptPhotos).
  function showKeptChanges(box, server) {
    var PREFIX = "audit-draft:" + server.uuid, KINDS = ["answers", "comments", "details"];
    var items = {}, records = {};
    var changesPart = box.querySelector("[data-kept=typed]"), keptPhotos = showKeptPhotos(box, server);
    // Shown once either part has something; named by the first part shown.
    function showBox() {
      box.hidden = changesPart.hidden && keptPhotos.part.hidden;
      box.setAttribute("aria-labelledby", changesPart.hidden ? "kept-photos-title" : "kept-changes-title");
    }
    keptPhotos.listed.then(showBox);
    server.items.forEach(function (item) { items[item.id] = item; });
    function ours(key) { return key === PREFIX || key.indexOf(PREFIX + ":") === 0; }
    function read(text) { try { return JSON.parse(text); } catch (e) { return null; } }
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i), record = ours(key) ? read(localStorage.getItem(key)) : null;
        if (record) records[key] = record;
      }
    } catch (e) { /* storage switched off: nothing was kept */ }
    var durable = window.AuditDraftStore ? window.AuditDraftStore.list(PREFIX) : Promise.resolve(null);
    durable.then(function (found) {
      // The durable copy has what a browser killed just after the change did not write to localStorage.
      (found || []).forEach(function (entry) {
        var record = read(entry.text);
        if (record && (!records[entry.key] || (record.at || 0) > (records[entry.key].at || 0))) records[entry.key] = record;
      });
      var latest = latestOfEach(records);
      var unsaved = unsavedChanges(latest);
      Object.keys(records).forEach(function (key) { keepOnly(key, records[key], unsaved); });
      list(changesPart.querySelector("ul"), unsaved);
      changesPart.hidden = !changesPart.querySelector("ul").children.length;
      showBox();
    });

    // The latest value of each field over the records, and the record it is in.
    function latestOfEach(all) {
      var latest = { answers: {}, comments: {}, details: {} };
      Object.keys(all).sort(function (a, b) { return (all[a].at || 0) - (all[b].at || 0); }).forEach(function (key) {
        KINDS.forEach(function (kind) {
          Object.keys(all[key][kind] || {}).forEach(function (id) { latest[kind][id] = { value: all[key][kind][id], key: key }; });
        });
      });
      return latest;
    }
    // Those the server does not have. A question the typed answers hide is left out: the submit
    // drops a follow-up's answer once its opening question is changed, which is no loss.
    function unsavedChanges(latest) {
      var answered = {}, shown = {}, unsaved = { answers: {}, comments: {}, details: {} };
      server.items.forEach(function (item) {
        answered[item.id] = latest.answers[item.id] ? latest.answers[item.id].value : item.value;
        var rule = item.show_if;
        shown[item.id] = !rule || (shown[rule.item] && rule.values.indexOf(answered[rule.item]) !== -1);
      });
      KINDS.forEach(function (kind) {
        Object.keys(latest[kind]).forEach(function (id) {
          var item = kind === "details" ? server.details[id] : items[id], typed = latest[kind][id].value;
          if (!item || (kind !== "details" && !shown[id])) return;  // a photo, or a question no longer asked
          var now = kind === "comments" ? item.comment : item.value;
          if (!window.AuditDraftStore.sameValue(typed, now, kind === "answers" && (item.type === "number" || item.type === "scale"),
                         id === "visited_at")) unsaved[kind][id] = latest[kind][id];
        });
      });
      return unsaved;
    }
    // A record keeps the changes listed whose latest copy it holds; one left with none is removed.
    function keepOnly(key, record, unsaved) {
      var kept = { at: record.at || 0, conflict: true, answers: {}, comments: {}, details: {} }, count = 0, all = 0;
      KINDS.forEach(function (kind) {
        Object.keys(record[kind] || {}).forEach(function (id) {
          all += 1;
          if (unsaved[kind][id] && unsaved[kind][id].key === key) { kept[kind][id] = record[kind][id]; count += 1; }
        });
      });
      if (count === all && record.conflict) return;  // as it was
      var text = JSON.stringify(kept);
      try { if (count) localStorage.setItem(key, text); else localStorage.removeItem(key); } catch (e) { /* off */ }
      if (window.AuditDraftStore) { if (count) window.AuditDraftStore.put(key, text); else window.AuditDraftStore.remove(key); }
    }
    // As the fill page lists them: "Question: answer" (as its button names it), "Question: “comment”";
    // no colon after a question mark.
    function list(ul, changes) {
      ul.textContent = "";
      function add(label, text) {
        var li = document.createElement("li"), strong = document.createElement("strong");
        strong.textContent = label + (/[?!.:]$/.test(label) ? " " : ": ");  // "Was it clean? No"
        li.appendChild(strong);
        li.appendChild(document.createTextNode(text));
        ul.appendChild(li);
      }
      server.items.forEach(function (item) {  // in the checklist's order
        var answer = changes.answers[item.id], comment = changes.comments[item.id];
        if (answer) add(item.text, item.choices[answer.value] || answer.value);
        if (comment) add(item.text, "“" + comment.value + "”");
      });
      Object.keys(server.details).forEach(function (id) {
        if (changes.details[id]) add(server.details[id].label, changes.details[id].value);
      });
    }
    var dismiss = box.querySelector("[data-kept=dismiss]");
    if (dismiss) dismiss.addEventListener("click", function () {
      try {
        var keys = [];
        for (var i = 0; i < localStorage.length; i++) if (ours(localStorage.key(i))) keys.push(localStorage.key(i));
        keys.forEach(function (key) { localStorage.removeItem(key); });
      } catch (e) { /* off */ }
      if (window.AuditDraftStore) window.AuditDraftStore.removeAll(PREFIX);
      keptPhotos.dismiss();
      box.hidden = true;
    });
  }

  // The photos this tablet kept of the visit (photo-store.js, AuditPhotoStore) and could not upload
  // before it was submitted: a photo taken as evidence must not be lost for want of a connection.
  // Each is shown with its question and a link that saves it to the tablet, to be sent to the
  // reviewer another way. They stay kept until dismissed: a returned visit's fill page sends them.
  function showKeptPhotos(box, server) {
    var part = box.querySelector("[data-kept=photos]"), store = window.AuditPhotoStore, urls = [];
    var listed = store ? store.list(server.uuid).catch(function () { return []; }) : Promise.resolve([]);
    listed = listed.then(function (kept) {
      var ul = part.querySelector("ul");
      ul.textContent = "";
      kept.forEach(function (photo, index) {
        var url = URL.createObjectURL(photo.file), question = server.photo_questions[photo.item] || "";
        urls.push(url);
        var li = document.createElement("li"), img = document.createElement("img");
        img.className = "thumb"; img.src = url; img.alt = part.getAttribute("data-photo-label");
        var text = document.createElement("span"), save = document.createElement("a");
        if (question) { var strong = document.createElement("strong"); strong.textContent = question; text.appendChild(strong); }
        save.className = "button secondary"; save.href = url; save.textContent = part.getAttribute("data-save-label");
        save.download = fileName(photo, index + 1);
        text.appendChild(save);
        li.appendChild(img); li.appendChild(text);
        ul.appendChild(li);
      });
      part.hidden = !kept.length;
    });
    // "VLN-01-2026-05-03-shelf_photo-1.jpg": the reviewer can tell which visit and question it is for.
    function fileName(photo, number) {
      var type = /^image\/(\w+)/.exec((photo.file && photo.file.type) || "");
      var extension = /\.\w+$/.exec(photo.name || "") || ["." + (type ? type[1].replace("jpeg", "jpg") : "jpg")];
      return [server.file_name, photo.item, number].join("-") + extension[0];
    }
    return {
      part: part,
      listed: listed,
      dismiss: function () {
        if (store) store.removeAll(server.uuid).catch(function () {});
        urls.forEach(function (url) { URL.revokeObjectURL(url); });
        part.hidden = true;
      }
    };
  }


  // A link to a form inside a closed <details> ("Plan an action" on the manager's home page opens
  // the visit at #plan-<question>): Chromium opens the <details> by itself; other browsers left
  // the form folded away, out of sight. Opened here, and scrolled to.
  // A home page opened before someone else planned the action, or disputed the answer, leads to a
  // form that is no longer there: the page opened at its top, saying nothing. It opens at the
  // question in "What went wrong" instead, which shows the action planned or the dispute.
  function revealTarget() {
    var id = location.hash ? decodeURIComponent(location.hash.slice(1)) : "";
    var target = id && document.getElementById(id);
    if (!target && id.indexOf("plan-") === 0) {
      var failed = document.getElementById("failed-" + id.slice(5));
      if (failed) failed.scrollIntoView();
      return;
    }
    var folded = target && target.closest && target.closest("details:not([open])");
    if (!folded) return;
    folded.open = true;
    target.scrollIntoView();
  }
  revealTarget();
  window.addEventListener("hashchange", revealTarget);

})();
