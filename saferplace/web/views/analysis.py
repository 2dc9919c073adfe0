"""The analysts' pages: what matters most, hotspots, emerging hot spots, repeats, and the harm
weights with where each came from. The analyses are worked out by the worker and kept
(`analysis.results`): a page shows the kept result for its choices and the reader's reading
rule, and asks for one when there is none for the counts as they are now. Choices that make no
sense get a 400 with the reason, and nothing is asked for. The hotspots and repeats pages have
maps, drawn from the kept result as GeoJSON (`hotspots_map`, `repeats_map`)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.gzip import gzip_page

from saferplace.analysis.results import (
    EXPORTED,
    TooManyWaiting,
    analysis_current,
    analysis_export,
    analysis_kept,
    analysis_request,
    analysis_shown_audit,
)
from saferplace.csv_stream import csv_lines
from saferplace.incidents.geojson import hexagon_polygon
from saferplace.incidents.recount import counts_version
from saferplace.incidents.selectors import IncidentFilters, incident_category_groups
from saferplace.web.analysis import AnalysisForm, sparkline
from saferplace.web.views.common import capability_required, page

# The hotspot map's classes, as ArcGIS Pro's Gi_Bin with its false discovery rate correction:
# a cell's confidence is the highest whose rate its q value is within (percent, rate).
CONFIDENCE = ((99, 0.01), (95, 0.05), (90, 0.10))


def _choices(form: AnalysisForm, kind: str) -> dict:
    """What each kind of analysis takes from the form."""
    choices = form.choices()
    filters = choices["filters"]
    if kind == "emerging":
        data = getattr(form, "cleaned_data", {})  # none when the page is opened without choices
        choices["interval"] = (data.get("interval") if "interval" not in form.errors else "") or "month"
    if kind == "issues":  # every category: the ranking chooses the busiest
        return {"filters": IncidentFilters(place_code=filters.place_code, date_from=filters.date_from,
                                           date_to=filters.date_to), "resolution": choices["resolution"]}
    if kind in ("repeats", "near_repeat"):
        return {"filters": filters}
    return choices


def _analysis(request, template: str, *kinds: str, **extra):
    """The page of one analysis or more (each as `<kind>`, with `<kind>_current` saying whether
    it was worked out on the counts as they are now)."""
    form = AnalysisForm(request.GET or None, category_groups=incident_category_groups())
    if form.is_bound:
        form.is_valid()
    context = {"form": form, "kind": kinds[0], **extra}
    if form.errors:
        return page(request, template, active="analysis", status=400, **context, **dict.fromkeys(kinds))
    version = counts_version()
    for kind in kinds:
        try:
            result = analysis_request(viewer=request.viewer, kind=kind, choices=_choices(form, kind))
        except TooManyWaiting as busy:
            return page(request, template, active="analysis", status=429, busy=str(busy),
                        **{**context, **dict.fromkeys(kinds)})
        current = analysis_current(result, version)
        if not current:  # never shown: worked out on the records as they were, some since withdrawn
            result.result = None
        else:
            analysis_shown_audit(viewer=request.viewer, result=result, where="on its page")
        context[kind] = result
        context[f"{kind}_current"] = current
    return page(request, template, active="analysis", **context)


@capability_required("incidents.view")
def issues(request):
    return _analysis(request, "analysis/issues.html", "issues")


@capability_required("incidents.view")
def hotspots(request):
    return _analysis(request, "analysis/hotspots.html", "hotspots", confidence=CONFIDENCE, **_map_settings())


@capability_required("incidents.view")
def emerging(request):
    return _analysis(request, "analysis/emerging.html", "emerging", sparkline=sparkline)


@capability_required("incidents.view")
def repeats(request):
    return _analysis(request, "analysis/repeats.html", "repeats", "near_repeat",
                     **_map_settings())


@capability_required("incidents.export")
def export(request, kind: str):
    """A table of the kept result of an analysis for these choices as CSV (audited), or why there
    is none. `kind` names the export (`EXPORTED`: an analysis and one of its tables)."""
    choices = _form_choices(request, EXPORTED[kind][0]) if kind in EXPORTED else None
    if choices is None:
        return _text("Check the choices: the export takes the same ones as the page.", 400)
    try:
        header, rows = analysis_export(viewer=request.viewer, name=kind, choices=choices)
    except LookupError as missing:
        return _text(str(missing), 404)
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="saferplace-{kind}.csv"'
    return response


def _map_settings() -> dict:
    return {"tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION}


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(f"{message}\n", status=status, content_type="text/plain; charset=utf-8")


def _form_choices(request, kind: str) -> dict | None:
    """The choices of `kind` from the page's query, as the page reads them; None when they make no sense."""
    form = AnalysisForm(request.GET or None, category_groups=incident_category_groups())
    if form.is_bound and not form.is_valid():
        return None
    return _choices(form, kind)


def _confidence(q_value: float) -> int:
    return next((percent for percent, rate in CONFIDENCE if q_value <= rate), 0)


@gzip_page  # a map's data: outlines, and no secret in it (BREACH)
@capability_required("incidents.view")
def hotspots_map(request):
    """The kept hotspots and cold spots for the page's choices as GeoJSON hexagons, each with the
    figures the table shows and its confidence class (`CONFIDENCE`); 404 when there are none
    worked out yet, 400 when the choices make no sense."""
    choices = _form_choices(request, "hotspots")
    if choices is None:
        return _text("Check the choices: the map takes the same ones as the page.", 400)
    kept = analysis_kept(viewer=request.viewer, kind="hotspots", choices=choices)
    if kept is None:
        return _text("These hotspots have not been worked out yet: open the page, and the map shows once they are.", 404)
    found = kept.result
    features = [{
        "type": "Feature",
        "geometry": hexagon_polygon(row["h3_cell"]),
        "properties": {
            "cell": row["h3_cell"], "where": row.get("places", ""), "latitude": row["latitude"],
            "longitude": row["longitude"], "kind": row["kind"], "count": row["count"], "harm": row.get("harm"),
            "expected": row["expected"], "z": row["z"], "q_value": row["q_value"], "p_value": row["p_value"],
            "confidence": _confidence(row["q_value"]),
        },
    } for row in found["hotspots"]]
    parameters = found["parameters"]
    return JsonResponse({"type": "FeatureCollection", "features": features, "metadata": {
        "by": parameters["by"], "resolution": parameters["resolution"], "false_discovery_rate": parameters["false_discovery_rate"],
        "hot": sum(row["kind"] == "hot" for row in found["hotspots"]),
        "cold": sum(row["kind"] == "cold" for row in found["hotspots"])}})


def _point(longitude: float, latitude: float, properties: dict) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]}, "properties": properties}


@gzip_page
@capability_required("incidents.view")
def repeats_map(request):
    """The kept repeat locations and live near-repeat risk areas for the page's choices as
    GeoJSON points (a risk area with its radius, from and until); 404 when neither is worked
    out yet, 400 when the choices make no sense."""
    choices = _form_choices(request, "repeats")  # the near-repeat test takes the same
    if choices is None:
        return _text("Check the choices: the map takes the same ones as the page.", 400)
    repeated = analysis_kept(viewer=request.viewer, kind="repeats", choices=choices)
    near = analysis_kept(viewer=request.viewer, kind="near_repeat", choices=choices)
    if repeated is None and near is None:
        return _text("These repeats have not been worked out yet: open the page, and the map shows once they are.", 404)
    for result in (repeated, near):
        if result is not None:
            analysis_shown_audit(viewer=request.viewer, result=result, where="on its map")
    locations = [row for row in (repeated.result["repeat_locations"] if repeated else [])
                 if row["latitude"] is not None and row["longitude"] is not None]
    areas = near.result.get("risk_areas", []) if near else []
    features = [_point(row["longitude"], row["latitude"], {
        "kind": "repeat_location", "place": row["place"], "count": row["count"], "first": row["first"],
        "last": row["last"], "rule": row["rule"]}) for row in locations]
    features += [_point(area["longitude"], area["latitude"], {
        "kind": "risk_area", "where": area.get("where", ""), "radius_m": area["radius_m"], "from": area["from"],
        "until": area["until"]}) for area in areas]
    return JsonResponse({"type": "FeatureCollection", "features": features, "metadata": {
        "repeat_locations": len(locations), "risk_areas": len(areas),
        "near_repeat": near.result.get("near_repeat") if near else None}})
