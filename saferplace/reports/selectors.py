"""Reading reports. The public reads only public reports (never a private service's, never a
hidden one) and never who made them; a partner reads its own organisation's queue through the
access policy, and opening one report (with the resident's contact details) is audited."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotFound
from saferplace.partners import access
from saferplace.reports import lookups
from saferplace.reports.models import Report, ReportEvent, ReportUpdate, Service, StateKind

WINDOW_DAYS, LIST_MOST = 90, 1000
NEARBY_METRES, NEARBY_MOST, NEARBY_DAYS = 250, 5, 90
QUEUE_MOST = 500
PUBLIC = Q(is_public=True) & ~Q(state__kind=StateKind.HIDDEN)


def services_listed() -> list[Service]:
    """What a resident may report: active services that are not private, with their questions."""
    return list(Service.objects.filter(active=True, private=False).prefetch_related("attributes"))


def services_private() -> list[Service]:
    """The private services (someone at risk, a hate incident): never listed with the others, but
    a resident may report one privately from the start page."""
    return [service for service in lookups.services_by_code().values() if service.private]


def service_public_get(code: str) -> Service:
    service = Service.objects.filter(code=str(code)[:60], active=True, private=False).prefetch_related(
        "attributes").first()
    if service is None:
        raise NotFound("There is no such service.", record_type="reports.service", record_id=str(code)[:60])
    return service


def service_for_report(code: str) -> Service:
    """The service a report is made for: any active one, private ones included (a resident may
    report a safeguarding concern; it is just never listed)."""
    service = lookups.services_by_code().get(str(code)[:60])
    if service is None:
        raise NotFound("There is no such service.", record_type="reports.service", record_id=str(code)[:60])
    return service


def _public() -> QuerySet[Report]:
    return Report.objects.filter(PUBLIC).select_related("service", "state", "owning_organisation")


@dataclass(frozen=True)
class PublicFilters:
    """Open311's filters, already parsed (the interface turns text into these or a 400)."""

    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()  # open, closed
    updated_after: datetime | None = None
    updated_before: datetime | None = None


def public_reports(filters: PublicFilters, *, offset: int = 0, limit: int = LIST_MOST) -> list[Report]:
    """Public reports, newest first. With no ids and no dates, the last 90 days (Open311's
    default window); never more than `limit`, from `offset` (paging)."""
    return list(public_reports_query(filters)[offset:offset + min(limit, LIST_MOST)])


def public_reports_query(filters: PublicFilters) -> QuerySet[Report]:
    """The query of `public_reports`, for a caller that reads more with it."""
    reports = _public()
    if filters.ids:
        reports = reports.filter(pk__in=filters.ids)
    elif not (filters.start or filters.end or filters.updated_after or filters.updated_before):
        reports = reports.filter(created_at__gte=timezone.now() - timedelta(days=WINDOW_DAYS))
    if filters.service_codes:
        reports = reports.filter(service__code__in=filters.service_codes)
    if filters.start:
        reports = reports.filter(created_at__gte=filters.start)
    if filters.end:
        reports = reports.filter(created_at__lte=filters.end)
    if filters.updated_after:
        reports = reports.filter(updated_at__gte=filters.updated_after)
    if filters.updated_before:
        reports = reports.filter(updated_at__lte=filters.updated_before)
    if filters.statuses and set(filters.statuses) != {"open", "closed"}:
        opened = Q(state__kind=StateKind.OPEN)
        reports = reports.filter(opened if "open" in filters.statuses else ~opened)
    return reports.order_by("-created_at", "-id")


def public_report_get(report_id: int) -> Report:
    report = _public().filter(pk=report_id).first()
    if report is None:
        raise NotFound("There is no such report.", record_type="reports.report", record_id=report_id)
    return report


def report_id_for_token(token: str) -> int:
    """The report a resident's reference names (Open311's token); a private report's too, for
    the resident who holds it, though the report itself is never public."""
    found = Report.objects.filter(token=str(token).strip().upper()[:20]).exclude(state__kind=StateKind.HIDDEN) \
        .values_list("pk", flat=True).first()
    if found is None:
        raise NotFound("There is no report with that reference.", record_type="reports.report")
    return found


def public_updates(report: Report) -> list[ReportUpdate]:
    return list(report.updates.select_related("state").order_by("at", "id"))


def public_updates_between(*, start: datetime | None, end: datetime | None, offset: int = 0,
                           limit: int = LIST_MOST) -> list[ReportUpdate]:
    """Updates of public reports (Open311's service request updates), oldest first; the last 90
    days when no dates are given."""
    updates = ReportUpdate.objects.filter(report__is_public=True).exclude(report__state__kind=StateKind.HIDDEN) \
        .select_related("state", "report")
    if not (start or end):
        updates = updates.filter(at__gte=timezone.now() - timedelta(days=WINDOW_DAYS))
    if start:
        updates = updates.filter(at__gte=start)
    if end:
        updates = updates.filter(at__lte=end)
    return list(updates.order_by("at", "id")[offset:offset + min(limit, LIST_MOST)])


def nearby_open(*, service: Service, latitude: float, longitude: float) -> list[Report]:
    """Open public reports of the same service near the point, nearest first: what a resident is
    shown before sending, to add their voice to one instead of making a duplicate."""
    lat_span = NEARBY_METRES / 111_320
    lon_span = lat_span / max(math.cos(math.radians(latitude)), 0.01)
    candidates = _public().filter(
        service=service, state__kind=StateKind.OPEN, created_at__gte=timezone.now() - timedelta(days=NEARBY_DAYS),
        latitude__range=(latitude - lat_span, latitude + lat_span),
        longitude__range=(longitude - lon_span, longitude + lon_span),
    )[:200]

    def metres(report: Report) -> float:
        dy = (report.latitude - latitude) * 111_320
        dx = (report.longitude - longitude) * 111_320 * math.cos(math.radians(latitude))
        return math.hypot(dx, dy)

    near = sorted((metres(report), report) for report in candidates if metres(report) <= NEARBY_METRES)
    return [report for _, report in near[:NEARBY_MOST]]


# --- The partner's side ---------------------------------------------------------------------------

def _visible(viewer) -> QuerySet[Report]:
    access.require(viewer, "reports.triage")
    return access.visible_to(viewer, Report.objects.select_related("service", "state", "owning_organisation"))


def triage_queue(*, viewer, kinds: tuple[str, ...] = (StateKind.OPEN,), urgent_only: bool = False) -> list[Report]:
    """The viewer's organisation's reports in states of `kinds`: urgent first, then oldest first."""
    reports = _visible(viewer).filter(owning_organisation_id=viewer.organisation_id, state__kind__in=kinds)
    if urgent_only:
        reports = reports.filter(urgent=True)
    return list(reports.order_by("-urgent", "created_at", "id")[:QUEUE_MOST])


def report_for_partner(*, viewer, report_id: int) -> Report:
    """One report with the resident's contact details, for a partner who may see it (their own
    organisation's, or one shared with it by agreement); opening it is audited."""
    report = _visible(viewer).filter(pk=report_id).first()
    if report is None:
        raise NotFound(record_type="reports.report", record_id=report_id)
    audit_record(viewer=viewer, action=AuditAction.VIEW, obj=report, object_repr=f"public report {report.pk}")
    return report


def report_timeline(report: Report) -> list[ReportEvent]:
    return list(report.events.order_by("at", "id"))
