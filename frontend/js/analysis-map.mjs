// The analysis pages' maps (saferplace/jinja2/analysis/_map.html): the hotspots page's hexagons,
// and the repeats page's repeat locations and live near-repeat risk areas. A map element carries:
//   data-map            "hotspots" or "repeats": what to draw
//   data-geojson-url    the page's kept result as GeoJSON, with the page's choices in the query
//   data-status         id of the element that says what the map shows, or why it shows nothing
//   data-tile-url, data-tile-attribution, data-streets-url, data-labels-url, data-labels  (map.mjs)
//
// The legend is the page's HTML. Shapes get classes, not colours: the stylesheet (_maps.scss)
// colours a hexagon and its legend swatch by the same class, so the two cannot disagree (and the
// page needs no inline style, which the content security policy forbids).
// Text from the data goes in with textContent (dom.mjs), never as HTML.
import L from "leaflet";
import { element } from "./dom.mjs";
import { countOf, dateText } from "./explorer.mjs";
import { addReferenceLayers } from "./map.mjs";

const KINDS = { hot: "Hotspot", cold: "Cold spot" };
const ENGLAND = [52.5, -1.5];

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const type = response.headers.get("content-type") || "";
  if (!response.ok && type.startsWith("text/plain")) {
    throw new Error((await response.text()).trim()); // the server's reason: not worked out yet, or bad choices
  }
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  if (!type.includes("json")) {
    // e.g. the sign-in page, after a session has ended
    throw new Error("the server did not send map data. Reload the page (you may need to sign in again)");
  }
  return response.json();
}

const number = (value, digits = 0) => value.toLocaleString("en-GB", { maximumFractionDigits: digits });

// A popup's content: a heading and a list of label and value, all as text.
function details(title, rows) {
  const box = element("div", "app-map-popup");
  box.append(element("p", "govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1", title));
  const list = element("dl", "app-map-popup__list");
  rows.forEach(([label, value]) => list.append(element("dt", "", label), element("dd", "", value)));
  box.append(list);
  return box;
}

// Where a shape is, in words; by its coordinates only when the geography names nothing there.
function whereOf(p) {
  return p.where || `Near ${p.latitude}, ${p.longitude}`;
}

function spotTitle(p) {
  const kind = KINDS[p.kind] || "Area";
  return p.confidence ? `${kind}, ${p.confidence}% confidence` : `${kind}, not significant`;
}

function drawHotspots(map, collection) {
  const { by } = collection.metadata;
  const layer = L.geoJSON(collection, {
    style: (feature) => {
      const { kind, confidence } = feature.properties;
      return { className: `app-hotspot app-hotspot--${kind}-${confidence}`, color: "#0b0c0c", weight: 0.8, fillOpacity: 0.75 };
    },
    onEachFeature: (feature, hexagon) => {
      const p = feature.properties;
      const rows = [["Where", whereOf(p)], ["Incidents", number(p.count)]];
      if (by === "harm") rows.push(["Harm", number(p.harm, 1)]);
      rows.push(["Expected", number(p.expected, 1)], ["z", p.z.toFixed(2)], ["q", p.q_value.toPrecision(2)]);
      hexagon.bindTooltip(element("span", "", `${spotTitle(p)}: ${whereOf(p)}`));
      hexagon.bindPopup(details(spotTitle(p), rows));
    },
  }).addTo(map);
  const { hot, cold } = collection.metadata;
  return { bounds: layer.getBounds(), message: `${countOf(hot, "hotspot")} and ${countOf(cold, "cold spot")} on the map.` };
}

function riskArea(p) {
  const within = p.radius_m ? `Within ${number(p.radius_m)} m of an incident` : "At the place of an incident";
  return details("Live near-repeat risk area", [
    ["Where", whereOf(p)], ["Why", `${within} on ${dateText(p.from)}`], ["Until", dateText(p.until)],
  ]);
}

function repeatLocation(p) {
  return details(p.place || "Repeat location", [
    ["Incidents", number(p.count)], ["First", dateText(p.first)], ["Last", dateText(p.last)], ["Rule", p.rule],
  ]);
}

function drawRepeats(map, collection) {
  // The repeat locations over the risk areas, whichever is drawn first.
  map.createPane("app-points").style.zIndex = "450";
  L.geoJSON(collection, {
    pointToLayer: (feature, latlng) => {
      const p = feature.properties;
      if (p.kind === "repeat_location") {
        return L.circleMarker(latlng, {
          pane: "app-points", className: "app-repeat-location", radius: 7, color: "#ffffff", weight: 2, fillOpacity: 1,
        });
      }
      const style = { className: "app-risk-area", weight: 2, dashArray: "6 4", fillOpacity: 0.15 };
      // A risk area "at the same place" has no radius: a ring the size of a point, not nothing.
      return p.radius_m ? L.circle(latlng, { ...style, radius: p.radius_m }) : L.circleMarker(latlng, { ...style, radius: 10 });
    },
    onEachFeature: (feature, shape) => {
      const p = feature.properties;
      const content = p.kind === "repeat_location" ? repeatLocation(p) : riskArea(p);
      const name = p.kind === "repeat_location" ? `Repeat location: ${p.place || "no description"}` : `Risk area: ${whereOf(p)}`;
      shape.bindTooltip(element("span", "", name));
      shape.bindPopup(content);
    },
  }).addTo(map);
  // From the data: a circle's own bounds need the map's projection, which waits for a view.
  const bounds = L.latLngBounds([]);
  collection.features.forEach(({ geometry, properties }) => {
    const [longitude, latitude] = geometry.coordinates;
    bounds.extend(L.latLng(latitude, longitude).toBounds(2 * (properties.radius_m || 0) + 100));
  });
  const { risk_areas: areas, repeat_locations: locations } = collection.metadata;
  return { bounds, message: `${countOf(areas, "live risk area")} and ${countOf(locations, "repeat location")} on the map.` };
}

const DRAW = { hotspots: drawHotspots, repeats: drawRepeats };

// Another page's map drawn the same way (the briefing's, briefing.mjs): `draw(map, collection)`
// returns { bounds, message } as the two above do.
export function registerAnalysisMap(name, draw) {
  DRAW[name] = draw;
}

async function drawAnalysisMap(root) {
  const draw = DRAW[root.dataset.map];
  if (!draw) return;
  const status = document.getElementById(root.dataset.status);
  const say = (text) => {
    if (status) status.textContent = text;
  };
  root.replaceChildren();
  const map = L.map(root, { scrollWheelZoom: false });
  addReferenceLayers(map, root); // tiles if configured, streets, place names (map.mjs)
  let collection;
  try {
    collection = await getJson(root.dataset.geojsonUrl);
  } catch (error) {
    map.setView(ENGLAND, 6);
    say(`The map could not be loaded: ${error.message}`);
    return;
  }
  const { bounds, message } = draw(map, collection);
  root.dataset.features = String(collection.features.length);
  if (bounds.isValid()) {
    map.fitBounds(bounds, { maxZoom: 16 });
  } else {
    map.setView(ENGLAND, 6);
  }
  say(message);
}

export function initAnalysisMaps(scope) {
  scope.querySelectorAll("[data-module='app-analysis-map']").forEach((root) => {
    drawAnalysisMap(root);
  });
}
