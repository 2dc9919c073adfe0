"""The audit trail, for auditors: search (by person, action, date, or every disclosure of one
record), one entry with everything it stored, and export of a search (itself audited)."""

import json

from django.http import StreamingHttpResponse

from saferplace.audit.selectors import AuditSearch, audit_entry_search
from saferplace.audit.services import audit_entry_open, audit_export_csv, audit_search_open
from saferplace.web.forms import AuditSearchForm
from saferplace.web.views.common import capability_required, page


def _search(request) -> tuple[AuditSearchForm, AuditSearch]:
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, AuditSearch(**{k: v for k, v in form.cleaned_data.items() if v})
    return form, AuditSearch()


@capability_required("audit.read")
def audit_list(request):
    form, search = _search(request)
    entries = audit_search_open(viewer=request.viewer, search=search, page=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page(request, "audit/list.html", active="audit", form=form, entries=entries, query=query.urlencode(),
                status=400 if form.errors else 200)


@capability_required("audit.read")
def audit_detail(request, sequence: int):
    entry = audit_entry_open(viewer=request.viewer, sequence=sequence)
    ids = [value for value in entry.record_ids.strip(",").split(",") if value]
    return page(request, "audit/detail.html", active="audit", entry=entry, record_ids=ids,
                details=json.dumps(entry.details, indent=2, ensure_ascii=False, sort_keys=True))


@capability_required("audit.read")
def audit_export(request):
    _, search = _search(request)
    lines = audit_export_csv(
        viewer=request.viewer,
        entries=audit_entry_search(viewer=request.viewer, search=search),
        filters={key: str(value) for key, value in vars(search).items() if value},
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="saferplace-audit.csv"'
    return response
