// Leaflet maps, and the reference layers every map of SaferPlace draws (`addReferenceLayers`):
// the tile layer when one is configured, the streets (from /map/streets.geojson, for the part
// of the map in view, main roads only when zoomed out), street names as labels, and places'
// names at their centres. Nothing comes from anywhere but this site unless a tile source is set.
//
// A map element carries its data sources in data attributes:
//   data-tile-url, data-tile-attribution  optional tile layer; everything else draws without it
//   data-streets-url    streets as GeoJSON lines (?bbox=west,south,east,north&zoom=N)
//   data-labels-url     places' label points as GeoJSON (name, kind)
//   data-labels         which kinds of place are named from which zoom: "community:0-12,ward:13-20"
//   data-boundaries-url (the map of places) GeoJSON FeatureCollection of place boundaries
//   data-legend         (the map of places) id of the element the fill colours' legend goes in
//   data-latitude, data-longitude, data-approximate  (one incident's map) where it is
//
// Text from the data is put on the page with textContent (see dom.mjs), never as HTML.
import L from "leaflet";
import { element, escapeHtml } from "./dom.mjs";

const palette = ["#d4351c", "#f47738", "#ffdd00", "#00703c", "#1d70b8", "#4c2c92", "#d53880", "#28a197"];

const MAJOR = new Set(["motorway", "a_road", "b_road"]);
// Streets are drawn as roads are on paper maps: a white line in a darker casing (so they are
// not taken for boundaries, which are single lines), main roads wider and cased in black.
const STREET_STYLES = {
  major: { casing: { color: "#0b0c0c", weight: 5 }, line: { color: "#ffffff", weight: 2.5 } },
  minor: { casing: { color: "#505a5f", weight: 4 }, line: { color: "#ffffff", weight: 2 } },
  local: { casing: { color: "#6f777b", weight: 3 }, line: { color: "#ffffff", weight: 1.5 } },
};
// The zoom from which each kind of street is named.
const STREET_LABEL_ZOOM = { motorway: 12, a_road: 12, b_road: 13, minor: 14, local: 15 };
// Below this zoom the server sends only main roads (places.selectors.ALL_STREETS_ZOOM).
const ALL_STREETS_ZOOM = 12;

function colourFor(index) {
  return palette[index % palette.length];
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok || !(response.headers.get("content-type") || "").includes("json")) {
    throw new Error(`the server answered ${response.status}`);
  }
  return response.json();
}

// "community:0-12,ward:13-20" → { community: [0, 12], ward: [13, 20] }
export function parseLabelZooms(text) {
  const zooms = {};
  (text || "").split(",").forEach((part) => {
    const [kind, range] = part.split(":");
    if (!kind || !range) return;
    const [low, high] = range.split("-").map(Number);
    if (Number.isFinite(low) && Number.isFinite(high)) zooms[kind.trim()] = [low, high];
  });
  return zooms;
}

function streetStyles(feature) {
  const { kind } = feature.properties;
  if (MAJOR.has(kind)) return STREET_STYLES.major;
  return kind === "minor" ? STREET_STYLES.minor : STREET_STYLES.local;
}

const casingStyle = (feature) => ({ ...streetStyles(feature).casing, opacity: 0.8, lineCap: "butt" });
const lineStyle = (feature) => ({ ...streetStyles(feature).line, opacity: 1 });

// The bounding box to ask for: the view and half as much again around it, rounded out to a grid
// so that small moves ask for the same streets again (which the browser keeps).
function paddedBox(bounds, step) {
  const padded = bounds.pad(0.5);
  const down = (value) => Math.floor(value / step) * step;
  const up = (value) => Math.ceil(value / step) * step;
  return [down(padded.getWest()), down(padded.getSouth()), up(padded.getEast()), up(padded.getNorth())]
    .map((value) => Number(value.toFixed(4)));
}

// Where a street's name may go, best first: its label point if that is in view, then points
// along the stretch of it in view, from the middle of that stretch outwards; so a long road is named wherever the map shows it, and a name that
// would overlap another can move along its street.
function labelPoints(feature, view, most = 8) {
  const [lng, lat] = feature.properties.label_at;
  const preferred = L.latLng(lat, lng);
  const { type, coordinates } = feature.geometry;
  // Points every sixth of the view's width along each segment (a long straight one too).
  const spacing = Math.max(view.getNorth() - view.getSouth(), view.getEast() - view.getWest()) / 6;
  const along = [];
  (type === "LineString" ? [coordinates] : coordinates).forEach((line) => {
    line.forEach(([x, y], index) => {
      if (index === 0) {
        along.push(L.latLng(y, x));
        return;
      }
      const [px, py] = line[index - 1];
      const steps = Math.min(50, Math.max(1, Math.ceil(Math.hypot(x - px, y - py) / spacing)));
      for (let step = 1; step <= steps; step += 1) {
        along.push(L.latLng(py + ((y - py) * step) / steps, px + ((x - px) * step) / steps));
      }
    });
  });
  const inView = along.filter((point) => view.contains(point));
  const middle = (inView.length - 1) / 2;
  const ordered = inView
    .map((point, index) => ({ point, distance: Math.abs(index - middle) }))
    .sort((a, b) => a.distance - b.distance)
    .map(({ point }) => point);
  return [...(view.contains(preferred) ? [preferred] : []), ...ordered].slice(0, most);
}

class ReferenceLayers {
  constructor(map, root) {
    this.map = map;
    this.root = root;
    this.labelZooms = parseLabelZooms(root.dataset.labels);
    this.streetFeatures = [];
    this.placeFeatures = [];
    this.loaded = null; // { detail, zoom, box: LatLngBounds }
    this.request = 0;
    this.ready = false;
  }

  start() {
    const { dataset } = this.root;
    if (dataset.tileUrl) {
      L.tileLayer(dataset.tileUrl, { attribution: escapeHtml(dataset.tileAttribution || ""), maxZoom: 19 }).addTo(this.map);
    }
    // Streets in a pane of their own, over the map's colours, letting the pointer through to them.
    this.map.createPane("app-streets");
    this.casings = L.geoJSON(null, { pane: "app-streets", interactive: false, style: casingStyle }).addTo(this.map);
    this.streets = L.geoJSON(null, { pane: "app-streets", interactive: false, style: lineStyle }).addTo(this.map);
    this.map.createPane("app-labels");
    this.labels = L.layerGroup().addTo(this.map);
    if (dataset.labelsUrl) {
      getJson(dataset.labelsUrl)
        .then((collection) => {
          this.placeFeatures = collection.features || [];
          this.drawLabels();
        })
        .catch(() => {});
    }
    this.map.whenReady(() => {
      this.ready = true;
      this.map.on("moveend", () => this.update());
      this.update();
    });
  }

  update() {
    this.drawLabels();
    if (this.root.dataset.streetsUrl) this.loadStreets();
  }

  async loadStreets() {
    const zoom = Math.round(this.map.getZoom());
    const detail = zoom < ALL_STREETS_ZOOM ? "major" : "all";
    // Lines simplified for this zoom or closer: asked for again only when zooming in past it.
    let simplifiedFor = 10;
    if (detail === "all") simplifiedFor = zoom < 14 ? 12 : zoom < 16 ? 14 : 16;
    const view = this.map.getBounds();
    const { loaded } = this;
    if (loaded && loaded.detail === detail && loaded.zoom >= simplifiedFor && loaded.box.contains(view)) return;
    const box = paddedBox(view, detail === "major" ? 0.05 : 0.01);
    const url = new URL(this.root.dataset.streetsUrl, window.location.href);
    url.searchParams.set("bbox", box.join(","));
    url.searchParams.set("zoom", String(simplifiedFor));
    const request = ++this.request;
    let collection;
    try {
      collection = await getJson(url.toString());
    } catch {
      return; // the map still works without its streets
    }
    if (request !== this.request) return; // a newer view asked meanwhile
    this.loaded = { detail, zoom: simplifiedFor, box: L.latLngBounds([box[1], box[0]], [box[3], box[2]]) };
    this.streetFeatures = collection.features || [];
    this.casings.clearLayers();
    this.casings.addData(collection);
    this.streets.clearLayers();
    this.streets.addData(collection);
    this.root.dataset.streets = String(this.streetFeatures.length);
    this.drawLabels();
  }

  // Places' names first, then streets' (main roads first, as the server sends them), each only
  // where it does not overlap one already written.
  drawLabels() {
    if (!this.ready) return;
    this.labels.clearLayers();
    const zoom = this.map.getZoom();
    const view = this.map.getBounds().pad(-0.04); // not cut off at the edge
    const taken = [];
    const fits = (latlng, text, height) => {
      const centre = this.map.latLngToContainerPoint(latlng);
      const width = text.length * 7 + 8;
      const box = { left: centre.x - width / 2, right: centre.x + width / 2, top: centre.y - height / 2, bottom: centre.y + height / 2 };
      if (taken.some((other) => box.left < other.right && other.left < box.right && box.top < other.bottom && other.top < box.bottom)) {
        return false;
      }
      taken.push(box);
      return true;
    };
    this.placeFeatures.forEach((feature) => {
      const { name, kind } = feature.properties;
      const range = this.labelZooms[kind];
      if (!name || !range || zoom < range[0] || zoom > range[1]) return;
      const [lng, lat] = feature.geometry.coordinates;
      const latlng = L.latLng(lat, lng);
      if (!view.contains(latlng) || !fits(latlng, name, 22)) return;
      this.addLabel(latlng, name, `app-map-label app-map-label--place app-map-label--${kind}`);
    });
    const named = new Set();
    this.streetFeatures.forEach((feature) => {
      const { label, kind, label_at: at } = feature.properties;
      if (!label || !at || named.has(label) || zoom < (STREET_LABEL_ZOOM[kind] ?? 16)) return;
      const latlng = labelPoints(feature, view).find((point) => fits(point, label, 18));
      if (!latlng) return;
      named.add(label);
      this.addLabel(latlng, label, `app-map-label app-map-label--street${MAJOR.has(kind) ? " app-map-label--major" : ""}`);
    });
  }

  // A label is text on the map (not a tooltip: it describes nothing the pointer is on), in a
  // marker of no size that the text is centred on; it takes no clicks or focus.
  addLabel(latlng, text, className) {
    const icon = L.divIcon({ html: element("span", className, text), className: "app-map-label-anchor", iconSize: null });
    this.labels.addLayer(L.marker(latlng, { icon, pane: "app-labels", interactive: false, keyboard: false }));
  }
}

export function addReferenceLayers(map, root) {
  const layers = new ReferenceLayers(map, root);
  layers.start();
  return layers;
}

function drawFillLegend(legend, collection, colours) {
  if (!legend) return;
  legend.replaceChildren();
  const hasParents = collection.features.some((feature) => feature.properties.parent_name);
  legend.append(element("p", "govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1",
    hasParents ? "Colours: the place each is inside" : "Colours: each place"));
  const list = element("ul", "app-legend__list");
  colours.forEach(({ name, colour }) => {
    const item = element("li", "app-legend__item");
    const swatch = element("span", "app-legend__swatch app-legend__swatch--light");
    swatch.style.backgroundColor = colour;
    item.append(swatch, element("span", "govuk-body-s", name));
    list.append(item);
  });
  legend.append(list);
}

async function drawMap(root) {
  root.replaceChildren();
  const map = L.map(root, { scrollWheelZoom: false });
  let collection;
  try {
    collection = await getJson(root.dataset.boundariesUrl);
  } catch {
    root.textContent = "The map could not be loaded.";
    return;
  }
  const parents = new Map();
  const colours = [];
  const layer = L.geoJSON(collection, {
    style: (feature) => {
      const parent = feature.properties.parent_code || feature.properties.code;
      if (!parents.has(parent)) {
        parents.set(parent, parents.size);
        colours.push({ name: feature.properties.parent_name || feature.properties.name, colour: colourFor(parents.size - 1) });
      }
      return { color: "#0b0c0c", weight: 1.5, fillColor: colourFor(parents.get(parent)), fillOpacity: 0.3 };
    },
    onEachFeature: (feature, featureLayer) => {
      const p = feature.properties;
      const population = p.population ? `, population ${p.population.toLocaleString("en-GB")}` : "";
      const inside = p.parent_name ? `, in ${p.parent_name}` : "";
      featureLayer.bindTooltip(element("span", "", `${p.name}${inside}${population}`));
    },
  }).addTo(map);
  drawFillLegend(document.getElementById(root.dataset.legend), collection, colours.slice(0, 12));
  addReferenceLayers(map, root);
  if (layer.getLayers().length) {
    map.fitBounds(layer.getBounds());
  } else {
    map.setView([52.5, -1.5], 6);
  }
}

// One record's map: centred on it at the precision it has. An exact point is a dot; an
// approximate one (an anonymised map point) a circle of about 100 metres around it.
function drawIncidentMap(root) {
  const latitude = Number(root.dataset.latitude);
  const longitude = Number(root.dataset.longitude);
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return;
  const approximate = root.dataset.approximate === "true";
  root.replaceChildren();
  const map = L.map(root, { scrollWheelZoom: false });
  map.createPane("app-marks");
  addReferenceLayers(map, root);
  const where = [latitude, longitude];
  if (approximate) {
    L.circle(where, {
      pane: "app-marks", radius: 100, interactive: false, className: "app-incident-area",
      color: "#1d70b8", weight: 3, dashArray: "6 4", fillColor: "#1d70b8", fillOpacity: 0.15,
    }).addTo(map);
  } else {
    L.circleMarker(where, {
      pane: "app-marks", radius: 8, interactive: false, className: "app-incident-point",
      color: "#ffffff", weight: 3, fillColor: "#1d70b8", fillOpacity: 1,
    }).addTo(map);
  }
  map.setView(where, 16);
}

export function initMaps(scope) {
  scope.querySelectorAll("[data-module='app-map']").forEach((root) => {
    drawMap(root);
  });
  scope.querySelectorAll("[data-module='app-incident-map']").forEach((root) => {
    drawIncidentMap(root);
  });
}
