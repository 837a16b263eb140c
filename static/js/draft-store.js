/* A second, durable copy of what a fill page has not sent yet.
 *
 * fill.js keeps unsent changes in localStorage, which a page reads at once when it opens; but
 * Chromium writes localStorage to disk a second or more after a change, so a browser killed
 * outright (the system reclaiming memory, a crash) lost what was typed just before. IndexedDB
 * is on disk when its transaction completes ("strict" durability): every change is written
 * there too, and a page that opens adopts what only this copy still has.
 *
 * AuditDraftStore.put(key, text), .remove(key), .list(prefix) -> Promise of [{key, text}] (null
 * when IndexedDB cannot be used: not the same as finding nothing),
 * .removeAll(prefix), .sameValue(typed, stored, number, toTheMinute) (used by fill.js and page.js
 * alike). The records are JSON text, taken as they are when put. Without IndexedDB every call does nothing and list() finds nothing.
 */
window.AuditDraftStore = (function () {
  "use strict";
  var opening = null, latest = {}, writing = false;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve) {
        if (!window.indexedDB) { resolve(null); return; }
        var request;
        try { request = indexedDB.open("audit-drafts", 1); } catch (e) { resolve(null); return; }
        request.onupgradeneeded = function () { request.result.createObjectStore("drafts"); };
        request.onsuccess = function () {
          request.result.onclose = function () { opening = null; };  // closed by the browser: open anew
          resolve(request.result);
        };
        request.onerror = function () { resolve(null); };  // private mode, storage switched off
        request.onblocked = function () { resolve(null); };
      });
    }
    return opening;
  }
  // A transaction, or null when the connection is gone (Safari drops it in the background,
  // storage cleared): the next call opens a new one.
  function transaction(db, mode) {
    try { return db.transaction("drafts", mode, { durability: "strict" }); } catch (e) { /* older browsers */ }
    try { return db.transaction("drafts", mode); } catch (e) { opening = null; return null; }
  }
  // Changes come with every keystroke: one transaction at a time writes the latest record of each
  // key (null: removed), the ones that arrive meanwhile wait for the next.
  function write() {
    if (writing || !Object.keys(latest).length) return;
    writing = true;
    var batch = latest;
    latest = {};
    open().then(function (db) {
      var tx = db && transaction(db, "readwrite");
      if (!tx) return null;
      return new Promise(function (resolve) {
        tx.oncomplete = resolve;
        tx.onerror = tx.onabort = resolve;  // a full disk: localStorage still has the changes
        try {
          var store = tx.objectStore("drafts");
          Object.keys(batch).forEach(function (key) {
            if (batch[key] === null) store.delete(key); else store.put(batch[key], key);
          });
        } catch (e) { resolve(); }
      });
    }).catch(function () { /* nothing more to do: localStorage has the changes */ }).then(function () {
      writing = false;  // never left set, or every later change would skip this copy
      write();
    });
  }
  function range(prefix) { return IDBKeyRange.bound(prefix, prefix + "\uffff"); }

  // Whether a kept value is the one the server has: the server trims texts and writes numbers its
  // own way ("4,5" is 4.5); the visit's time is compared to the minute ("2026-12-03T10:00").
  function sameValue(typed, stored, number, toTheMinute) {
    var a = String(typed === null || typed === undefined ? "" : typed).trim();
    var b = String(stored === null || stored === undefined ? "" : stored).trim();
    if (toTheMinute) { a = a.slice(0, 16); b = b.slice(0, 16); }
    if (a === b) return true;
    if (!number) return false;
    a = a.replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    b = b.replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    return /^\d+(\.\d+)?$/.test(a) && /^\d+(\.\d+)?$/.test(b) && Number(a) === Number(b);
  }

  return {
    sameValue: sameValue,
    // Calls made together (a change moved from one key to another) go in one transaction: a kill
    // between two would keep neither or both, never half.
    put: function (key, text) { latest[key] = text; Promise.resolve().then(write); },
    remove: function (key) { latest[key] = null; Promise.resolve().then(write); },
    list: function (prefix) {
      return open().then(function (db) {
        var tx = db && transaction(db, "readonly");
        if (!tx) return null;
        return new Promise(function (resolve) {
          var found = [], request = tx.objectStore("drafts").openCursor(range(prefix));
          request.onsuccess = function () {
            var cursor = request.result;
            if (!cursor) { resolve(found); return; }
            found.push({ key: cursor.key, text: cursor.value });
            cursor.continue();
          };
          request.onerror = function () { resolve(found); };
        });
      }).catch(function () { return null; });
    },
    removeAll: function (prefix) {
      return open().then(function (db) {
        var tx = db && transaction(db, "readwrite");
        if (!tx) return;
        return new Promise(function (resolve) {
          tx.oncomplete = tx.onerror = tx.onabort = resolve;
          tx.objectStore("drafts").delete(range(prefix));
        });
      }).catch(function () {});
    }
  };
}());
