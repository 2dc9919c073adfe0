// The incident explorer's hexagon map. The map element carries its data sources:
//   data-hexagons-url   GeoJSON of H3 hexagons with count and harm (filters already in the query)
//   data-points-url     GeoJSON of one hexagon's incidents (&cell=…), audited on the server
//   data-boundaries-url optional place boundaries, drawn as outlines (no tiles needed)
//   data-measure        "count" or "harm" to start with
//   data-max-resolution / data-min-resolution  the H3 resolutions the server accepts for drilling
//   data-legend, data-status  ids of the legend and the status message elements
//   data-tile-url, data-tile-attribution  optional tile layer
//   data-streets-url, data-labels-url, data-labels  the streets and place names every map has (map.mjs)
//
// It also starts the explorer's filter toggle (MoJ Frontend's, which its initAll leaves out) and
// the "Near me" button, which only appears where the browser can give a location.
import { FilterToggleButton } from "@ministryofjustice/frontend";
import L from "leaflet";
import { element, localHref } from "./dom.mjs";
import { addReferenceLayers } from "./map.mjs";

// Light to dark: ColorBrewer YlOrRd, readable by people with the common colour deficiencies.
const COLOURS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];
const TITLES = {
  count: "Number of incidents in each hexagon",
  harm: "Harm in each hexagon (the sum of the incidents' harm weights)",
};

function resolutionForZoom(zoom, min, max) {
  let resolution = 6;
  if (zoom >= 14) resolution = 9;
  else if (zoom >= 12) resolution = 8;
  else if (zoom >= 10) resolution = 7;
  return Math.max(min, Math.min(max, resolution));
}

// Class breaks at the quantiles of the values, without repeats: [lowest, …, highest].
export function breaksFor(values) {
  if (!values.length) return [];
  const sorted = [...values].sort((a, b) => a - b);
  const distinct = [...new Set(sorted)];
  if (distinct.length <= COLOURS.length) return [distinct[0], ...distinct]; // a class for each value
  const breaks = [sorted[0]];
  for (let step = 1; step <= COLOURS.length; step += 1) {
    const value = sorted[Math.min(sorted.length - 1, Math.ceil((step / COLOURS.length) * sorted.length) - 1)];
    if (value > breaks[breaks.length - 1]) breaks.push(value);
  }
  if (breaks.length === 1) breaks.push(sorted[0]);
  return breaks;
}

function classOf(value, breaks) {
  for (let index = 1; index < breaks.length; index += 1) {
    if (value <= breaks[index]) return index - 1;
  }
  return breaks.length - 2;
}

function colourOf(index, classes) {
  // Spread fewer classes across the whole ramp, so one class is not always the palest.
  if (classes <= 1) return COLOURS[COLOURS.length - 1];
  return COLOURS[Math.round((index * (COLOURS.length - 1)) / (classes - 1))];
}

// "1 incident", "2 hexagons", "1,204 incidents": the same words as count_of on the server.
export function countOf(number, singular, plural = `${singular}s`) {
  return `${number.toLocaleString("en-GB")} ${number === 1 ? singular : plural}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// An ISO date as the pages write dates: "5 Jul 2026", or "Jul 2026" for a date known to the
// month only. Read from the text, so no time zone can move it to another day.
export function dateText(iso, precision) {
  const [year, month, day] = iso.split("-").map(Number);
  const monthYear = `${MONTHS[month - 1]} ${year}`;
  return precision === "month" ? monthYear : `${day} ${monthYear}`;
}

function formatValue(value, measure) {
  return measure === "harm"
    ? value.toLocaleString("en-GB", { maximumFractionDigits: 1 })
    : value.toLocaleString("en-GB");
}

function drawLegend(legend, measure, breaks) {
  legend.replaceChildren();
  legend.dataset.measure = measure;
  legend.append(element("h3", "govuk-heading-s govuk-!-margin-bottom-2", TITLES[measure]));
  if (!breaks.length) {
    legend.append(element("p", "govuk-body-s", "No hexagons to colour."));
    return;
  }
  const list = element("ul", "app-legend__list");
  const classes = breaks.length - 1;
  for (let index = 0; index < classes; index += 1) {
    const low = index === 0 ? breaks[0] : breaks[index];
    const high = breaks[index + 1];
    let text;
    if (low === high) text = formatValue(high, measure);
    else if (index === 0) text = `${formatValue(low, measure)} to ${formatValue(high, measure)}`;
    else if (measure === "count" && high === low + 1) text = formatValue(high, measure);
    else if (measure === "count") text = `${formatValue(low + 1, measure)} to ${formatValue(high, measure)}`;
    else text = `more than ${formatValue(low, measure)}, up to ${formatValue(high, measure)}`;
    const item = element("li", "app-legend__item");
    const swatch = element("span", "app-legend__swatch");
    swatch.style.backgroundColor = colourOf(index, classes);
    item.append(swatch, element("span", "govuk-body-s", text));
    list.append(item);
  }
  legend.append(list);
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!(response.headers.get("content-type") || "").includes("application/json")) {
    // e.g. the sign-in page, after a session has ended
    throw new Error("the server did not send map data. Reload the page (you may need to sign in again)");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || `The server answered ${response.status}`);
  return body;
}

function withParams(base, params) {
  const url = new URL(base, window.location.href);
  Object.entries(params).forEach(([key, value]) => url.searchParams.set(key, value));
  return url.toString();
}

function pointPopup(properties) {
  const box = element("div");
  const link = element("a", "govuk-link", properties.reference);
  link.href = localHref(properties.url);
  const when = dateText(properties.occurred_on, properties.occurred_precision);
  box.append(element("strong", "", properties.category), document.createElement("br"),
    document.createTextNode(`${when} `), link);
  return box;
}

class HexagonMap {
  constructor(root) {
    this.root = root;
    this.measure = root.dataset.measure === "harm" ? "harm" : "count";
    this.minResolution = Number(root.dataset.minResolution || 5);
    this.maxResolution = Number(root.dataset.maxResolution || 9);
    this.legend = document.getElementById(root.dataset.legend);
    this.status = document.getElementById(root.dataset.status);
    this.cache = new Map();
    this.resolution = null;
    this.refreshing = null; // the redraw a zoom started, while it runs
  }

  say(text) {
    if (this.status) this.status.textContent = text;
  }

  async start() {
    this.root.replaceChildren();
    this.map = L.map(this.root, { scrollWheelZoom: false });
    addReferenceLayers(this.map, this.root); // tiles if configured, streets, place names (map.mjs)
    this.boundaries = L.geoJSON(null, { interactive: false, style: { color: "#505a5f", weight: 1, fill: false } }).addTo(this.map);
    this.hexagons = L.geoJSON(null, {
      style: (feature) => this.styleOf(feature),
      onEachFeature: (feature, layer) => {
        const p = feature.properties;
        const where = p.where ? `${p.where}: ` : ""; // named by street and place, never by the cell id
        layer.bindTooltip(element("span", "", `${where}${countOf(p.count, "incident")}, harm ${formatValue(p.harm, "harm")}`));
        layer.on("click", () => this.showPoints(p.cell, layer));
      },
    }).addTo(this.map);
    // Points in a pane of their own, above the hexagons, whichever is redrawn last.
    this.map.createPane("app-points").style.zIndex = "450";
    this.points = L.layerGroup().addTo(this.map);
    this.listenToMeasure();
    if (this.root.dataset.boundariesUrl) {
      getJson(this.root.dataset.boundariesUrl).then((collection) => this.boundaries.addData(collection)).catch(() => {});
    }
    const first = await this.load(Math.max(this.minResolution, this.maxResolution - 1));
    if (!first) return;
    this.draw(first);
    const bounds = this.hexagons.getBounds();
    if (bounds.isValid()) {
      this.map.fitBounds(bounds, { maxZoom: 15 });
    } else {
      this.map.setView([52.5, -1.5], 6);
    }
    this.map.on("zoomend", () => {
      this.refreshing = this.refresh();
    });
    await this.refresh();
  }

  async load(resolution) {
    if (!this.cache.has(resolution)) {
      try {
        this.cache.set(resolution, await getJson(withParams(this.root.dataset.hexagonsUrl, { resolution, measure: this.measure })));
      } catch (error) {
        this.say(`The map could not be loaded: ${error.message}`);
        return null;
      }
    }
    return this.cache.get(resolution);
  }

  async refresh() {
    const resolution = resolutionForZoom(this.map.getZoom(), this.minResolution, this.maxResolution);
    if (resolution === this.resolution) return;
    const collection = await this.load(resolution);
    if (collection) this.draw(collection);
  }

  draw(collection) {
    this.resolution = collection.metadata.resolution;
    this.collection = collection;
    this.root.dataset.resolution = String(this.resolution);
    this.breaks = breaksFor(collection.features.map((feature) => feature.properties[this.measure]));
    this.hexagons.clearLayers();
    this.hexagons.addData(collection);
    drawLegend(this.legend, this.measure, this.breaks);
    const { hexagons, incidents } = collection.metadata;
    this.say(hexagons
      ? `${countOf(incidents, "incident")} with a location, in ${countOf(hexagons, "hexagon")}.`
      : "No incidents with a location match these filters.");
  }

  styleOf(feature) {
    const value = feature.properties[this.measure];
    const classes = this.breaks.length - 1;
    return {
      className: "app-hexagon",
      color: "#0b0c0c",
      weight: 0.6,
      fillColor: colourOf(classOf(value, this.breaks), classes),
      fillOpacity: 0.7,
    };
  }

  setMeasure(measure) {
    if (measure === this.measure || !TITLES[measure]) return;
    this.measure = measure;
    this.root.dataset.measure = measure;
    if (this.collection) {
      this.breaks = breaksFor(this.collection.features.map((feature) => feature.properties[measure]));
      this.hexagons.setStyle((feature) => this.styleOf(feature));
      drawLegend(this.legend, measure, this.breaks);
    }
  }

  listenToMeasure() {
    const control = document.querySelector("[data-app-measure-control]");
    if (!control) return;
    control.classList.add("app-map-controls--live");
    control.querySelectorAll("input[name='measure']").forEach((input) => {
      input.addEventListener("change", () => {
        if (input.checked) this.setMeasure(input.value);
      });
    });
  }

  async showPoints(cell, layer) {
    this.say("Loading the incidents in this hexagon…");
    let collection;
    try {
      collection = await getJson(withParams(this.root.dataset.pointsUrl, { cell }));
    } catch (error) {
      this.say(`The incidents could not be loaded: ${error.message}`);
      return;
    }
    this.points.clearLayers();
    L.geoJSON(collection, {
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
        pane: "app-points", className: "app-point", radius: 6, color: "#0b0c0c", weight: 1, fillColor: "#1d70b8", fillOpacity: 0.9,
      }),
      onEachFeature: (feature, pointLayer) => pointLayer.bindPopup(pointPopup(feature.properties)),
    }).eachLayer((pointLayer) => this.points.addLayer(pointLayer));
    this.root.dataset.points = String(collection.features.length);
    if (layer && layer.getBounds) this.map.fitBounds(layer.getBounds(), { maxZoom: 17, animate: false });
    // Zooming in may redraw the hexagons, whose summary would replace this message: it waits.
    if (this.refreshing) await this.refreshing;
    this.say(collection.metadata.message);
  }
}

// On a narrow screen the filters wait behind a button, so the records come first. A link in the
// error summary to a field among them opens them first, so the field can take the focus.
function initFilterToggle(scope) {
  scope.querySelectorAll("[data-module='moj-filter']").forEach((root) => {
    if (!document.querySelector(".moj-action-bar__filter")) return;
    const toggle = new FilterToggleButton(root, {
      startHidden: false, // hidden on small screens only (true would hide them on wide ones too)
      toggleButton: { showText: "Show filters", hideText: "Hide filters", classes: "govuk-button--secondary" },
    });
    document.querySelectorAll(".govuk-error-summary a[href^='#']").forEach((link) => {
      const target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target || !root.contains(target)) return;
      link.addEventListener("click", () => {
        if (root.classList.contains("moj-js-hidden") && toggle.showMenu) toggle.showMenu();
      });
    });
  });
}

const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}$/i;
const LOCATION_PROBLEMS = {
  1: "you did not allow this page to use it",
  2: "your device could not work it out",
  3: "it took too long",
};

function setField(form, name, value) {
  let input = form.elements.namedItem(name);
  if (!input) {
    input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    form.append(input);
  }
  input.value = value;
}

// "Near me": fills in the filter form's latitude and longitude from the browser's location and
// submits it. Without the Geolocation API (or without JavaScript) the button stays hidden.
function initNearMe(scope) {
  scope.querySelectorAll("[data-module='app-near-me']").forEach((button) => {
    const form = document.getElementById(button.dataset.form);
    const status = document.getElementById(button.dataset.status);
    if (!form || !("geolocation" in navigator)) return;
    const say = (text) => {
      if (status) status.textContent = text;
    };
    button.hidden = false;
    button.addEventListener("click", () => {
      button.setAttribute("aria-disabled", "true");
      say("Finding where you are…");
      navigator.geolocation.getCurrentPosition(
        (position) => {
          setField(form, "latitude", position.coords.latitude.toFixed(5));
          setField(form, "longitude", position.coords.longitude.toFixed(5));
          const search = form.elements.namedItem("q");
          if (search && POSTCODE.test(search.value.trim())) search.value = ""; // near you, not near it
          say("Showing the incidents near you…");
          form.submit();
        },
        (error) => {
          button.removeAttribute("aria-disabled");
          say(`Your location could not be found: ${LOCATION_PROBLEMS[error.code] || "it is not available"}. Search by postcode or street instead.`);
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
      );
    });
  });
}

export function initExplorer(scope) {
  initFilterToggle(scope);
  initNearMe(scope);
  scope.querySelectorAll("[data-module='app-hex-map']").forEach((root) => {
    new HexagonMap(root).start();
  });
}
