/* Behaviour every page shares. Pages carry no inline scripts (the Content-Security-Policy allows
 * only files from this site), so what they need is asked for with data- attributes. */
(function () {
  // Shared tablets: pages kept for offline use go when their user signs out.
  var logout = document.getElementById("logout-form");
  if (logout && window.caches) logout.addEventListener("submit", function () {
    caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
  });

  // One tap on a tablet list should not deactivate, delete or cancel: such forms ask first.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  // A page that answers a form and shows something once (a set-password link) moves the address
  // bar to a page that can be opened again: a reload then opens it instead of sending the form again.
  var address = document.querySelector("[data-page-address]");
  if (address && window.history.replaceState) history.replaceState(null, "", address.getAttribute("data-page-address"));

  // Switching language stays on the section of the checklist the auditor was on.
  document.querySelectorAll("form.languages").forEach(function (languages) {
    languages.addEventListener("submit", function () {
      var next = languages.querySelector("input[name=next]");
      if (next && location.hash) next.value = next.value.split("#")[0] + location.hash;
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

  // A visit just submitted: the tablet's copies of its draft are no longer needed.
  document.querySelectorAll("[data-clear-drafts]").forEach(function (marker) {
    var uuid = marker.getAttribute("data-clear-drafts");
    try {
      var keys = [];
      for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
      keys.forEach(function (key) {  // the tabs' drafts are "audit-draft:<uuid>:<tab>"
        if (key === "audit-saved:" + uuid || key.indexOf("audit-draft:" + uuid) === 0) localStorage.removeItem(key);
      });
    } catch (e) { /* storage switched off: nothing was kept */ }
    if (window.AuditDraftStore) window.AuditDraftStore.removeAll("audit-draft:" + uuid);  // the durable copy
  });
})();
