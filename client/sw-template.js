/* global self, caches, fetch, Response, URL, setTimeout, clearTimeout, __SHELL__ */
/*
 * Lounge's service worker: keeps the built app shell (index.html, the hashed JS and CSS, the icon and
 * manifest, and the SQL replica's worker with PGlite's wasm and data files, which are build assets too) in
 * Cache Storage, so the app and its local database open with no network. Data never goes through here:
 * the API and the sync socket are left alone, and messages live in IndexedDB (y-indexeddb and PGlite's
 * IDBFS).
 *
 * The build fills in __VERSION__ and __SHELL__ (client/vite.config.ts): every build with new assets is
 * a new worker, which caches its shell and then removes the caches of older builds.
 */
const VERSION = '__VERSION__';
const SHELL = __SHELL__;
const CACHE = `lounge-shell-${VERSION}`;
const NAVIGATION_TIMEOUT_MS = 4000;
const NOT_SHELL = /^\/(api|sync|docs|openapi\.json|healthz|readyz)(\/|$)/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((key) => key.startsWith('lounge-shell-') && key !== CACHE).map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

/** Which cached page stands in for a page address offline: the widget's for /embed/…, else the app's. */
function shellPageFor(url) {
  return /^\/embed\//.test(url.pathname) ? '/widget.html' : '/index.html';
}

/** The network's answer, unless it fails or takes too long: then the cached shell. */
function networkFirst(request) {
  return new Promise((resolve) => {
    let settled = false;
    const fallback = () => {
      if (settled) return;
      settled = true;
      resolve(
        caches
          .open(CACHE)
          .then((cache) => cache.match(shellPageFor(new URL(request.url))))
          .then((cached) => cached || Response.error()),
      );
    };
    const timer = setTimeout(fallback, NAVIGATION_TIMEOUT_MS);
    fetch(request).then(
      (response) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        resolve(response);
      },
      () => {
        clearTimeout(timer);
        fallback();
      },
    );
  });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NOT_SHELL.test(url.pathname)) return;
  if (request.mode === 'navigate') {
    // Pages: fresh when online (a new build shows at once), the cached shell when offline.
    event.respondWith(networkFirst(request));
    return;
  }
  // Hashed assets never change under one name: the cache answers first.
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(request))
      .then((cached) => cached || fetch(request)),
  );
});

/*
 * Web Push: the server sends a notification (a mention, a reply in your thread, a moderator's notice)
 * encrypted to this browser; shown even with no tab open. The payload is { title, body, url, tag }.
 */
self.addEventListener('push', (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: 'Lounge', body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || 'Lounge', {
      body: data.body || '',
      tag: data.tag,
      icon: '/icon.svg',
      data: { url: data.url || '/notifications' },
    }),
  );
});

/** Opening a notification focuses an open Lounge tab on its message, or opens one. */
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || '/notifications', self.location.origin);
  // Only this app's own pages: a payload is not a way to send the member elsewhere.
  const url = target.origin === self.location.origin ? target.href : `${self.location.origin}/notifications`;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((tabs) => {
      const tab = tabs.find((t) => new URL(t.url).origin === self.location.origin);
      if (tab) return tab.navigate(url).then((t) => (t || tab).focus());
      return self.clients.openWindow(url);
    }),
  );
});
