"""The minutes of a meeting: who came (present, remote, apologies, by organisation), each item
discussed with its decisions, lead and supporting agencies, actions (the tasks it made, with
their owners and due dates), review date and whether the threshold for sharing was met.

Minutes are read as the reader is: a member of the series (their organisation is a member, or
runs it, and their role takes part in or chairs meetings) reads them; anyone else is told there
is no such meeting. An item's identifiable details appear only once the meeting is closed, and
only in the copy of a reader whose agency revealed them at the meeting (with a reason: an
`ItemReveal` by anyone of that agency before the close) or holds them, and whom the sharing
agreements still allow the details' owner and data category (`meetings.reveal`); reading such a
copy is audited as a reveal, naming the details, and any other reading as a view.

`minutes_send` sends every attendee their own copy as a PDF, made as that person (so it holds
exactly what their agency may see), through the notification backend."""

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotAllowed, NotFound
from saferplace.history import event_write
from saferplace.meetings.models import (
    AgendaEntry,
    Attendance,
    AttendanceMode,
    Decision,
    IdentifiableDetail,
    ItemReveal,
    Meeting,
    MeetingEventKind,
    MeetingSeries,
    MeetingStatus,
)
from saferplace.meetings.selectors import series_list
from saferplace.notifications.models import NotificationSend
from saferplace.notifications.services import notification_queue
from saferplace.partners import access
from saferplace.partners.viewer import AuditContext, viewer_for
from saferplace.tasking.models import Task

ITEM_SOURCE = "meeting item"  # a task's `source_kind` when a meeting's action made it
WORKER = "worker"
MEETING_TYPE = "meetings.meeting"


@dataclass(frozen=True)
class OrganisationAttendance:
    organisation: str
    people: list[str]


@dataclass(frozen=True)
class AttendanceGroup:
    mode: str  # Present, Remote, Apologies
    organisations: list[OrganisationAttendance]


@dataclass(frozen=True)
class MinutesDecision:
    text: str
    threshold_met: bool | None
    at: datetime


@dataclass(frozen=True)
class MinutesAction:
    title: str
    organisation: str
    team: str
    person: str
    for_volunteers: bool
    due_date: date | None
    status: str


@dataclass(frozen=True)
class MinutesDetail:
    organisation: str
    data_category: str
    text: str


@dataclass
class MinutesEntry:
    number: int
    title: str
    summary: str
    where: str
    state: str
    why: str
    decisions: list[MinutesDecision]
    lead: str
    supporting: list[str]
    actions: list[MinutesAction]
    review_date: date | None
    threshold_met: bool | None
    details: list[MinutesDetail] = field(default_factory=list)


@dataclass
class Minutes:
    meeting: Meeting
    series: MeetingSeries
    chair: str
    copy_for: str  # the reader's organisation: whose copy this is
    attendance: list[AttendanceGroup]
    entries: list[MinutesEntry]
    detail_ids: list[int] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.meeting.status == MeetingStatus.CLOSED

    @property
    def has_details(self) -> bool:
        return bool(self.detail_ids)


def _reads_minutes(viewer, series: MeetingSeries) -> bool:
    """A member of the series (the meetings' one rule, `series_list`)."""
    return series_list(viewer=viewer).filter(pk=series.pk).exists()


def _meeting_for(viewer, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_related("series", "series__chair", "series__place").filter(pk=meeting_id).first()
    if meeting is None or not _reads_minutes(viewer, meeting.series):
        raise NotFound("There is no such meeting.", record_type=MEETING_TYPE, record_id=meeting_id)
    return meeting


def _attendance(meeting: Meeting) -> list[AttendanceGroup]:
    groups = []
    rows = list(Attendance.objects.filter(meeting=meeting).select_related("user", "organisation")
                .order_by("organisation__name", "user__last_name", "user__first_name", "pk"))
    for mode in AttendanceMode:
        by_organisation: dict[str, list[str]] = {}
        for row in rows:
            if row.mode == mode:
                by_organisation.setdefault(row.organisation.name, []).append(row.user.display_name)
        if by_organisation:
            groups.append(AttendanceGroup(mode=str(mode.label), organisations=[
                OrganisationAttendance(organisation=name, people=people) for name, people in by_organisation.items()]))
    return groups


def _action(task: Task) -> MinutesAction:
    return MinutesAction(
        title=task.title, organisation=task.organisation.name, team=task.team.name if task.team else "",
        person=task.assignee.display_name if task.assignee else "", for_volunteers=task.for_volunteers,
        due_date=task.due_date, status=task.get_status_display(),
    )


def _revealed_to_agency(viewer, meeting: Meeting, item_ids: list[int]) -> set[int]:
    """The details someone of the viewer's agency revealed, with a reason, on these items by the
    meeting's close (a minute records what the meeting shared; engagements changed later do not
    change it). None before the meeting is closed."""
    if meeting.status != MeetingStatus.CLOSED or viewer.organisation_id is None:
        return set()
    reveals = ItemReveal.objects.filter(item_id__in=item_ids, organisation_id=viewer.organisation_id,
                                        at__lte=meeting.closed_at)
    return {detail_id for details in reveals.values_list("details", flat=True) for detail_id in details}


def _may_see_details(viewer, revealed: set[int], detail: IdentifiableDetail) -> bool:
    """In the reader's copy: a detail their agency revealed at the meeting (or holds), while the
    agreements still open it to them."""
    return ((detail.pk in revealed or detail.owning_organisation_id == viewer.organisation_id)
            and access.can(viewer, "meetings.reveal", detail))


def _entries(viewer, meeting: Meeting) -> tuple[list[MinutesEntry], list[int]]:
    agenda = list(
        AgendaEntry.objects.filter(meeting=meeting, dropped_reason="").select_related("item", "item__state", "item__lead")
        .prefetch_related("item__supporting", "item__engaged").order_by("position", "pk")
    )
    item_ids = [entry.item_id for entry in agenda]
    decisions: dict[int, list[MinutesDecision]] = {}
    for decision in Decision.objects.filter(meeting=meeting, item_id__in=item_ids).order_by("at", "pk"):
        decisions.setdefault(decision.item_id, []).append(
            MinutesDecision(text=decision.text, threshold_met=decision.threshold_met, at=decision.at))
    tasks = Task.objects.filter(source_kind=ITEM_SOURCE, source_id__in=item_ids).select_related(
        "organisation", "team", "assignee").order_by("due_date", "pk")
    if meeting.closed_at is not None:
        tasks = tasks.filter(created_at__lte=meeting.closed_at)
    actions: dict[int, list[MinutesAction]] = {}
    for task in tasks:
        actions.setdefault(task.source_id, []).append(_action(task))
    details: dict[int, list[IdentifiableDetail]] = {}
    revealed = _revealed_to_agency(viewer, meeting, item_ids)
    if meeting.status == MeetingStatus.CLOSED and viewer.organisation_id is not None:
        for detail in IdentifiableDetail.objects.filter(item_id__in=item_ids).select_related(
                "owning_organisation", "data_category").order_by("at", "pk"):
            details.setdefault(detail.item_id, []).append(detail)
    entries, shown = [], []
    for number, entry in enumerate(agenda, start=1):
        item = entry.item
        allowed = [detail for detail in details.get(item.pk, []) if _may_see_details(viewer, revealed, detail)]
        shown += [detail.pk for detail in allowed]
        entries.append(MinutesEntry(
            number=number, title=item.title, summary=item.summary, where=item.where, state=item.state.name,
            why=entry.why, decisions=decisions.get(item.pk, []), lead=item.lead.name if item.lead else "",
            supporting=sorted(organisation.name for organisation in item.supporting.all()),
            actions=actions.get(item.pk, []), review_date=item.review_date, threshold_met=item.threshold_met,
            details=[MinutesDetail(organisation=detail.owning_organisation.name,
                                   data_category=detail.data_category.name, text=detail.text) for detail in allowed],
        ))
    return entries, shown


def minutes_for(*, viewer, meeting: Meeting) -> Minutes:
    """The minutes of `meeting` as `viewer` may read them (see the module's docstring); audited."""
    if not _reads_minutes(viewer, meeting.series):
        raise NotFound("There is no such meeting.", record_type=MEETING_TYPE, record_id=meeting.pk)
    entries, detail_ids = _entries(viewer, meeting)
    minutes = Minutes(
        meeting=meeting, series=meeting.series, chair=meeting.series.chair.display_name,
        copy_for=viewer.organisation_name, attendance=_attendance(meeting), entries=entries, detail_ids=detail_ids,
    )
    if detail_ids:
        audit_record(viewer=viewer, action=AuditAction.REVEAL, object_type="meetings.identifiabledetail",
                     object_repr=f"identifiable details in the minutes of {meeting}"[:300], record_ids=detail_ids,
                     details={"meeting": meeting.pk, "minutes": True})
    else:
        audit_record(viewer=viewer, action=AuditAction.VIEW, obj=meeting, details={"minutes": True})
    return minutes


def minutes_find(*, viewer, meeting_id: int) -> Minutes:
    """The minutes of the meeting with this id (for a page): `NotFound` for anyone not a member."""
    return minutes_for(viewer=viewer, meeting=_meeting_for(viewer, meeting_id))


# --- The PDF --------------------------------------------------------------------------------

STATIC_DIRECTORIES = [Path(directory).resolve() for directory in settings.STATICFILES_DIRS]


def _local_static_fetcher():
    """WeasyPrint's fetcher, refusing everything but files under the static folders (no network,
    nothing else on the disk)."""
    from weasyprint.urls import URLFetcher

    class LocalStaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                path = Path(url.removeprefix("file://").split("?")[0]).resolve()
                if any(path.is_relative_to(directory) for directory in STATIC_DIRECTORIES) and path.is_file():
                    return super().fetch(path.as_uri(), headers)
            raise ValueError(f"The minutes may use only SaferPlace's own static files, not {url[:100]}")

    return LocalStaticFetcher(allowed_protocols=["file"])


def minutes_html(minutes: Minutes) -> str:
    """The minutes as the HTML the PDF is made from (text escaped by the templates)."""
    return render_to_string("minutes/pdf.html", {"minutes": minutes})


def minutes_pdf(minutes: Minutes) -> bytes:
    import weasyprint

    base = STATIC_DIRECTORIES[0].as_uri() + "/" if STATIC_DIRECTORIES else None
    return weasyprint.HTML(string=minutes_html(minutes), base_url=base,
                           url_fetcher=_local_static_fetcher()).write_pdf()


def minutes_pdf_find(*, viewer, meeting_id: int) -> tuple[Minutes, bytes]:
    """The minutes and their PDF, as `viewer` may read them (for the download)."""
    minutes = minutes_find(viewer=viewer, meeting_id=meeting_id)
    return minutes, minutes_pdf(minutes)


def minutes_file_name(minutes: Minutes) -> str:
    name = "".join(character if character.isalnum() else "-" for character in minutes.series.name.lower())
    return f"minutes-{'-'.join(part for part in name.split('-') if part)[:60]}-{minutes.meeting.date:%Y-%m-%d}.pdf"


# --- Sending --------------------------------------------------------------------------------

def _require_chair(viewer, meeting: Meeting) -> None:
    if not _reads_minutes(viewer, meeting.series):
        raise NotFound("There is no such meeting.", record_type=MEETING_TYPE, record_id=meeting.pk)
    access.require(viewer, "meetings.chair", meeting)
    if meeting.status != MeetingStatus.CLOSED:
        raise ValueError("The minutes are sent once the meeting is closed.")


@transaction.atomic
def minutes_send(*, viewer, meeting: Meeting) -> list[NotificationSend]:
    """Send each attendee (present, remote or apologies) their own copy of the minutes as a PDF,
    made as that person: only what their agency may see. Someone who can no longer read the
    minutes (left, or their organisation no longer a member) is sent nothing and named in the
    meeting's event. Needs `meetings.chair` for the series' organisation and a closed meeting."""
    _require_chair(viewer, meeting)
    sends, not_sent = [], []
    subject = f"Minutes: {meeting.series.name}, {meeting.date:%-d %B %Y}"
    attendees = Attendance.objects.filter(meeting=meeting).select_related("user", "user__organisation").order_by("pk")
    for attendance in attendees:
        person = attendance.user
        as_them = viewer_for(person, context=AuditContext(channel=WORKER, reason=f"minutes sent by {viewer.name}"))
        try:
            minutes = minutes_for(viewer=as_them, meeting=meeting)
        except (NotFound, NotAllowed):
            not_sent.append(person.display_name)
            continue
        body = (f"The minutes of {meeting.series.name} on {meeting.date:%-d %B %Y} are attached: "
                f"{len(minutes.entries)} item{'s' if len(minutes.entries) != 1 else ''}. "
                + ("This copy holds identifiable details your agency was engaged on: keep it secure and do not "
                   "forward it." if minutes.has_details else "This copy holds no identifiable details."))
        sends.append(notification_queue(recipient=person, subject=subject, body=body, about=f"{MEETING_TYPE}:{meeting.pk}",
                                        attachment=minutes_pdf(minutes), attachment_name=minutes_file_name(minutes)))
    event_write(viewer=viewer, record=meeting, kind=MeetingEventKind.MINUTES_SENT,
                changes={"sent to": ", ".join(send.recipient.display_name for send in sends) or "nobody",
                         "not sent to": ", ".join(not_sent) or "nobody"})
    audit_record(viewer=viewer, action=AuditAction.CREATE, object_type="notifications.notificationsend",
                 object_repr=f"minutes of {meeting} sent"[:300], record_ids=[send.pk for send in sends],
                 details={"meeting": meeting.pk, "not_sent": not_sent})
    return sends


def minutes_send_request(*, viewer, meeting_id: int) -> Meeting:
    """Ask the worker to send the minutes (a PDF per attendee is made there, not in a request);
    checks now what `minutes_send` will check again when it runs."""
    meeting = _meeting_for(viewer, meeting_id)
    _require_chair(viewer, meeting)
    # Imported here: the task module imports this one.
    from saferplace.meetings.tasks import send_minutes_task

    meeting_pk, user_pk = meeting.pk, viewer.user_id
    transaction.on_commit(lambda: send_minutes_task.enqueue(meeting_pk, user_pk))
    return meeting


def minutes_sends_find(*, viewer, meeting_id: int) -> tuple[Meeting, list[NotificationSend]]:
    """The meeting and what was sent of its minutes, and how it went (the chair's page)."""
    meeting = _meeting_for(viewer, meeting_id)
    if not _reads_minutes(viewer, meeting.series):
        raise NotFound("There is no such meeting.", record_type=MEETING_TYPE, record_id=meeting.pk)
    access.require(viewer, "meetings.chair", meeting)
    return meeting,  list(NotificationSend.objects.filter(about=f"{MEETING_TYPE}:{meeting.pk}").select_related("recipient")
                .defer("attachment", "body").order_by("-created_at", "-pk"))

