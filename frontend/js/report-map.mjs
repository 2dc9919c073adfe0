// The public "report a problem" journey (saferplace/jinja2/reports_public/): on the "where" page,
// a map of the streets (from this site only: no tiles) where a tap places the pin and fills in
// the form's hidden latitude and longitude, and a "Use my location" button; on the "what" page,
// a search box that narrows the list of problems. Without JavaScript both pages still work: the
// street or postcode search, and the whole list.
//
// Text is put on the page with textContent, never as HTML.
import L from "leaflet";
import { addReferenceLayers } from "./map.mjs";

const PIN = { radius: 10, weight: 3, color: "#ffffff", fillColor: "#d4351c", fillOpacity: 1, className: "app-report-pin" };
const CLOSE_ZOOM = 17;

function numberOrNull(text) {
  if (text === undefined || text === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function initWhere(root) {
  const form = document.getElementById(root.dataset.form || "");
  const mapElement = root.querySelector(".app-report-map");
  if (!form || !mapElement) return;
  const latitudeInput = form.querySelector("[data-report-latitude]");
  const longitudeInput = form.querySelector("[data-report-longitude]");
  const status = root.querySelector("[data-report-status]");
  const locate = root.querySelector("[data-report-locate]");
  root.hidden = false;

  const map = L.map(mapElement, { scrollWheelZoom: false });
  map.createPane("app-marks");
  addReferenceLayers(map, root);
  let pin = null;

  const place = (latlng, message) => {
    if (pin) {
      pin.setLatLng(latlng);
    } else {
      pin = L.circleMarker(latlng, { ...PIN, pane: "app-marks", interactive: false }).addTo(map);
    }
    latitudeInput.value = latlng.lat.toFixed(6);
    longitudeInput.value = latlng.lng.toFixed(6);
    root.dataset.pinned = "true";
    if (status) status.textContent = message;
  };

  const latitude = numberOrNull(root.dataset.latitude);
  const longitude = numberOrNull(root.dataset.longitude);
  const bounds = (root.dataset.bounds || "").split(",").map(Number);
  if (latitude !== null && longitude !== null) {
    map.setView([latitude, longitude], CLOSE_ZOOM);
    place(L.latLng(latitude, longitude), "The pin is where you chose. Tap the map to move it.");
  } else if (bounds.length === 4 && bounds.every(Number.isFinite)) {
    map.fitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]]);
  } else {
    map.setView([52.5, -1.5], 6);
  }

  map.on("click", (event) => {
    place(event.latlng, "Pin placed. Choose Continue, or tap the map again to move it.");
  });

  if (locate) {
    if (!("geolocation" in navigator)) {
      locate.hidden = true;
    } else {
      locate.addEventListener("click", () => {
        if (status) status.textContent = "Finding your location…";
        navigator.geolocation.getCurrentPosition(
          (position) => {
            const latlng = L.latLng(position.coords.latitude, position.coords.longitude);
            map.setView(latlng, CLOSE_ZOOM);
            place(latlng, "Pin placed at your location. Check it on the map, then choose Continue.");
          },
          () => {
            if (status) status.textContent = "Your location could not be found: tap the map, or search for a street or postcode.";
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
        );
      });
    }
  }
}

function initFilter(root) {
  const input = root.querySelector("[data-report-filter-input]");
  const status = root.querySelector("[data-report-filter-status]");
  const scope = root.closest("fieldset") || document;
  if (!input) return;
  root.hidden = false;
  const filter = () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    scope.querySelectorAll("[data-report-group]").forEach((group) => {
      let inGroup = 0;
      group.querySelectorAll("[data-report-words]").forEach((item) => {
        const radio = item.querySelector("input");
        const visible = words.every((word) => item.dataset.reportWords.includes(word)) || (radio && radio.checked);
        item.hidden = !visible;
        if (visible) inGroup += 1;
      });
      group.hidden = inGroup === 0;
      shown += inGroup;
    });
    if (!status) return;
    if (!words.length) {
      status.textContent = "";
    } else if (shown) {
      status.textContent = `${shown} ${shown === 1 ? "problem matches" : "problems match"}`;
    } else {
      status.textContent = "No problem matches: try another word, or clear the search to see them all.";
    }
  };
  input.addEventListener("input", filter);
  // Enter in the search box filters; it does not send the form.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
}

export function initReportPages(scope) {
  scope.querySelectorAll("[data-module='app-report-map']").forEach((root) => initWhere(root));
  scope.querySelectorAll("[data-module='app-report-filter']").forEach((root) => initFilter(root));
}
