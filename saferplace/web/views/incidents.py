"""The incident explorer: incidents a user may see, through the access policy, filtered; counts
each month, a hexagon map with drill-down to points, the busiest places, the list, and audited
exports (CSV and GeoJSON). Opening one incident is audited too."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.gzip import gzip_page

from saferplace.incidents.exports import incidents_export_csv, incidents_export_geojson
from saferplace.incidents.geojson import hexagon_feature_collection, incident_points_open
from saferplace.incidents.selectors import (
    DRILL_DOWN_LEVELS,
    incident_category_groups,
    incident_filter_options,
    incident_history,
    incident_place_options,
    incident_source_record,
)
from saferplace.incidents.selectors import incident_hexagons as select_hexagons
from saferplace.incidents.services import incident_explorer_open, incident_open
from saferplace.places.selectors import point_describe
from saferplace.web.explorer import ExplorerFilterForm, bar_chart, selected_filters
from saferplace.web.views.common import capability_required, page

# Query parameters that are not filters: they do not travel to the map's data or the exports.
NOT_FILTERS = ("page", "measure", "resolution", "cell")


def _form(request) -> ExplorerFilterForm:
    options = incident_filter_options(viewer=request.viewer)
    form = ExplorerFilterForm(
        request.GET or None,
        sources=options["sources"],
        category_groups=incident_category_groups(codes=options["categories"]),
        owners=options["owners"],
        outcomes=options["outcomes"],
    )
    form.options = options
    if form.is_bound:
        form.is_valid()
    return form


def _filter_query(request) -> str:
    query = request.GET.copy()
    for key in NOT_FILTERS:
        query.pop(key, None)
    return query.urlencode()


def _errors(form) -> dict:
    return {field: [str(error) for error in errors] for field, errors in form.errors.items()}


def _bad_request_json(message: str, errors: dict | None = None) -> JsonResponse:
    return JsonResponse({"detail": message, "errors": errors or {}}, status=400)


@capability_required("incidents.view")
def incident_list(request):
    form = _form(request)
    explorer = incident_explorer_open(viewer=request.viewer, filters=form.filters(), order_by=form.chosen_measure,
                                      page=request.GET.get("page"))
    current = explorer["page"]
    query = request.GET.copy()
    query.pop("page", None)
    filter_query = _filter_query(request)
    return page(
        request, "incidents/list.html", active="incidents", form=form, incidents=current,
        query=query.urlencode(), filter_query=filter_query, selected=selected_filters(form, request.GET),
        summary=explorer["summary"], months=explorer["months"], chart=bar_chart(explorer["months"]),
        hours=explorer["hours"], nothing_visible=not form.options["categories"], shared=form.options["shared"],
        top_hexagons=explorer["top_hexagons"], top_lsoas=explorer["top_lsoas"],
        places=incident_place_options(), measure=form.chosen_measure,
        h3_resolution=settings.H3_RESOLUTION, h3_min_resolution=max(0, settings.H3_RESOLUTION - DRILL_DOWN_LEVELS),
        tile_url=settings.MAP_TILE_URL, tile_attribution=settings.MAP_TILE_ATTRIBUTION,
    )


@gzip_page  # a map's data: hundreds of kilobytes of outlines, and no secret in it (BREACH)
@capability_required("incidents.view")
def incident_hexagons(request):
    """Hexagons of the filtered incidents with their counts and harm, as GeoJSON polygons:
    ?<filters>&measure=count|harm&resolution=N (N up to the stored resolution)."""
    form = _form(request)
    if form.errors:
        return _bad_request_json("Check the filters.", _errors(form))
    try:
        resolution = int(request.GET.get("resolution", settings.H3_RESOLUTION))
    except ValueError:
        return _bad_request_json("The resolution must be a whole number.")
    if not 0 <= resolution <= settings.H3_RESOLUTION:
        return _bad_request_json(f"The resolution must be from 0 to {settings.H3_RESOLUTION}.")
    hexagons = select_hexagons(viewer=request.viewer, filters=form.filters(), resolution=resolution)
    return JsonResponse(hexagon_feature_collection(hexagons, measure=form.chosen_measure, resolution=resolution))


@gzip_page  # a map's data: hundreds of kilobytes of outlines, and no secret in it (BREACH)
@capability_required("incidents.view")
def incident_points(request):
    """The individual incidents of one hexagon (?<filters>&cell=H3), at most 500, audited."""
    form = _form(request)
    if form.errors:
        return _bad_request_json("Check the filters.", _errors(form))
    cell = request.GET.get("cell", "").strip()
    if not cell:
        return _bad_request_json("Choose a hexagon: give its H3 cell as ?cell=…")
    try:
        collection = incident_points_open(viewer=request.viewer, filters=form.filters(), cell=cell)
    except ValueError as error:
        return _bad_request_json(f"That hexagon cannot be shown: {error}.")
    detail = reverse("web:incident-detail", args=[0])
    for feature in collection["features"]:
        feature["properties"]["url"] = detail.replace("/0/", f"/{feature['properties']['id']}/")
    return JsonResponse(collection)


@capability_required("incidents.view")
def incident_detail(request, incident_id: int):
    incident = incident_open(viewer=request.viewer, incident_id=incident_id)
    return page(
        request, "incidents/detail.html", active="incidents", incident=incident,
        where=point_describe(incident.latitude, incident.longitude),
        events=list(incident_history(viewer=request.viewer, incident=incident)),
        source_rows=[
            {"key": {"text": name}, "value": {"text": value or "(blank)"}}
            for name, value in (incident_source_record(incident) or {}).items()
        ],
    )


def _refuse_export(form) -> HttpResponse:
    lines = [f"{field}: {' '.join(errors)}" for field, errors in _errors(form).items()]
    return HttpResponse("Nothing was exported. Check the filters:\n" + "\n".join(lines) + "\n",
                        status=400, content_type="text/plain; charset=utf-8")


@capability_required("incidents.export")
def incident_export(request):
    form = _form(request)
    if form.errors:
        return _refuse_export(form)
    rows = incidents_export_csv(viewer=request.viewer, filters=form.filters())
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="saferplace-incidents.csv"'
    return response


@capability_required("incidents.export")
def incident_export_geojson(request):
    form = _form(request)
    if form.errors:
        return _refuse_export(form)
    rows = incidents_export_geojson(viewer=request.viewer, filters=form.filters())
    response = StreamingHttpResponse(rows, content_type="application/geo+json")
    response["Content-Disposition"] = 'attachment; filename="saferplace-incidents.geojson"'
    return response
