/* A second, durable copy of what a fill page has not sent yet.
 *
 * fill.js keeps unsent changes in localStorage, which a page reads at once when it opens; but
 * Chromium writes localStorage to disk a second or more after a change, so a browser killed
 * outright (the system reclaiming memory, a crash) lost what was typed just before. IndexedDB
 * is on disk when its transaction completes ("strict" durability): every change is written
 * there too, and a page that opens adopts what only this copy still has.
 *
 * AuditDraftStore.put(key, text), .remove(key), .list(prefix) -> Promise of [{key, text}],
 * .removeAll(prefix). The records are JSON text, taken as they are when put. Without IndexedDB every call does nothing and list() finds nothing.
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
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { resolve(null); };  // private mode, storage switched off
        request.onblocked = function () { resolve(null); };
      });
    }
    return opening;
  }
  function transaction(db, mode) {
    try { return db.transaction("drafts", mode, { durability: "strict" }); } catch (e) { /* older browsers */ }
    return db.transaction("drafts", mode);
  }
  // Changes come with every keystroke: one transaction at a time writes the latest record of each
  // key (null: removed), the ones that arrive meanwhile wait for the next.
  function write() {
    if (writing || !Object.keys(latest).length) return;
    writing = true;
    var batch = latest;
    latest = {};
    open().then(function (db) {
      if (!db) return null;
      return new Promise(function (resolve) {
        var tx = transaction(db, "readwrite"), store = tx.objectStore("drafts");
        Object.keys(batch).forEach(function (key) {
          if (batch[key] === null) store.delete(key); else store.put(batch[key], key);
        });
        tx.oncomplete = resolve;
        tx.onerror = tx.onabort = resolve;  // a full disk: localStorage still has the changes
      });
    }).then(function () {
      writing = false;
      write();
    });
  }
  function range(prefix) { return IDBKeyRange.bound(prefix, prefix + "\uffff"); }

  return {
    put: function (key, text) { latest[key] = text; write(); },
    remove: function (key) { latest[key] = null; write(); },
    list: function (prefix) {
      return open().then(function (db) {
        if (!db) return [];
        return new Promise(function (resolve) {
          var found = [], request = transaction(db, "readonly").objectStore("drafts").openCursor(range(prefix));
          request.onsuccess = function () {
            var cursor = request.result;
            if (!cursor) { resolve(found); return; }
            found.push({ key: cursor.key, text: cursor.value });
            cursor.continue();
          };
          request.onerror = function () { resolve(found); };
        });
      });
    },
    removeAll: function (prefix) {
      return open().then(function (db) {
        if (!db) return;
        return new Promise(function (resolve) {
          var tx = transaction(db, "readwrite");
          tx.objectStore("drafts").delete(range(prefix));
          tx.oncomplete = tx.onerror = tx.onabort = resolve;
        });
      });
    }
  };
}());
