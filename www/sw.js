// Offline support: the page's own static files, network first (so a new build
// is picked up at once), the cached copy when the network is gone. Only
// same-origin GETs are handled; nothing else is ever requested (see the CSP).
const CACHE = 'tcpopt-v1';
const FILES = ['./', 'index.html', 'style.css', 'main.js', 'render.js', 'model.js', 'plot.js', 'worker.js',
  'correlate.js', 'correlate-worker.js',
  'tcpopt-web.js', 'tcpopt-web_bg.wasm', 'samples/tw-recycle-drop.pcapng'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys().then((ks) => Promise.all(ks.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});
self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  e.respondWith(fetch(req).then((res) => {
    if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(req, copy)); }
    return res;
  }).catch(() => caches.match(req, { ignoreSearch: true }).then((r) => r || Response.error())));
});
