"""The analysts' pages: hotspots, emerging hot spots, and the harm weights with where each came
from. The analyses are worked out by the worker and kept (`analysis.results`): a page shows the
kept result for its choices and the reader's reading rule, and asks for one when there is none
for the counts as they are now."""

from saferplace.analysis.results import analysis_request
from saferplace.analysis.selectors import harm_tables_list, harm_weights_list
from saferplace.incidents.recount import counts_version
from saferplace.incidents.selectors import incident_category_groups
from saferplace.web.analysis import AnalysisForm, sparkline
from saferplace.web.views.common import capability_required, page


def _form(request) -> AnalysisForm:
    form = AnalysisForm(request.GET or None, category_groups=incident_category_groups())
    if form.is_bound:
        form.is_valid()
    return form


def _analysis(request, kind: str, template: str, **extra):
    form = _form(request)
    choices = form.choices()
    if kind == "emerging":
        choices["interval"] = (form.cleaned_data.get("interval") if form.is_bound and "interval" not in form.errors
                               else "") or "month"
    if form.errors:  # nothing is asked for until the choices make sense
        return page(request, template, active="analysis", form=form, result=None, kind=kind, status=400, **extra)
    result = analysis_request(viewer=request.viewer, kind=kind, choices=choices)
    return page(request, template, active="analysis", form=form, result=result, kind=kind,
                current=result.version == counts_version(), **extra)


@capability_required("incidents.view")
def hotspots(request):
    return _analysis(request, "hotspots", "analysis/hotspots.html")


@capability_required("incidents.view")
def emerging(request):
    return _analysis(request, "emerging", "analysis/emerging.html", sparkline=sparkline)


@capability_required("incidents.view")
def harm(request):
    return page(request, "analysis/harm.html", active="analysis", kind="harm", weights=harm_weights_list(viewer=request.viewer),
                tables=harm_tables_list(viewer=request.viewer))
