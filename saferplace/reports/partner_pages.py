"""What a partner's report pages read, put together from the reports' selectors: one report as
its triage page shows it (the answers with their questions, photos, updates, its timeline, the
tasks made from it), the choices its actions offer, and one of its photos.

Every read goes through `selectors.report_for_partner` (the access policy, and the audit entry of
the view): a report the viewer may not see is `NotFound`, a role without `reports.triage` is
`NotAllowed`."""

from dataclasses import dataclass, field

from saferplace.errors import NotFound
from saferplace.meetings.models import MeetingSeries
from saferplace.meetings.selectors import series_list
from saferplace.partners import access
from saferplace.partners.models import Organisation, Team, User
from saferplace.reports.models import (
    Report,
    ReportEvent,
    ReportPhoto,
    ReportState,
    ReportUpdate,
    StateKind,
)
from saferplace.reports.selectors import public_updates, report_for_partner, report_timeline
from saferplace.reports.services import SOURCE_KIND
from saferplace.tasking.models import Task
from saferplace.tasking.photos import photo_open
from saferplace.tasking.selectors import task_choices

LARGEST_ID = 2**63 - 1
# The queue's views: which kinds of state each shows.
QUEUE_KINDS = {
    "open": (StateKind.OPEN,),
    "closed": (StateKind.FIXED, StateKind.CLOSED, StateKind.HIDDEN),
    "all": (StateKind.OPEN, StateKind.FIXED, StateKind.CLOSED, StateKind.HIDDEN),
}


@dataclass
class ReportPage:
    report: Report
    answers: list[tuple[str, str]]
    photos: list[ReportPhoto]
    updates: list[ReportUpdate]
    timeline: list[ReportEvent]
    tasks: list[Task]
    may_triage: bool


@dataclass
class TriageChoices:
    """What the actions' forms offer: states, partners to pass it to, meeting series, and (for
    who sets tasks) the organisation's own teams and people."""

    closing_states: list[ReportState]
    states: list[ReportState]
    organisations: list[Organisation]
    series: list[MeetingSeries]
    may_task: bool
    teams: list[Team] = field(default_factory=list)
    people: list[User] = field(default_factory=list)


def _checked_id(number: int, record_type: str) -> int:
    if not 0 < number <= LARGEST_ID:
        raise NotFound(record_type=record_type, record_id=str(number)[:30])
    return number


def answers_shown(report: Report) -> list[tuple[str, str]]:
    """The resident's answers, each beside its question, a list's keys as their names."""
    answers = report.attributes or {}
    shown = []
    for attribute in report.service.attributes.all():
        if attribute.code not in answers:
            continue
        names = {str(value.get("key")): str(value.get("name")) for value in attribute.values or []}
        given = answers[attribute.code]
        given = given if isinstance(given, list) else [given]
        shown.append((attribute.description, ", ".join(names.get(str(value), str(value)) for value in given)))
    return shown


def report_page(*, viewer, report_id: int) -> ReportPage:
    """One report as its triage page shows it; opening it is audited (`report_for_partner`)."""
    report = report_for_partner(viewer=viewer, report_id=_checked_id(report_id, "reports.report"))
    tasks = Task.objects.filter(source_kind=SOURCE_KIND, source_id=report.pk, organisation_id=viewer.organisation_id)
    return ReportPage(
        report=report, answers=answers_shown(report), photos=list(report.photos.order_by("at", "id")),
        updates=public_updates(report), timeline=report_timeline(report), tasks=list(tasks.order_by("created_at", "id")),
        may_triage=access.can(viewer, "reports.triage", report),
    )


def triage_choices(*, viewer, report: Report) -> TriageChoices:
    states = [state for state in ReportState.objects.order_by("order", "code") if state.code != "duplicate"]
    may_task = access.can(viewer, "tasks.assign", report)
    choices = TriageChoices(
        closing_states=[state for state in states if state.kind in (StateKind.CLOSED, StateKind.HIDDEN)],
        states=states,
        organisations=list(Organisation.objects.exclude(pk=report.owning_organisation_id).order_by("name")),
        series=list(series_list(viewer=viewer).order_by("name")) if access.can(viewer, "meetings.attend") else [],
        may_task=may_task,
    )
    if may_task:
        own = task_choices(viewer=viewer)
        choices.teams = [team for team in own.teams if team.organisation_id == report.owning_organisation_id]
        choices.people = [person for person in own.people if person.organisation_id == report.owning_organisation_id]
    return choices


def report_photo_get(*, viewer, report_id: int, photo_id: int):
    """A photo of a report the viewer may open (`report_for_partner`, audited), and its file."""
    report = report_for_partner(viewer=viewer, report_id=_checked_id(report_id, "reports.report"))
    photo = report.photos.filter(pk=_checked_id(photo_id, "reports.reportphoto")).first()
    if photo is None:
        raise NotFound(record_type="reports.reportphoto", record_id=photo_id)
    return photo, photo_open(photo.file)
