/* WARD FLUX service worker (served at /sw.js, scope /): the console installs as an app,
   and when the network is gone the last status board this device saw is shown. Pages are
   network-first (always fresh when online); the board's HTML is copied into the cache on
   each successful load; static files are cache-first. Nothing else is cached. */
const CACHE = "__VERSION__";
const ASSETS = __ASSETS__;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  if (req.mode === "navigate" && url.pathname === "/") {
    event.respondWith(
      fetch(req).then((resp) => {
        if (resp.ok && !resp.redirected) {
          const copy = resp.clone();
          caches.open(CACHE).then((c) => c.put("/", copy));
        }
        return resp;
      }).catch(() => caches.match("/").then((hit) => hit || new Response("Offline, and no board saved yet.", { status: 503 })))
    );
  }
});
