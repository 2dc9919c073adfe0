// One script for every staff page. Loaded from /static (no inline script: the content security
// policy allows only same-origin scripts).
import { initAll as initGovuk } from "govuk-frontend";
import { initAll as initMoj } from "@ministryofjustice/frontend";
import htmx from "htmx.org";
import { initAnalysisMaps } from "./analysis-map.mjs";
import { initBriefing } from "./briefing.mjs";
import { initExplorer } from "./explorer.mjs";
import { initMaps } from "./map.mjs";
import { initReportPages } from "./report-map.mjs";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
htmx.config.includeIndicatorStyles = false;
window.htmx = htmx;
initGovuk();
initMoj();
initMaps(document);
initExplorer(document);
initAnalysisMaps(document);
initBriefing(document);
initReportPages(document);
