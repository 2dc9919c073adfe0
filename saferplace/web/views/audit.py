"""The audit trail, for auditors: search, and export of what they searched (itself audited)."""

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse

from saferplace.audit.selectors import AuditSearch, audit_entry_search
from saferplace.audit.services import audit_export_csv
from saferplace.web.forms import AuditSearchForm
from saferplace.web.views.common import page, role_required

AUDITOR = "auditor"


def _search(request) -> tuple[AuditSearchForm, AuditSearch]:
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, AuditSearch(**{k: v for k, v in form.cleaned_data.items() if v})
    return form, AuditSearch()


@role_required(AUDITOR)
def audit_list(request):
    form, search = _search(request)
    entries = Paginator(audit_entry_search(search=search), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page(request, "audit/list.html", active="audit", form=form, entries=entries, query=query.urlencode())


@role_required(AUDITOR)
def audit_export(request):
    _, search = _search(request)
    lines = audit_export_csv(
        actor=request.user,
        entries=audit_entry_search(search=search),
        filters={key: str(value) for key, value in vars(search).items() if value},
        request=request,
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="saferplace-audit.csv"'
    return response
