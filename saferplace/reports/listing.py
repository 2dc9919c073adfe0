"""Public reports as an Open311 client reads them, a thousand at a time: each report with its
public updates and its photos, read in three queries whatever the number of reports (never the
resident's name, email or phone: only what `selectors` makes public)."""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery

from saferplace.errors import NotFound
from saferplace.partners.models import Organisation
from saferplace.reports import lookups
from saferplace.reports.models import Report, ReportPhoto, ReportUpdate, Service, StateKind
from saferplace.reports.selectors import (
    LIST_MOST,
    PublicFilters,
    public_report_get,
    public_reports,
    public_reports_query,
)

# Never read for a public list: who made the report and what they typed of where.
PRIVATE = ("name", "email", "phone", "address", "attributes")


@dataclass
class Listed:
    report: Report
    updates: list[ReportUpdate] = field(default_factory=list)  # oldest first (with the details only)
    photo_ids: list[int] = field(default_factory=list)  # the first only, without the details
    latest_text: str | None = None  # the latest update's, read with the report when its updates are not

    @property
    def status_notes(self) -> str:
        if self.latest_text is not None:
            return self.latest_text
        return self.updates[-1].text if self.updates else ""


def _with_details(reports: list[Report]) -> list[Listed]:
    listed = {report.pk: Listed(report) for report in reports}
    if listed:
        for update in ReportUpdate.objects.filter(report_id__in=listed).select_related("state").order_by("at", "id"):
            listed[update.report_id].updates.append(update)
        for photo_id, report_id in ReportPhoto.objects.filter(report_id__in=listed).order_by("at", "id") \
                .values_list("pk", "report_id"):
            listed[report_id].photo_ids.append(photo_id)
    return [listed[report.pk] for report in reports]


def public_listing(filters: PublicFilters, *, offset: int = 0, limit: int = LIST_MOST,
                   details: bool = True) -> list[Listed]:
    """A page of public reports; with `details`, each with all its updates and photos (two more
    queries), else with its latest update's text and first photo read in the same query."""
    if details:
        return _with_details(public_reports(filters, offset=offset, limit=limit))
    latest = ReportUpdate.objects.filter(report=OuterRef("pk")).order_by("-at", "-id").values("text")[:1]
    first_photo = ReportPhoto.objects.filter(report=OuterRef("pk")).order_by("at", "id").values("pk")[:1]
    reports = list(public_reports_query(filters).select_related(None).defer(*PRIVATE).annotate(
        latest_text=Subquery(latest), first_photo=Subquery(first_photo))[offset:offset + min(limit, LIST_MOST)])
    # A thousand reports share a few states, services and partners: each is read once, not joined per row.
    states = lookups.states()
    services = Service.objects.in_bulk({report.service_id for report in reports})
    partners = Organisation.objects.in_bulk({report.owning_organisation_id for report in reports})
    for report in reports:
        report.state, report.service = states[report.state_id], services[report.service_id]
        report.owning_organisation = partners[report.owning_organisation_id]
    return [Listed(report, photo_ids=[report.first_photo] if report.first_photo else [],
                   latest_text=report.latest_text or "") for report in reports]


def public_listed_get(report_id: int) -> Listed:
    return _with_details([public_report_get(report_id)])[0]


def public_photo_get(photo_id: int) -> ReportPhoto:
    """A photo of a public report (never of a private or hidden one)."""
    photo = ReportPhoto.objects.filter(pk=photo_id, report__is_public=True).exclude(
        report__state__kind=StateKind.HIDDEN).first()
    if photo is None:
        raise NotFound("There is no such photo.", record_type="reports.reportphoto", record_id=photo_id)
    return photo
