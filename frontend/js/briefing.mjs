// The field briefing (saferplace/jinja2/briefing/briefing.html, docs/briefing.md):
//
// - registers the service worker (/service-worker.js) that keeps the last briefing on the phone;
// - says when the page shown is that saved copy ("Saved briefing from HH:MM — you are offline");
// - keeps each task update (accept, take, decline, note, complete) in IndexedDB under a key of its
//   own (crypto.randomUUID()) and sends it to /briefing/updates when there is a signal (at once,
//   on the `online` event, and when the page loads), then tells the person which were sent and
//   which were refused. The server makes an update sent twice only once (the key);
// - draws the briefing's map (its areas, today's priorities, the tasks) on the analysis maps'
//   frame (analysis-map.mjs);
// - on sign-out, deletes what the briefing kept on the phone (clearBriefingStorage); on the
//   sign-in page, the saved briefing (not the updates waiting to be sent, which are each person's).
//
// Without JavaScript the forms post to the same address and the page comes back. Text from the
// data goes on the page with textContent (dom.mjs), never as HTML.
import L from "leaflet";
import { registerAnalysisMap } from "./analysis-map.mjs";
import { element } from "./dom.mjs";
import { countOf } from "./explorer.mjs";

export const CACHE_PREFIX = "saferplace-briefing";
const DATABASE = "saferplace-briefing";
const STORE = "updates";
const ACTION_WORDS = {
  accept: "Accept", take: "Take", decline: "Decline", note: "Note", answer: "Answers", complete: "Complete",
};

// --- IndexedDB: the updates waiting to be sent ---------------------------------------------

function openDatabase() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, work) {
  const database = await openDatabase();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = database.transaction(STORE, mode);
      const result = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(result.result);
      transaction.onerror = () => reject(transaction.error);
    });
  } finally {
    database.close();
  }
}

const keep = (update) => withStore("readwrite", (store) => store.put(update));
const forget = (key) => withStore("readwrite", (store) => store.delete(key));
const waiting = async (user) => ((await withStore("readonly", (store) => store.getAll())) || [])
  .filter((update) => update.user === user)
  .sort((a, b) => a.made - b.made);

// Everything the briefing kept on this phone: the saved pages, the updates, the service worker.
export async function clearBriefingStorage() {
  const work = [];
  if (window.caches) {
    const names = await caches.keys();
    names.filter((name) => name.startsWith(CACHE_PREFIX)).forEach((name) => work.push(caches.delete(name)));
  }
  if (window.indexedDB) {
    work.push(new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DATABASE);
      request.onsuccess = resolve;
      request.onerror = resolve;
      request.onblocked = resolve;
    }));
  }
  if (navigator.serviceWorker) {
    const registrations = await navigator.serviceWorker.getRegistrations();
    registrations.forEach((registration) => work.push(registration.unregister()));
  }
  await Promise.allSettled(work);
}

async function clearSavedPages() {
  if (!window.caches) return;
  const names = await caches.keys();
  await Promise.allSettled(names.filter((name) => name.startsWith(CACHE_PREFIX)).map((name) => caches.delete(name)));
}

// --- Telling the person -------------------------------------------------------------------

class Report {
  constructor(root) {
    this.title = root.querySelector("[data-briefing-sync-title]");
    this.list = root.querySelector("[data-briefing-sync-list]");
    this.items = new Map(); // key → list item
  }

  say(update, state, text) {
    if (!this.list) return;
    let item = this.items.get(update.key);
    if (!item) {
      item = element("li", "app-briefing-sync__item");
      this.items.set(update.key, item);
      this.list.append(item);
    }
    item.className = `app-briefing-sync__item app-briefing-sync__item--${state}`;
    item.dataset.state = state;
    const what = `${ACTION_WORDS[update.action] || update.action}: ${update.title}`;
    const label = { waiting: "Waiting to send", sent: "Sent", failed: "Not sent" }[state];
    item.replaceChildren(element("strong", "", `${label}. `), element("span", "", `${what}. ${text || ""}`.trim()));
    if (this.title) this.title.hidden = false;
    if (state === "sent") this.offerReload();
  }

  // The page was drawn before the updates were made: a link to draw it again, as it is now.
  offerReload() {
    if (this.reload || !this.list) return;
    this.reload = element("p", "govuk-body");
    const link = element("a", "govuk-link", "See your briefing as it is now");
    link.href = window.location.pathname;
    this.reload.append(link);
    this.list.after(this.reload);
  }
}

// --- Sending -----------------------------------------------------------------------------

function csrfToken() {
  const input = document.querySelector("input[name='csrfmiddlewaretoken']");
  return input ? input.value : "";
}

class Outbox {
  constructor(root, report) {
    this.url = root.dataset.updatesUrl;
    this.user = root.dataset.user;
    this.report = report;
    this.sending = null;
  }

  async add(update) {
    await keep(update);
    this.report.say(update, "waiting", navigator.onLine ? "" : "It is kept on this phone until there is a signal.");
    return this.send();
  }

  async showWaiting() {
    (await waiting(this.user)).forEach((update) => this.report.say(update, "waiting", "Kept on this phone."));
  }

  // One sending at a time; a call while one runs waits for it and sends again.
  send() {
    this.sending = (this.sending || Promise.resolve()).then(() => this.sendAll()).catch(() => {});
    return this.sending;
  }

  async sendAll() {
    if (!navigator.onLine) return;
    for (const update of await waiting(this.user)) {
      // eslint-disable-next-line no-await-in-loop -- in the order they were made
      const carryOn = await this.sendOne(update);
      if (!carryOn) return;
    }
  }

  // Sent or refused for good: forgotten. Not sent (no signal, signed out, the server's fault):
  // kept, and the rest wait too.
  async sendOne(update) {
    let response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ key: update.key, task: update.task, action: update.action, payload: update.payload }),
      });
    } catch {
      this.report.say(update, "waiting", "No signal: it is kept on this phone and sent when the signal returns.");
      return false;
    }
    const type = response.headers.get("content-type") || "";
    if (!type.includes("json")) {
      // The sign-in page (the session has ended) or a refusal of the form's token.
      this.report.say(update, "waiting", "Kept on this phone: sign in again (or reload the page) to send it.");
      return false;
    }
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      await forget(update.key);
      this.report.say(update, "sent", answer.message || "");
      return true;
    }
    if (response.status >= 500) {
      this.report.say(update, "waiting", "The server could not take it just now: it will be sent again.");
      return false;
    }
    await forget(update.key);
    this.report.say(update, "failed", answer.detail || `The server answered ${response.status}.`);
    return true;
  }
}

function updateFrom(form, user) {
  const data = new FormData(form);
  const payload = {};
  ["reason", "text", "outcome"].forEach((name) => {
    if (data.has(name)) payload[name] = String(data.get(name));
  });
  const questions = data.getAll("question");
  const answers = data.getAll("answer");
  if (answers.length) {
    payload.answers = Object.fromEntries(questions.map((question, index) => [String(question), String(answers[index] ?? "")]));
  }
  return {
    key: window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(data.get("key")),
    user,
    task: String(data.get("task")),
    action: String(data.get("action")),
    title: form.dataset.taskTitle || "",
    payload,
    made: Date.now(),
  };
}

// --- Offline ------------------------------------------------------------------------------

function watchConnection(root, outbox) {
  const banner = root.querySelector("[data-briefing-offline]");
  const show = () => {
    if (banner) banner.hidden = navigator.onLine;
  };
  window.addEventListener("offline", show);
  window.addEventListener("online", () => {
    show();
    outbox.send();
  });
  show();
}

function registerWorker(root) {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.register(root.dataset.serviceWorker, { scope: "/" }).catch(() => {});
  if (controlled) return;
  // The first visit: this page and its files came before the worker was there to keep them, so
  // it is asked to fetch and keep them now (it keeps only the briefing's own addresses).
  navigator.serviceWorker.ready.then((registration) => {
    const addresses = [window.location.href, ...performance.getEntriesByType("resource").map((entry) => entry.name)];
    registration.active?.postMessage({ keep: addresses });
  }).catch(() => {});
}

// --- The map ------------------------------------------------------------------------------

function popup(title, rows) {
  const box = element("div", "app-map-popup");
  box.append(element("p", "govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1", title));
  const list = element("dl", "app-map-popup__list");
  rows.filter(([, value]) => value !== "" && value !== undefined && value !== null)
    .forEach(([label, value]) => list.append(element("dt", "", label), element("dd", "", String(value))));
  box.append(list);
  return box;
}

function drawBriefing(map, collection) {
  map.createPane("app-points").style.zIndex = "450";
  const bounds = L.latLngBounds([]);
  const layer = L.geoJSON(collection, {
    style: (feature) => {
      const { kind } = feature.properties;
      if (kind === "area") return { className: "app-briefing-area", weight: 3, fillOpacity: 0.04, dashArray: "8 6" };
      return { className: "app-briefing-issue", weight: 1.5, fillOpacity: 0.6 };
    },
    pointToLayer: (feature, latlng) => {
      const { kind, offered } = feature.properties;
      const className = kind === "task" ? `app-briefing-task-point${offered ? " app-briefing-task-point--offered" : ""}`
        : "app-briefing-flagged";
      return L.circleMarker(latlng, { pane: "app-points", className, radius: 8, weight: 2, fillOpacity: 1 });
    },
    onEachFeature: (feature, shape) => {
      const p = feature.properties;
      let title;
      let rows;
      if (p.kind === "area") {
        title = `Your area: ${p.where}`;
        rows = [];
      } else if (p.kind === "task") {
        title = `${p.offered ? "On offer" : "Your task"}: ${p.title}`;
        rows = [["Where", p.where], ["Status", p.status]];
      } else {
        title = `${p.rank}. ${p.title}`;
        rows = [["Where", p.where], ["Incidents", p.count], ["Score", Number(p.score).toFixed(1)]];
      }
      shape.bindTooltip(element("span", "", title));
      shape.bindPopup(popup(title, rows));
    },
  }).addTo(map);
  layer.eachLayer((shape) => bounds.extend(shape.getBounds ? shape.getBounds() : shape.getLatLng()));
  const { issues, tasks } = collection.metadata;
  const parts = [countOf(tasks, "task")];
  if (collection.metadata.analysis !== null) parts.unshift(countOf(issues, "priority", "priorities"));
  return { bounds, message: `${parts.join(" and ")} on the map.` };
}

registerAnalysisMap("briefing", drawBriefing);

// --- Starting -----------------------------------------------------------------------------

// Before signing out: the updates waiting are sent if there is a signal (for a few seconds at
// most); then everything the briefing kept goes, sent or not (docs/briefing.md).
let sendBeforeSignOut = () => Promise.resolve();

function hookSignOut(scope) {
  scope.querySelectorAll("form.app-account-bar").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.cleared) return;
      event.preventDefault();
      const sent = Promise.race([sendBeforeSignOut(), new Promise((resolve) => { setTimeout(resolve, 3000); })]);
      sent.then(clearBriefingStorage).finally(() => {
        form.dataset.cleared = "yes";
        form.submit();
      });
    });
  });
}

export function initBriefing(scope) {
  hookSignOut(scope);
  if (window.location.pathname === "/sign-in/") {
    clearSavedPages(); // whoever signs in next does not see the last person's saved briefing
  }
  const root = scope.querySelector("[data-module='app-briefing']");
  if (!root || !window.indexedDB) return;
  registerWorker(root);
  const report = new Report(root);
  const outbox = new Outbox(root, report);
  watchConnection(root, outbox);
  sendBeforeSignOut = () => outbox.send();
  root.querySelectorAll("form[data-briefing-update]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const update = updateFrom(form, outbox.user);
      form.reset();
      const details = form.closest("details");
      if (details) details.open = false;
      outbox.add(update);
    });
  });
  outbox.showWaiting().then(() => outbox.send());
}
