"""Changing reports. A resident (a `PublicViewer`) makes a report, adds their voice to one, or
says a fixed problem is still there; the partner a report is routed to triages it (the
capability `reports.triage`, on its own organisation's reports only: another's is `NotFound`).
Every change writes the report's event and audit entry in one transaction (`record_change`);
every change the resident should hear of is a `ReportUpdate` with its message (the service's
response template when the partner wrote none), sent to the resident who gave an address."""

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from saferplace.errors import NotAllowed, NotFound
from saferplace.history import record_change
from saferplace.meetings.models import MeetingSeries
from saferplace.meetings.services import concern_raise
from saferplace.notifications.services import notification_queue
from saferplace.partners import access
from saferplace.partners.models import Organisation, Team, User
from saferplace.reports import lookups
from saferplace.reports.attributes import answers_checked
from saferplace.reports.checks import email_checked, media_url_checked, text_checked
from saferplace.reports.models import (
    ApiKey,
    Channel,
    Report,
    ReportEventKind,
    ReportPhoto,
    ReportState,
    ReportUpdate,
    Service,
    StateKind,
)
from saferplace.reports.routing import locate, point_checked
from saferplace.tasking.models import Task, TaskPriority
from saferplace.tasking.photos import photo_clean, photo_delete, photo_store
from saferplace.tasking.services import task_create

DESCRIPTION_MOST, NAME_MOST, PHONE_MOST, ADDRESS_MOST, MESSAGE_MOST = 5000, 150, 40, 200, 2000
PHOTOS_MOST = 3
TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - letters of a reference, no secret
TOKEN_LENGTH = 10
SOURCE_KIND = "report"


def _token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def state_get(code: str) -> ReportState:
    state = lookups.states().get(code)
    if state is None:
        raise ValueError(f"There is no report state {code!r}")
    return state


def message_for(report: Report, state: ReportState) -> str:
    """The service's response template for `state` (else the one for every service), with the
    partner's name in it."""
    templates = lookups.templates()
    text = templates.get((report.service_id, state.pk)) or templates.get((None, state.pk)) or ""
    return text.replace("{organisation}", report.owning_organisation.name)


def _tell(report: Report, update: ReportUpdate) -> None:
    """Send the resident who gave an address what the update says, with the link to their report."""
    if not report.email or not update.text:
        return
    link = f"{settings.PUBLIC_URL}/report/{report.pk}/" if report.is_public else ""
    body = f"{update.text}\n\nYour reference: {report.token}\n" + (f"Follow it: {link}\n" if link else "")
    notification_queue(recipient=None, address=report.email, subject=f"Your report {report.token}: {update.state.name}",
                       body=body, about=f"reports.report:{report.pk}")


def _update(report: Report, *, state: ReportState, text: str, by: str, from_resident: bool = False) -> ReportUpdate:
    update = ReportUpdate.objects.create(report=report, state=state, text=text, by=by[:200], from_resident=from_resident)
    if not from_resident and state.kind != StateKind.HIDDEN:
        _tell(report, update)
    return update


def _move(viewer, report: Report, *, state: ReportState, kind: str, text: str = "", values: dict | None = None,
          note: str = "") -> ReportUpdate:
    """Put the report in `state` (with any other `values`), write its event and audit entry, and
    the update the resident reads: `text`, else the state's response template."""
    message = text or message_for(report, state)
    record_change(viewer=viewer, record=report, kind=kind, note=note or message,
                  values={"state": state, "updated_at": timezone.now(), **(values or {})}, always=True)
    return _update(report, state=state, text=message, by=report.owning_organisation.name)


def _photos(uploads: Iterable) -> list[bytes]:
    uploads = [upload for upload in uploads if upload]
    if len(uploads) > PHOTOS_MOST:
        raise ValueError(f"At most {PHOTOS_MOST} photos")
    return [photo_clean(upload) for upload in uploads]


def report_create(*, viewer, service: Service, latitude, longitude, description: str, address: str = "",
                  answers: dict | None = None, name: str = "", email: str = "", phone: str = "",
                  anonymous: bool = False, photos: Iterable = (), media_url: str = "",
                  api_key: ApiKey | None = None) -> Report:
    """A resident's report, routed to the partner that handles its service where it is. Checked
    whole before anything is stored: a ValueError names the field and what is wrong."""
    if not service.active:
        raise NotFound("There is no such service.", record_type="reports.service", record_id=service.pk)
    latitude, longitude = point_checked(latitude, longitude)
    description = text_checked(description, what="Description", most=DESCRIPTION_MOST, required=True)
    fields = {"address": text_checked(address, what="Address", most=ADDRESS_MOST),
              "name": text_checked(name, what="Name", most=NAME_MOST), "email": email_checked(email),
              "phone": text_checked(phone, what="Phone number", most=PHONE_MOST), "media_url": media_url_checked(media_url)}
    answers = answers_checked(service, answers or {})
    cleaned = _photos(photos)
    located = locate(service, latitude, longitude)
    stored = [photo_store(content) for content in cleaned]
    try:
        with transaction.atomic():
            report = _report_save(viewer, service=service, organisation=located.organisation,
                                  place_id=located.place_id, where=located.where,
                                  latitude=latitude, longitude=longitude, description=description, answers=answers,
                                  anonymous=anonymous, api_key=api_key, photos=stored, **fields)
    except BaseException:
        for name_stored in stored:
            photo_delete(name_stored)
        raise
    return report


def _report_save(viewer, *, service: Service, organisation: Organisation, place_id: int | None, where: str,
                 photos: list[str],
                 answers: dict, api_key: ApiKey | None, media_url: str, **fields) -> Report:
    state = state_get("open")
    report = Report(service=service, state=state, owning_organisation=organisation, data_category=service.data_category,
                    is_public=not service.private, urgent=service.urgent or service.private, token=_token(),
                    place_id=place_id, where=where, attributes=answers, api_key=api_key,
                    channel=Channel.OPEN311 if api_key is not None else Channel.WEB, media_url=media_url, **fields)
    record_change(viewer=viewer, record=report, kind=ReportEventKind.CREATED, created=True,
                  note=f"Routed to {organisation.name}")
    ReportPhoto.objects.bulk_create([ReportPhoto(report=report, file=file) for file in photos])
    _update(report, state=state, text=message_for(report, state), by=organisation.name)
    return report


def _public_open(report: Report) -> Report:
    report = Report.objects.select_for_update().select_related("state", "owning_organisation").get(pk=report.pk)
    if not report.is_public or report.state.kind == StateKind.HIDDEN:
        raise NotFound("There is no such report.", record_type="reports.report", record_id=report.pk)
    return report


@transaction.atomic
def report_support(*, viewer, report: Report) -> Report:
    """A resident adds their voice to an open public report instead of making a duplicate."""
    report = _public_open(report)
    if report.state.kind != StateKind.OPEN:
        raise ValueError("This report is closed: make a new report if the problem is back")
    Report.objects.filter(pk=report.pk).update(supporters=F("supporters") + 1, updated_at=timezone.now())
    record_change(viewer=viewer, record=report, kind=ReportEventKind.SUPPORTED, always=True)
    report.refresh_from_db()
    return report


@transaction.atomic
def report_reopen(*, viewer, report: Report, token: str, text: str) -> Report:
    """The resident who made a report (they hold its reference) says the fixed problem is still
    there: it is open again, with what they said."""
    report = _public_open(report) if report.is_public else Report.objects.select_for_update().get(pk=report.pk)
    if not secrets.compare_digest(str(token or "").strip().upper().encode(), report.token.encode()):
        raise NotAllowed("That is not this report's reference.", record_type="reports.report", record_id=report.pk)
    if report.state.kind != StateKind.FIXED:
        raise ValueError("Only a report marked fixed can be reopened")
    text = text_checked(text, what="What you see", most=MESSAGE_MOST, required=True)
    state = state_get("open")
    record_change(viewer=viewer, record=report, kind=ReportEventKind.REOPENED, note=text,
                  values={"state": state, "updated_at": timezone.now()})
    _update(report, state=state, text=text, by="The resident who reported it", from_resident=True)
    return report


# --- Triage: the partner the report is routed to ------------------------------------------------

def _triage(viewer, report: Report) -> Report:
    """The report, locked, for the viewer's organisation's triage: NotFound for another's."""
    report = Report.objects.select_for_update().select_related("state", "owning_organisation", "service").filter(
        pk=report.pk).first()
    if report is None or not access.allows(viewer, report):
        raise NotFound(record_type="reports.report", record_id=getattr(report, "pk", ""))
    access.require(viewer, "reports.triage", report)
    return report


@transaction.atomic
def report_accept(*, viewer, report: Report, text: str = "") -> Report:
    report = _triage(viewer, report)
    if report.state.kind != StateKind.OPEN:
        raise ValueError("Only an open report can be accepted")
    _move(viewer, report, state=state_get("investigating"), kind=ReportEventKind.ACCEPTED,
          text=text_checked(text, what="Message", most=MESSAGE_MOST))
    return report


@transaction.atomic
def report_state_set(*, viewer, report: Report, state: ReportState, text: str = "") -> Report:
    """Move a report to any state. A closing state (closed, not fixed, or hidden) needs the
    reason, which the resident reads (but for hidden: spam or abuse is never public)."""
    report = _triage(viewer, report)
    text = text_checked(text, what="Message", most=MESSAGE_MOST)
    if state.pk == report.state_id:
        raise ValueError(f"The report is already {state.name.lower()}")
    if state.code == "duplicate":
        raise ValueError("Mark a duplicate with the report it duplicates")
    if state.kind in (StateKind.CLOSED, StateKind.HIDDEN) and not text:
        raise ValueError(f"Say why the report is {state.name.lower()}: the resident is told")
    values = {"is_public": False} if state.kind == StateKind.HIDDEN else {}
    _move(viewer, report, state=state, kind=ReportEventKind.STATE, text=text, values=values)
    return report


@transaction.atomic
def report_duplicate(*, viewer, report: Report, of: Report) -> Report:
    """The report repeats `of` (or what `of` repeats): closed as a duplicate pointing at it, its
    voices added to it."""
    report = _triage(viewer, report)
    if report.state.kind != StateKind.OPEN:  # else marking it again would add its voices again
        raise ValueError(f"Only an open report can be marked a duplicate: this one is already {report.state.name.lower()}")
    original = Report.objects.select_related("state").filter(pk=of.pk).first()
    if original is not None and original.duplicate_of_id:
        original = Report.objects.select_related("state").get(pk=original.duplicate_of_id)
    if original is None or not access.allows(viewer, original):  # the report it leads to, too
        raise NotFound("There is no such report to point at.", record_type="reports.report", record_id=of.pk)
    if original.state.kind == StateKind.HIDDEN:
        raise ValueError("That report was removed: point at another")
    if original.pk == report.pk:
        raise ValueError("A report cannot duplicate itself")
    if report.is_public and not original.is_public:
        raise ValueError("A public report can only point at another public report")
    Report.objects.filter(pk=original.pk).update(supporters=F("supporters") + report.supporters + 1,
                                                 updated_at=timezone.now())
    text = f"This problem was already reported: follow report {original.pk} for updates."
    _move(viewer, report, state=state_get("duplicate"), kind=ReportEventKind.DUPLICATE, text=text,
          values={"duplicate_of": original}, note=f"Duplicate of report {original.pk}")
    return report


@transaction.atomic
def report_reassign(*, viewer, report: Report, organisation: Organisation, reason: str) -> Report:
    """Pass the report to the partner that deals with it: it is theirs to triage from now."""
    report = _triage(viewer, report)
    reason = text_checked(reason, what="Reason", most=MESSAGE_MOST, required=True)
    if organisation.pk == report.owning_organisation_id:
        raise ValueError(f"The report is already {organisation.name}'s")
    if report.state.kind != StateKind.OPEN:
        raise ValueError("Only an open report can be passed on")
    record_change(viewer=viewer, record=report, kind=ReportEventKind.REASSIGNED, note=reason,
                  values={"owning_organisation": organisation, "updated_at": timezone.now()})
    return report


@transaction.atomic
def report_comment(*, viewer, report: Report, text: str) -> ReportUpdate:
    """A message to the resident (and the public, for a public report) without a change of state."""
    report = _triage(viewer, report)
    text = text_checked(text, what="Message", most=MESSAGE_MOST, required=True)
    record_change(viewer=viewer, record=report, kind=ReportEventKind.COMMENT, note=text,
                  values={"updated_at": timezone.now()}, always=True)
    return _update(report, state=report.state, text=text, by=report.owning_organisation.name)


@transaction.atomic
def report_task_make(*, viewer, report: Report, title: str, description: str = "", team: Team | None = None,
                     assignee: User | None = None, for_volunteers: bool = False, due_date=None,
                     priority: str = TaskPriority.NORMAL, questions: list[str] | None = None) -> Task:
    """Make the report a task of the viewer's organisation (a team, a person, or its volunteers:
    a volunteer can collect a fly tip). When the task is completed the resident hears what was
    done (`receivers`)."""
    report = _triage(viewer, report)
    if report.state.kind != StateKind.OPEN:
        raise ValueError("Only an open report can be made a task")
    if for_volunteers and not report.is_public:
        raise NotAllowed("A private report is never given to volunteers.")
    task = task_create(viewer=viewer, title=title, description=description or report.description,
                       organisation=report.owning_organisation, team=team, assignee=assignee,
                       for_volunteers=for_volunteers, place=report.place, where=report.where,
                       latitude=report.latitude, longitude=report.longitude, priority=priority, due_date=due_date,
                       questions=questions, source_kind=SOURCE_KIND, source_id=report.pk,
                       source_label=f"Public report {report.pk}: {report.service.name}")
    _move(viewer, report, state=state_get("action_scheduled"), kind=ReportEventKind.TASK, note=f"Task {task.pk}")
    return task


@transaction.atomic
def report_meeting_forward(*, viewer, report: Report, series: MeetingSeries, note: str = "") -> None:
    """Put the report forward to a meeting: a de-identified concern for everyone; what the
    resident wrote about a private report is kept as identifiable details, shown only by reveal."""
    report = _triage(viewer, report)
    if report.state.kind != StateKind.OPEN:
        raise ValueError("Only an open report can be put forward")
    note = text_checked(note, what="Note", most=MESSAGE_MOST)
    where = report.where or "the reported place"
    summary = note or (report.description if report.is_public else f"A resident reported {report.service.name.lower()}")
    item = concern_raise(viewer=viewer, series=series, title=f"{report.service.name} at {where}"[:200],
                         summary=summary, where=where, details="" if report.is_public else report.description,
                         data_category=None if report.is_public else report.data_category)
    values_state = state_get("investigating") if report.state.code == "open" else report.state
    _move(viewer, report, state=values_state, kind=ReportEventKind.MEETING, note=f"Meeting item {item.pk}",
          text=f"{report.owning_organisation.name} has put your report forward to the partnership's meeting.")


def report_task_done(*, viewer, task: Task) -> None:
    """A task made from a report is done: the report is fixed, and the resident told what was done
    (inside the task's transaction)."""
    report = Report.objects.select_for_update().select_related("owning_organisation", "service", "state").filter(
        pk=task.source_id).first()
    if report is None or report.state.kind != StateKind.OPEN:
        return
    fixed = state_get("fixed")
    text = f"{message_for(report, fixed)}\n\nWhat was done: {task.outcome}".strip()
    _move(viewer, report, state=fixed, kind=ReportEventKind.STATE, text=text, note=f"Task {task.pk} completed")
