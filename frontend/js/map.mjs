// Leaflet maps of places. A map element carries its data source in data attributes:
//   data-boundaries-url  GeoJSON FeatureCollection of place boundaries
//   data-tile-url        optional tile template; boundaries draw without tiles
//   data-tile-attribution
import L from "leaflet";
import { element, escapeHtml } from "./dom.mjs";

const palette = ["#d4351c", "#f47738", "#ffdd00", "#00703c", "#1d70b8", "#4c2c92", "#d53880", "#28a197"];

function colourFor(index) {
  return palette[index % palette.length];
}

async function drawMap(root) {
  const map = L.map(root, { scrollWheelZoom: false });
  const tileUrl = root.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: escapeHtml(root.dataset.tileAttribution || ""), maxZoom: 19 }).addTo(map);
  }
  const response = await fetch(root.dataset.boundariesUrl, { credentials: "same-origin" });
  if (!response.ok) {
    root.textContent = "The map could not be loaded.";
    return;
  }
  const collection = await response.json();
  const parents = new Map();
  const layer = L.geoJSON(collection, {
    style: (feature) => {
      const parent = feature.properties.parent_code || feature.properties.code;
      if (!parents.has(parent)) parents.set(parent, parents.size);
      return { color: "#0b0c0c", weight: 1, fillColor: colourFor(parents.get(parent)), fillOpacity: 0.35 };
    },
    onEachFeature: (feature, featureLayer) => {
      const p = feature.properties;
      const population = p.population ? `, population ${p.population.toLocaleString("en-GB")}` : "";
      featureLayer.bindTooltip(element("span", "", `${p.name} (${p.code})${population}`));
    },
  }).addTo(map);
  if (layer.getLayers().length) {
    map.fitBounds(layer.getBounds());
  } else {
    map.setView([52.5, -1.5], 6);
  }
}

export function initMaps(scope) {
  scope.querySelectorAll("[data-module='app-map']").forEach((root) => {
    drawMap(root);
  });
}
