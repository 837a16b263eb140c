/* Service worker: lets an auditor reload a checklist page without a connection.
 * Fill pages and static files are fetched from the network first; when that fails, the copy
 * kept from the last successful load is served. Answers typed since then live in
 * localStorage (and IndexedDB) and are laid over the page by fill.js. Nothing else is cached.
 */
var CACHE = "audit-pages-v1";
var STATIC = ["/static/css/app.css", "/static/js/draft-store.js", "/static/js/fill-photos.js", "/static/js/fill.js", "/static/js/page.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(STATIC); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (c) { c.put(key, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(key).then(function (cached) { return cached || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (request.mode === "navigate" && /^\/visits\/[^/]+\/fill$/.test(url.pathname)) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});
