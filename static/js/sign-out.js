/* Sign out on a shared tablet, without leaving work behind unknowingly.
 *
 * The answers and photos this tablet could not send (draft-store.js and localStorage,
 * "audit-draft:<uuid>:<tab>"; photo-store.js, AuditPhotoStore) stay in the browser when their
 * auditor signs out, and are sent only once they sign in again and open the visit. Before signing
 * out, the tablet looks for them; the records name a visit but no user, so the server is asked which
 * of those visits are the signed-in user's (/visits/kept). If any is, a dialog names them (the
 * server's words, field/_kept_on_tablet.html): go to the visit, or sign out anyway. Nothing is
 * removed either way. With nothing kept, signing out goes on at once, as before.
 *
 * Offline, signing out cannot reach the server (the browser would put its own error page in place
 * of the page): the page stays and says so; on a connection too weak to carry it, the service
 * worker keeps the page and this says so too. Whatever else fails (no IndexedDB, a page without the
 * stores, a server error) signs out as before.
 */
(function () {
  "use strict";
  var form = document.getElementById("logout-form");
  var dialog = document.getElementById("sign-out-check"), notice = document.getElementById("sign-out-offline");
  if (!form) return;
  var DRAFT = "audit-draft:";
  var LOOK_WAIT = 2000;  // ms for the tablet's own stores; a store that does not answer is not waited for
  var ASK_WAIT = 15000;  // ms for the server; a connection that slow would not carry the sign-out either
  var MOST_ASKED = 50;  // visits named in one question (the server reads no more)
  var checking = false;

  // Shared tablets: pages kept for offline use go when their user signs out. The service worker,
  // where one looks after the page, does it once the sign-out has gone through (sw.js): on a
  // connection too weak to carry it, the page stays, with its offline copy, and says so (below).
  function forgetPages() {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) return;
    if (window.caches) caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
  }
  function signOut() {
    forgetPages();
    form.submit();  // the form itself, without this listener again
  }

  function say(message) {
    if (!notice) return;
    notice.hidden = false;
    // Written after it is shown, so that screen readers announce it (role="status").
    notice.textContent = "";
    setTimeout(function () { notice.textContent = notice.getAttribute(message); }, 50);
  }
  if (notice) window.addEventListener("online", function () { notice.hidden = true; });
  if (navigator.serviceWorker) navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.signOut === "not-through") say("data-weak-message");
  });

  function within(ms, promise, otherwise) {
    return Promise.race([promise, new Promise(function (resolve) { setTimeout(resolve, ms, otherwise); })]);
  }
  // A kept record with at least one change in it (fill.js removes the ones left empty).
  function holdsChanges(text) {
    var record = null;
    try { record = JSON.parse(text); } catch (e) { return false; }
    return !!record && ["answers", "comments", "details"].some(function (kind) {
      return record[kind] && Object.keys(record[kind]).length > 0;
    });
  }
  // The uuids of the visits this tablet keeps unsent changes or photos of, whoever's they are.
  function keptVisits() {
    var uuids = {};
    function note(key) { var uuid = key.slice(DRAFT.length).split(":")[0]; if (uuid) uuids[uuid] = true; }
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key.indexOf(DRAFT) === 0 && holdsChanges(localStorage.getItem(key))) note(key);
      }
    } catch (e) { /* storage switched off: nothing kept there */ }
    var drafts = window.AuditDraftStore ? window.AuditDraftStore.list(DRAFT) : Promise.resolve(null);
    var photos = window.AuditPhotoStore && window.AuditPhotoStore.visits ? window.AuditPhotoStore.visits() : Promise.resolve([]);
    return Promise.all([
      drafts.catch(function () { return null; }), photos.catch(function () { return []; })
    ]).then(function (found) {
      (found[0] || []).forEach(function (entry) { if (holdsChanges(entry.text)) note(entry.key); });
      (found[1] || []).forEach(function (uuid) { if (uuid) uuids[uuid] = true; });
      return Object.keys(uuids);
    });
  }

  // Which of them are the signed-in user's: the dialog's content, or nothing to say (204).
  function ask(uuids) {
    var url = dialog.getAttribute("data-kept-url") + "?" + uuids.slice(0, MOST_ASKED).map(function (uuid) {
      return "uuid=" + encodeURIComponent(uuid);
    }).join("&");
    // A session that ended meanwhile is sent to the sign-in page: not followed, signed out as asked.
    var answer = fetch(url, { credentials: "same-origin", redirect: "manual", headers: { Accept: "text/html" } });
    return within(ASK_WAIT, answer, null).then(function (response) {
      if (response === null) { say("data-weak-message"); return; }
      if (response.status !== 200) { signOut(); return; }  // none of theirs (204), or the server failed
      return response.text().then(show);
    }, function () {
      say("data-weak-message");  // online in name only: the sign-out would not get through either
    });
  }

  function show(html) {
    dialog.innerHTML = html;  // the server's own page part, escaped there
    dialog.showModal();  // the focus goes to its first choice (autofocus)
  }

  if (dialog) dialog.addEventListener("click", function (event) {
    var choice = event.target.closest && event.target.closest("[data-sign-out]");
    if (!choice) return;
    if (choice.getAttribute("data-sign-out") === "anyway") { dialog.close(); signOut(); }
    else if (choice.getAttribute("data-sign-out") === "stay") dialog.close();
  });

  form.addEventListener("submit", function (event) {
    if (navigator.onLine === false) {
      event.preventDefault();
      say("data-offline-message");
      return;
    }
    if (!dialog || !dialog.showModal || !window.Promise || !window.fetch) { forgetPages(); return; }  // as before
    event.preventDefault();
    if (checking) return;  // a second tap while the tablet looks
    checking = true;
    within(LOOK_WAIT, keptVisits(), []).then(function (uuids) {
      if (!uuids.length) { signOut(); return; }
      return ask(uuids);
    }).catch(signOut).then(function () { checking = false; });
  });
}());
