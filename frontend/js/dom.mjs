// Putting data on the page: as text, never as HTML (OWASP ASVS: every sink encodes). Build
// elements here and set their text with textContent. Leaflet parses a string given to
// bindTooltip, bindPopup or a tile layer's attribution as HTML, so give it an element instead,
// or, where it takes only a string (the attribution), escaped text.

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

// A link made from data goes only to a page of this site: never to javascript: or elsewhere.
export function localHref(url) {
  const target = new URL(url, window.location.href);
  return target.origin === window.location.origin ? `${target.pathname}${target.search}${target.hash}` : "#";
}
