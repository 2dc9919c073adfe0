// Builds the front-end assets into saferplace/static/dist from the packages in node_modules.
// Nothing third-party is copied into the repository: this runs at setup.
import { build } from "esbuild";
import * as sass from "sass";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "saferplace", "static", "dist");
const modules = join(root, "node_modules");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "frontend", "scss", "app.scss"), {
  loadPaths: [root],
  style: "compressed",
  quietDeps: true,
  logger: sass.Logger.silent,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "app.css"), css.css);

await build({
  entryPoints: [join(root, "frontend", "js", "app.mjs")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  outfile: join(out, "app.js"),
  nodePaths: [modules],
  logLevel: "warning",
});

// The briefing's service worker (briefing.mjs registers it; a view serves it from the root).
await build({
  entryPoints: [join(root, "frontend", "js", "service-worker.mjs")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  outfile: join(out, "service-worker.js"),
  logLevel: "warning",
});

// Fonts, images and the manifest that GOV.UK Frontend, MoJ Frontend and Leaflet refer to.
cpSync(join(modules, "govuk-frontend", "dist", "govuk", "assets"), join(out, "assets"), { recursive: true });
cpSync(join(modules, "@ministryofjustice", "frontend", "moj", "assets"), join(out, "assets"), { recursive: true });
cpSync(join(modules, "leaflet", "dist", "images"), join(out, "images"), { recursive: true });
// axe-core is a test dependency: the browser tests read it from node_modules directly.
console.log(`front-end assets built in ${out}`);
