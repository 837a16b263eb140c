/* AuditPhotoStore: the one place that reads and writes the photos kept on this tablet until the
 * server has them — the fill page (fill-photos.js), the visit page (page.js, the ones that could
 * not be sent) and Sign out (sign-out.js, whose visits they are). Loaded on every signed-in page.
 * IndexedDB "audit-photos", store "photos", one record a photo:
 * { key (given by the store), uuid (the visit's), item (the question's id), file, name,
 * offline (taken without a connection) }.
 * .add(record) -> Promise of its key, .list(uuid) -> Promise of the visit's records,
 * .visits() -> Promise of the uuids of the visits it keeps photos of (asked at sign-out),
 * .remove(key), .removeAll(uuid). Rejected where IndexedDB cannot be used.
 */
window.AuditPhotoStore = (function () {
  "use strict";
  // One connection for the page's life: the fill page retries its waiting photos every 15 s, and a
  // connection opened for each call and never closed piled up over a day's visits.
  var opening = null;
  function photoDb() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open("audit-photos", 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("photos", { keyPath: "key", autoIncrement: true });
        };
        request.onsuccess = function () {
          var db = request.result;
          db.onclose = function () { opening = null; };  // closed by the browser: the next call opens anew
          db.onversionchange = function () { db.close(); opening = null; };
          resolve(db);
        };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }
  function withStore(mode, work) {
    return photoDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx;
        try { tx = db.transaction("photos", mode); } catch (e) { opening = null; reject(e); return; }  // closed meanwhile
        var result = work(tx.objectStore("photos"));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("aborted")); };  // a full disk aborts
      });
    });
  }
  return {
    add: function (record) { return withStore("readwrite", function (s) { return s.add(record); }); },
    list: function (uuid) {
      return withStore("readonly", function (s) { return s.getAll(); }).then(function (all) {
        return (all || []).filter(function (p) { return p.uuid === uuid; });
      });
    },
    visits: function () {
      var uuids = {};
      return withStore("readonly", function (s) {
        s.openCursor().onsuccess = function (event) {
          var cursor = event.target.result;
          if (!cursor) return;
          uuids[cursor.value.uuid] = true;
          cursor.continue();
        };
      }).then(function () { return Object.keys(uuids); });
    },
    remove: function (key) { return withStore("readwrite", function (s) { return s.delete(key); }); },
    removeAll: function (uuid) {
      return withStore("readwrite", function (s) {
        s.openCursor().onsuccess = function (event) {
          var cursor = event.target.result;
          if (!cursor) return;
          if (cursor.value.uuid === uuid) cursor.delete();
          cursor.continue();
        };
      });
    }
  };
}());
