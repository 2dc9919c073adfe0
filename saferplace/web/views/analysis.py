"""The analysts' pages: what matters most, hotspots, emerging hot spots, repeats, and the harm
weights with where each came from. The analyses are worked out by the worker and kept
(`analysis.results`): a page shows the kept result for its choices and the reader's reading
rule, and asks for one when there is none for the counts as they are now. Choices that make no
sense get a 400 with the reason, and nothing is asked for."""

from django.http import HttpResponse, StreamingHttpResponse

from saferplace.analysis.results import EXPORTED, analysis_export, analysis_request
from saferplace.analysis.selectors import harm_tables_list, harm_weights_list
from saferplace.csv_stream import csv_lines
from saferplace.incidents.recount import counts_version
from saferplace.incidents.selectors import IncidentFilters, incident_category_groups
from saferplace.web.analysis import AnalysisForm, sparkline
from saferplace.web.views.common import capability_required, page


def _choices(form: AnalysisForm, kind: str) -> dict:
    """What each kind of analysis takes from the form."""
    choices = form.choices()
    filters = choices["filters"]
    if kind == "emerging":
        choices["interval"] = (form.cleaned_data.get("interval") if "interval" not in form.errors else "") or "month"
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
        result = analysis_request(viewer=request.viewer, kind=kind, choices=_choices(form, kind))
        context[kind] = result
        context[f"{kind}_current"] = result.version == version
    return page(request, template, active="analysis", **context)


@capability_required("incidents.view")
def issues(request):
    return _analysis(request, "analysis/issues.html", "issues")


@capability_required("incidents.view")
def hotspots(request):
    return _analysis(request, "analysis/hotspots.html", "hotspots")


@capability_required("incidents.view")
def emerging(request):
    return _analysis(request, "analysis/emerging.html", "emerging", sparkline=sparkline)


@capability_required("incidents.view")
def repeats(request):
    return _analysis(request, "analysis/repeats.html", "repeats", "near_repeat")


@capability_required("incidents.view")
def harm(request):
    return page(request, "analysis/harm.html", active="analysis", kind="harm", weights=harm_weights_list(viewer=request.viewer),
                tables=harm_tables_list(viewer=request.viewer))


@capability_required("incidents.export")
def export(request, kind: str):
    """The kept result of an analysis for these choices as CSV (audited), or why there is none."""
    form = AnalysisForm(request.GET or None, category_groups=incident_category_groups())
    if kind not in EXPORTED or (form.is_bound and not form.is_valid()):
        return HttpResponse("Check the choices: the export takes the same ones as the page.\n", status=400,
                            content_type="text/plain; charset=utf-8")
    try:
        header, rows = analysis_export(viewer=request.viewer, kind=kind, choices=_choices(form, kind))
    except LookupError as missing:
        return HttpResponse(f"{missing}\n", status=404, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="saferplace-{kind}.csv"'
    return response
