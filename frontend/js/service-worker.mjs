// The service worker that keeps the field briefing on the phone (docs/briefing.md). Built to
// saferplace/static/dist/service-worker.js and served from the site's root (/service-worker.js),
// so that it also answers a phone opening SaferPlace's home page without a signal.
//
// Network first: with a signal, every page and file comes from the server as usual, and the
// briefing (its page, its map's data, the site's own scripts, styles and images, the streets
// the map drew) is saved as it passes. Without one, the saved copy is served, if it is less than
// MAX_AGE old. Nothing else is kept: other pages are never saved, and no update is sent from
// here (the page sends them, so that it can tell the person what happened).
//
// A page the server answered with a redirect (to sign in) or an error is never saved. Signing
// out deletes everything (briefing.mjs, and the server's Clear-Site-Data header).

const CACHE = "saferplace-briefing-v1";
const PREFIX = "saferplace-briefing";
const BRIEFING = "/briefing/";
const MAX_AGE = 24 * 60 * 60 * 1000; // a day: yesterday's briefing is not today's
const SAVED_AT = "x-saferplace-saved-at";

// What the worker saves on its way past: the briefing, its map, and the files it needs.
function saved(url) {
  return url.pathname === BRIEFING || url.pathname === "/briefing/map.geojson"
    || url.pathname.startsWith("/static/") || url.pathname === "/map/streets.geojson"
    || url.pathname === "/map/labels.geojson";
}

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

async function save(key, response) {
  const headers = new Headers(response.headers);
  headers.set(SAVED_AT, String(Date.now()));
  const body = await response.blob();
  const cache = await caches.open(CACHE);
  await cache.put(key, new Response(body, { status: response.status, statusText: response.statusText, headers }));
}

async function savedCopy(key) {
  const cache = await caches.open(CACHE);
  const copy = await cache.match(key, { ignoreVary: true, ignoreSearch: key === BRIEFING });
  if (!copy) return null;
  const at = Number(copy.headers.get(SAVED_AT) || 0);
  if (Date.now() - at > MAX_AGE) {
    await cache.delete(key, { ignoreVary: true });
    return null;
  }
  return copy;
}

function offline() {
  return new Response(
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    + "<title>You are offline – SaferPlace</title></head><body><main><h1>You are offline</h1>"
    + "<p>No briefing from the last day is saved on this phone. Open your briefing when you have a signal, and it will be kept for when you do not.</p>"
    + "</main></body></html>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } },
  );
}

async function networkFirst(request, key) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && response.type === "basic") {
      await save(key, response.clone());
    }
    return response;
  } catch (error) {
    const copy = await savedCopy(key);
    if (copy) return copy;
    if (request.mode === "navigate") return offline();
    throw error;
  }
}

// The page asks, on its first visit, for what it loaded before this worker was there.
self.addEventListener("message", (event) => {
  const addresses = Array.isArray(event.data?.keep) ? event.data.keep.slice(0, 200) : [];
  event.waitUntil(Promise.all(addresses.map(async (address) => {
    let url;
    try {
      url = new URL(address, self.location.origin);
    } catch {
      return;
    }
    if (url.origin !== self.location.origin || !saved(url)) return;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok && !response.redirected) await save(url.pathname === BRIEFING ? BRIEFING : url.href, response);
    } catch {
      // offline already: nothing to keep
    }
  })));
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname === BRIEFING) {
      event.respondWith(networkFirst(request, BRIEFING));
    } else if (url.pathname === "/") {
      // The home page is the briefing for a practitioner; without a signal, the saved briefing.
      event.respondWith(fetch(request).catch(async () => (await savedCopy(BRIEFING)) || offline()));
    }
    return;
  }
  if (saved(url)) {
    event.respondWith(networkFirst(request, request.url));
  }
});
