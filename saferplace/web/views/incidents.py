"""Incidents a user may see, through the access policy; opening one and exporting are audited."""

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse

from saferplace.incidents.selectors import IncidentFilters, incident_filter_options
from saferplace.incidents.selectors import incident_list as select_incidents
from saferplace.incidents.services import incident_open, incidents_export_csv
from saferplace.web.forms import IncidentFilterForm
from saferplace.web.views.common import page, role_required

READERS = ("analyst", "chair", "practitioner", "administrator")


def _filters(request) -> tuple[IncidentFilterForm, IncidentFilters]:
    form = IncidentFilterForm(request.GET or None, options=incident_filter_options(user=request.user))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, IncidentFilters(
            source=data["source"], category=data["category"], place_code=data["place"],
            date_from=data["date_from"], date_to=data["date_to"],
        )
    return form, IncidentFilters()


@role_required(*READERS)
def incident_list(request):
    form, filters = _filters(request)
    incidents = select_incidents(user=request.user, filters=filters)
    current = Paginator(incidents, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page(request, "incidents/list.html", active="incidents", form=form, incidents=current,
                query=query.urlencode())


@role_required(*READERS)
def incident_detail(request, incident_id: int):
    incident = incident_open(user=request.user, incident_id=incident_id, request=request)
    return page(request, "incidents/detail.html", active="incidents", incident=incident)


@role_required(*READERS)
def incident_export(request):
    _, filters = _filters(request)
    incidents = select_incidents(user=request.user, filters=filters)
    rows = incidents_export_csv(
        user=request.user, incidents=incidents.iterator(chunk_size=2000), count=incidents.count(),
        filters=filters.as_dict(), request=request,
    )
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="saferplace-incidents.csv"'
    return response
