/* Service worker: lets an auditor reload a checklist page without a connection.
 * Fill pages and static files are fetched from the network first; when that fails, the copy
 * kept from the last successful load is served. Answers typed since then live in
 * localStorage (and IndexedDB) and are laid over the page by fill.js. Nothing else is cached.
 * A language switch or sign-out that cannot get through leaves the page as it is (below).
 */
var CACHE = "audit-pages-v1";
var STATIC = ["/static/css/app.css", "/static/js/draft-store.js", "/static/js/fill-photos.js", "/static/js/fill.js", "/static/js/page.js",
  "/static/js/photo-store.js",
  "/static/js/sign-out.js"];

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

// A language button or Sign out pressed where the connection is too weak to carry the form (the
// tablet thinks it is online, so page.js and sign-out.js let it go): the browser would put its own
// error page in place of the page, perhaps a fill page with the visit on it. Answered "204 No
// Content" instead, which leaves the page as it is, and the page is told, to say why nothing
// happened. A sign-out that got through forgets the pages kept for offline use (a shared tablet's
// next user must not open them) before the sign-in page is shown; one that did not keeps them.
var FORM_WAIT = 15000;  // ms; an answer that takes longer is not coming
var KEEPS_PAGE = { "/language": { language: "not-switched" }, "/logout": { signOut: "not-through" } };

self.addEventListener("fetch", function (event) {
  var request = event.request, path = new URL(request.url).pathname;
  if (request.method !== "POST" || request.mode !== "navigate" || !KEEPS_PAGE.hasOwnProperty(path)) return;
  var gaveUp = new Promise(function (resolve) { setTimeout(resolve, FORM_WAIT, null); });
  var sent = fetch(request).catch(function () { return null; });
  event.respondWith(Promise.race([sent, gaveUp]).then(function (response) {
    if (!response) return notThrough(request.referrer, KEEPS_PAGE[path]).then(function () {
      return new Response(null, { status: 204 });
    });
    if (path === "/logout" && (response.type === "opaqueredirect" || response.ok)) {
      return forgetPages().then(function () { return response; });
    }
    return response;
  }));
});

function forgetPages() {
  return caches.keys().then(function (keys) {
    return Promise.all(keys.map(function (k) { return caches.delete(k); }));
  });
}

function withoutFragment(address) { return address.split("#")[0]; }

// The window the button was pressed in: the one showing the page the form came from (the
// focused one if two show it).
function notThrough(address, message) {
  return self.clients.matchAll({ type: "window" }).then(function (windows) {
    var from = windows.filter(function (w) { return withoutFragment(w.url) === withoutFragment(address); });
    var focused = from.filter(function (w) { return w.focused; });
    (focused.length ? focused : from).forEach(function (w) { w.postMessage(message); });
  });
}
