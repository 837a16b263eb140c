/* Photos on the fill page, started by fill.js: each photo is kept on the tablet (IndexedDB)
 * first and sent from there, so a failed or interrupted upload is sent again, never lost; a
 * photo refused for good is named under its question; one refused because the visit was
 * submitted elsewhere stays on the tablet and is listed with the other unsent changes, and on
 * the visit's page (page.js), to be saved and sent to the reviewer another way.
 *
 * The photos are kept by AuditPhotoStore (photo-store.js).
 *
 * AuditFillPhotos(form, msg, csrf, page), page: { changed() — the save state may have changed,
 * error(item, message), conflict() }.
 */
window.AuditFillPhotos = function (form, msg, csrf, page) {
  "use strict";
  var queuedPhotos = 0, photoTrouble = false;
  var uploading = {}, cancelled = {};  // queue keys being sent; of those, the ones removed meanwhile
  var kept = window.AuditPhotoStore;

  // Each thumbnail sits in a <span class="photo"> with a remove button: data-evidence-id once
  // stored on the server, data-queue-key while it waits in IndexedDB (taken offline).
  function showThumb(item, src, waiting, ids) {
    var box = form.querySelector('[data-photos-for="' + item + '"]');
    var holder = document.createElement("span");
    holder.className = "photo";
    Object.keys(ids || {}).forEach(function (name) { holder.dataset[name] = ids[name]; });
    var img = document.createElement("img");
    img.src = src; img.alt = ""; img.className = "thumb" + (waiting ? " waiting" : "");
    if (waiting) img.title = msg.photo_waiting;
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "photo-remove"; remove.textContent = "×";
    remove.setAttribute("aria-label", msg.photo_remove);
    holder.appendChild(img); holder.appendChild(remove);
    box.appendChild(holder);
    return holder;
  }
  function upload(item, file) {
    var data = new FormData();
    data.append("item_id", item);
    data.append("photo", file, file.name || "photo.jpg");
    return fetch(form.dataset.photoUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf }, body: data
    }).then(function (response) {
      // A proxy in front of the app answers a body over its own limit with an HTML 413 page:
      // that too is a final refusal of this photo, not a reason to send it again and again.
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          // Only a refusal of the photo itself is final; an expired session or page is retried later.
          // 409: the visit was submitted from elsewhere; the photo is kept here and listed.
          var final = !body.retry && [400, 413, 415].indexOf(response.status) !== -1;
          var fallback = response.status === 413 ? msg.photo_too_large : msg.photo_failed;
          throw Object.assign(new Error(body.error || fallback), { rejected: final, conflict: response.status === 409 });
        }
        if (!body.url) throw new Error(msg.photo_failed);  // not our answer: try again later
        return body;
      });
    });
  }
  // The same picture chosen twice is stored once (the server answers with the photo it has):
  // a second thumbnail of it removed the only stored photo when it was taken away.
  function alreadyShown(evidenceId, holder, item) {
    var shown = form.querySelector('.photo[data-evidence-id="' + evidenceId + '"]');
    if (!shown || shown === holder) return false;
    if (holder) holder.remove();
    page.error(item, msg.photo_duplicate);
    page.changed();
    return true;
  }
  function queuePhoto(item, file) {
    return kept.add({ uuid: form.dataset.uuid, item: item, file: file, name: file.name, offline: !navigator.onLine }).then(function (key) {
      queuedPhotos += 1;
      showThumb(item, URL.createObjectURL(file), true, { queueKey: key });
      page.changed();
    });
  }
  function forgetQueued(photo) {
    return kept.remove(photo.key).then(function () {
      queuedPhotos = Math.max(0, queuedPhotos - 1);
    });
  }
  function uploadQueuedPhotos() {
    if (!navigator.onLine || !window.indexedDB) return;
    kept.list(form.dataset.uuid).then(function (all) {
      all.filter(function (p) { return !uploading[p.key]; }).forEach(function (photo) {
        // The preview of exactly this photo, not the item's first waiting one.
        var holder = form.querySelector('.photo[data-queue-key="' + photo.key + '"]');
        uploading[photo.key] = true;
        upload(photo.item, photo.file).then(function (body) {
          photoTrouble = false;
          return forgetQueued(photo).then(function () {
            delete uploading[photo.key];  // only now: a second look at the queue no longer finds it
            if (cancelled[photo.key]) {  // removed while it was being sent: remove it from the server too
              delete cancelled[photo.key];
              removeStored(body.id, photo.item);
              page.changed();
              return;
            }
            if (alreadyShown(body.id, holder, photo.item)) return;
            if (holder) {
              holder.querySelector("img").src = body.thumb_url;
              holder.querySelector("img").classList.remove("waiting");
              holder.querySelector("img").removeAttribute("title");
              delete holder.dataset.queueKey;
              holder.dataset.evidenceId = body.id;
            }
            page.changed();
          });
        }).catch(function (error) {
          delete uploading[photo.key];
          if (error.conflict) { page.conflict(); return; }  // kept on the tablet, listed with the other unsent changes
          if (!error.rejected) { photoTrouble = true; page.changed(); return; }  // sent again in 15 s or when online
          forgetQueued(photo).then(function () {
            if (holder) holder.remove();
            page.error(photo.item, photo.offline ? msg.photo_refused_offline.replace("%(reason)s", error.message)
              : error.message);
            page.changed();
          });
        });
      });
    });
  }
  // A camera's photo over the server's limit (an 11.5 MB, 50 MP original) was refused with no way
  // out: it is redrawn here, upright, as a JPEG no larger than the server keeps anyway (its
  // longest side data-photo-side). One the tablet cannot read goes as it is, to be named there.
  function fitted(file) {
    var limit = Number(form.dataset.photoMaxBytes), side = Number(form.dataset.photoSide);
    if (!limit || file.size <= limit || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.9); });
    }).then(function (blob) {
      if (!blob || blob.size > limit) return file;
      return new File([blob], (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" });
    }).catch(function () { return file; });
  }
  form.querySelectorAll("input[type=file][data-photo-item]").forEach(function (input) {
    input.addEventListener("change", function () {
      var item = input.dataset.photoItem;
      Array.prototype.forEach.call(input.files, function (chosen) {
        page.error(item, "");
        fitted(chosen).then(function (file) { keep(item, file); });
      });
      input.value = "";
    });
  });
  function keep(item, file) {
    if (!window.indexedDB) {  // nowhere to keep it: sent at once or named as failed
      upload(item, file).then(function (body) {
        if (!alreadyShown(body.id, null, item)) showThumb(item, body.thumb_url, false, { evidenceId: body.id });
      }).catch(function (error) { page.error(item, error.message); });
      return;
    }
    // Kept on the tablet first, then sent from there: a failed or interrupted upload (the
    // server down, the page left) is sent again, never lost.
    queuePhoto(item, file).then(uploadQueuedPhotos).catch(function () {
      // The tablet could not keep it (storage full or refused): sent at once, or named as failed.
      upload(item, file).then(function (body) {
        if (!alreadyShown(body.id, null, item)) showThumb(item, body.thumb_url, false, { evidenceId: body.id });
      }).catch(function (error) { page.error(item, error.message); });
    });
  }
  // Removing a photo: a stored one on the server (while the visit is a draft), a waiting one here.
  form.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".photo-remove");
    if (!button) return;
    event.preventDefault();
    var holder = button.closest(".photo"), item = holder.closest("[data-photos-for]").dataset.photosFor;
    if (!window.confirm(msg.photo_remove_confirm)) return;
    if (holder.dataset.queueKey) {
      var key = Number(holder.dataset.queueKey);
      holder.remove();
      if (uploading[key]) { cancelled[key] = true; return; }  // removed from the server once it arrives there
      forgetQueued({ key: key }).then(page.changed);
      return;
    }
    removeStored(holder.dataset.evidenceId, item, holder);
  });
  function removeStored(evidenceId, item, holder) {
    fetch(form.dataset.photoDeleteUrl.replace("/0/", "/" + evidenceId + "/"), {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.error || msg.photo_failed);
        if (holder) holder.remove();
        page.error(item, "");
      });
    }).catch(function (error) {  // a network error's own text ("Failed to fetch") means nothing to an auditor
      page.error(item, error instanceof TypeError ? msg.photo_remove_failed : error.message);
    });
  }

  return {
    waiting: function () { return queuedPhotos; },  // kept here, not on the server yet
    trouble: function () { return photoTrouble; },  // the last try failed (server down, an error)
    send: uploadQueuedPhotos,
    start: function () {  // the photos a closed or reloaded page left waiting
      if (window.indexedDB) {
        kept.list(form.dataset.uuid).then(function (all) {
          all.forEach(function (p) {
            queuedPhotos += 1;
            showThumb(p.item, URL.createObjectURL(p.file), true, { queueKey: p.key });
          });
          page.changed();
          uploadQueuedPhotos();
        }).catch(function () {});
      }
    }
  };
};
