"""Public reports as an Open311 client reads them, a thousand at a time: each report with its
public updates and its photos, read in three queries whatever the number of reports (never the
resident's name, email or phone: only what `selectors` makes public)."""

from dataclasses import dataclass, field

from saferplace.errors import NotFound
from saferplace.reports.models import Report, ReportPhoto, ReportUpdate, StateKind
from saferplace.reports.selectors import LIST_MOST, PublicFilters, public_report_get, public_reports


@dataclass
class Listed:
    report: Report
    updates: list[ReportUpdate] = field(default_factory=list)  # oldest first
    photo_ids: list[int] = field(default_factory=list)

    @property
    def status_notes(self) -> str:
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


def public_listing(filters: PublicFilters, *, offset: int = 0, limit: int = LIST_MOST) -> list[Listed]:
    return _with_details(public_reports(filters, offset=offset, limit=limit))


def public_listed_get(report_id: int) -> Listed:
    return _with_details([public_report_get(report_id)])[0]


def public_photo_get(photo_id: int) -> ReportPhoto:
    """A photo of a public report (never of a private or hidden one)."""
    photo = ReportPhoto.objects.filter(pk=photo_id, report__is_public=True).exclude(
        report__state__kind=StateKind.HIDDEN).first()
    if photo is None:
        raise NotFound("There is no such photo.", record_type="reports.reportphoto", record_id=photo_id)
    return photo
