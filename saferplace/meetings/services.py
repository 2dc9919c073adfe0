"""Changing meetings: setting up a series, the chair's agenda (reorder, drop, merge, add), running
the meeting (open, move on, close), taking part (join, raise a hand, add what an agency knows,
put a concern forward), engaging agencies and revealing identifiable details, and decisions
with their actions (each a task). Every change writes its record's event and an audit entry in
the same transaction; each change followers must see moves the meeting's `version` on."""

from dataclasses import dataclass
from datetime import date, time

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotAllowed, NotFound
from saferplace.history import event_write, record_change
from saferplace.meetings.minutes import minutes_send_request
from saferplace.meetings.models import (
    AgendaEntry,
    Attendance,
    AttendanceMode,
    Decision,
    IdentifiableDetail,
    Item,
    ItemEventKind,
    ItemKind,
    ItemNote,
    ItemReveal,
    ItemState,
    Meeting,
    MeetingEventKind,
    MeetingKind,
    MeetingSeries,
    MeetingStatus,
    SeriesEventKind,
)
from saferplace.meetings.selectors import (
    ITEM_SOURCE,
    details_revealable,
    item_get,
    meeting_get,
    reveal_allowed,
    series_get,
)
from saferplace.partners import access
from saferplace.partners.models import DataCategory, Organisation, Team, User
from saferplace.places.models import Place
from saferplace.tasking.services import task_create

TEXT_MOST = 4000
TITLE_MOST = 200
NEW = "new"


def _text(value: str, *, name: str, required: bool = True, most: int = TEXT_MOST) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValueError(f"Enter {name}.")
    if len(value) > most:
        raise ValueError(f"{name[0].upper()}{name[1:]} must be {most} characters or fewer.")
    return value


def _touch(meeting: Meeting) -> None:
    """Tell followers something changed (their page asks for the meeting's version)."""
    Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1)


def _chair(viewer, meeting: Meeting) -> Meeting:
    meeting = meeting_get(viewer=viewer, meeting_id=meeting.pk)
    access.require(viewer, "meetings.chair", meeting.series)
    return meeting


def _entry_of(meeting: Meeting, entry: AgendaEntry) -> AgendaEntry:
    """The entry, if it is on this meeting's agenda (the chair of one meeting acts on its own)."""
    if entry.meeting_id != meeting.pk:
        raise NotFound("That item is not on this meeting's agenda.", record_type="meetings.agendaentry",
                       record_id=entry.pk)
    return entry


def _item_of(meeting: Meeting, item: Item) -> Item:
    """The item, if it is one of this meeting's series."""
    if item.series_id != meeting.series_id:
        raise NotFound("There is no such item in this meeting's series.", record_type="meetings.item",
                       record_id=item.pk)
    return item


def _planned_or_live(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise NotAllowed("This meeting is closed: its agenda and decisions stay as they were.")


def _series_checked(*, name: str, kind: str, video_link: str, series: MeetingSeries | None = None) -> tuple[str, str]:
    """A series' name (unique, whatever its case) and video link (a web address), checked."""
    name = _text(name, name="a name for the series", most=200)
    video_link = (video_link or "").strip()
    if video_link and not video_link.lower().startswith(("https://", "http://")):
        raise ValueError("The video-call link must be a web address starting https://.")
    if kind not in MeetingKind.values:
        raise ValueError(f"The kind must be one of {', '.join(MeetingKind.values)}.")
    if MeetingSeries.objects.filter(name__iexact=name).exclude(pk=series.pk if series else None).exists():
        raise ValueError(f"There is already a series called {name}.")
    return name, video_link


@transaction.atomic
def series_create(*, viewer, name: str, chair: User, member_organisations: list[Organisation],
                  kind: str = MeetingKind.DAILY, place: Place | None = None, weekdays: list[int] | None = None,
                  starts_at: time = time(9, 30), minutes_long: int = 30, video_link: str = "",
                  members: list[User] | None = None) -> MeetingSeries:
    """Set up a meeting series run by the chair's organisation."""
    name, video_link = _series_checked(name=name, kind=kind, video_link=video_link)
    if chair.organisation_id is None:
        raise ValueError("The chair must belong to an organisation.")
    series = MeetingSeries(name=name, kind=kind, organisation_id=chair.organisation_id, chair=chair, place=place,
                           weekdays=sorted({int(day) for day in (weekdays if weekdays is not None else [0, 1, 2, 3, 4])
                                            if 0 <= int(day) <= 6}),
                           starts_at=starts_at, minutes_long=minutes_long, video_link=video_link)
    access.require(viewer, "meetings.chair", series)
    record_change(viewer=viewer, record=series, kind=SeriesEventKind.CREATED, created=True)
    series.member_organisations.set({*member_organisations, chair.organisation})
    series.members.set(members or [])
    return series


@transaction.atomic
def series_change(*, viewer, series: MeetingSeries, name: str, kind: str, place: Place | None,
                  member_organisations: list[Organisation], weekdays: list[int], starts_at: time, minutes_long: int,
                  video_link: str = "", members: list[User] | None = None, active: bool = True) -> MeetingSeries:
    """The chair changes their series (its members, days, time, link), or stops it (`active`:
    no more agendas drafted). Its meetings and items stay."""
    series = series_get(viewer=viewer, series_id=series.pk)
    access.require(viewer, "meetings.chair", series)
    name, video_link = _series_checked(name=name, kind=kind, video_link=video_link, series=series)
    organisations = {*member_organisations, series.organisation}
    before = sorted(organisation.name for organisation in series.member_organisations.all())
    after = sorted(organisation.name for organisation in organisations)
    people_before = sorted(person.display_name for person in series.members.all())
    people_after = sorted(person.display_name for person in (members or []))
    record_change(viewer=viewer, record=series, kind=SeriesEventKind.CHANGED,
                  values={"name": name, "kind": kind, "place": place, "starts_at": starts_at,
                          "minutes_long": minutes_long, "video_link": video_link, "active": active,
                          "weekdays": sorted({int(day) for day in weekdays if 0 <= int(day) <= 6})},
                  changes={**({"members": [before, after]} if before != after else {}),
                           **({"people": [people_before, people_after]} if people_before != people_after else {})})
    series.member_organisations.set(organisations)
    series.members.set(members or [])
    return series


@transaction.atomic
def agenda_reorder(*, viewer, meeting: Meeting, entry_ids: list[int]) -> None:
    """Put the agenda in this order (entries not named keep their order after those named)."""
    meeting = _chair(viewer, meeting)
    _planned_or_live(meeting)
    entries = {entry.pk: entry for entry in meeting.entries.all()}
    order = [entry_id for entry_id in entry_ids if entry_id in entries]
    order += [entry.pk for entry in sorted(entries.values(), key=lambda entry: (entry.position, entry.pk))
              if entry.pk not in order]
    for position, entry_id in enumerate(order, start=1):
        AgendaEntry.objects.filter(pk=entry_id).update(position=position)
    event_write(viewer=viewer, record=meeting, kind=MeetingEventKind.REORDERED)
    _touch(meeting)


@transaction.atomic
def agenda_drop(*, viewer, meeting: Meeting, entry: AgendaEntry, reason: str) -> None:
    meeting = _chair(viewer, meeting)
    _planned_or_live(meeting)
    entry = _entry_of(meeting, entry)
    reason = _text(reason, name="why the item is dropped")
    entry.dropped_reason = reason
    entry.save(update_fields=["dropped_reason"])
    event_write(viewer=viewer, record=entry.item, kind=ItemEventKind.DROPPED, note=f"{meeting}: {reason}")
    audit_record(viewer=viewer, action=AuditAction.CHANGE, obj=entry.item, reason=reason,
                 details={"dropped_from": meeting.pk})
    _touch(meeting)


@transaction.atomic
def items_merge(*, viewer, meeting: Meeting, entry: AgendaEntry, into: AgendaEntry) -> None:
    """Merge one item into another: the first is closed as merged, its notes and details move."""
    meeting = _chair(viewer, meeting)
    _planned_or_live(meeting)
    entry, into = _entry_of(meeting, entry), _entry_of(meeting, into)
    if entry.pk == into.pk:
        raise ValueError("An item cannot be merged into itself.")
    item, target = entry.item, into.item
    ItemNote.objects.filter(item=item).update(item=target)
    # The details move with it, but not its engagements: an agency engaged on one item is not
    # thereby engaged on the other, and a reveal names the details it showed, so a detail
    # merged in is revealed afresh (by its holder, or an agency the chair engages on the whole).
    IdentifiableDetail.objects.filter(item=item).update(item=target)
    record_change(viewer=viewer, record=item, kind=ItemEventKind.MERGED,
                  values={"merged_into": target, "state": ItemState.objects.filter(is_closed=True).order_by("order").first()},
                  note=f"Merged into “{target.title}”")
    event_write(viewer=viewer, record=target, kind=ItemEventKind.MERGED, note=f"“{item.title}” merged into it")
    entry.dropped_reason = f"Merged into “{target.title}”"
    entry.save(update_fields=["dropped_reason"])
    _touch(meeting)


def _item_new(*, viewer, series: MeetingSeries, kind: str, title: str, summary: str, where: str, note: str) -> Item:
    item = Item(series=series, kind=kind, title=_text(title, name="a title", most=TITLE_MOST),
                summary=_text(summary, name="what it is about", required=False),
                where=_text(where, name="where", required=False, most=200),
                raised_by_id=viewer.organisation_id, state=ItemState.objects.get(code=NEW),
                source=f"Raised by {viewer.organisation_name}" if viewer.organisation_id else "Added by the operator")
    record_change(viewer=viewer, record=item, kind=ItemEventKind.CREATED, created=True, note=note)
    return item


@transaction.atomic
def agenda_add(*, viewer, meeting: Meeting, title: str, summary: str = "", where: str = "") -> AgendaEntry:
    """The chair adds an item of their own to the agenda."""
    meeting = _chair(viewer, meeting)
    _planned_or_live(meeting)
    item = _item_new(viewer=viewer, series=meeting.series, kind=ItemKind.ADDED, title=title, summary=summary,
                     where=where, note="Added by the chair")
    position = (meeting.entries.aggregate(last=Max("position"))["last"] or 0) + 1
    entry = AgendaEntry.objects.create(meeting=meeting, item=item, position=position, why="Added by the chair")
    event_write(viewer=viewer, record=item, kind=ItemEventKind.ON_AGENDA, note=str(meeting))
    _touch(meeting)
    return entry


@transaction.atomic
def concern_raise(*, viewer, series: MeetingSeries, title: str, summary: str = "", where: str = "",
                  details: str = "", data_category: DataCategory | None = None) -> Item:
    """A member agency puts a concern forward for the next meeting: de-identified title and
    summary for everyone, and, if given, identifiable details kept as their own record (shown
    only through a reveal)."""
    series = series_get(viewer=viewer, series_id=series.pk)
    access.require(viewer, "meetings.attend")
    if viewer.organisation_id is None:
        raise NotAllowed("The operator cannot raise a concern for an agency.")
    item = _item_new(viewer=viewer, series=series, kind=ItemKind.CONCERN, title=title, summary=summary, where=where,
                     note=f"Put forward by {viewer.organisation_name}")
    details = _text(details, name="the identifiable details", required=False)
    if details:
        if data_category is None:
            raise ValueError("Choose the data category of the identifiable details.")
        detail = IdentifiableDetail.objects.create(item=item, owning_organisation_id=viewer.organisation_id,
                                                   data_category=data_category, text=details, added_by=viewer.user)
        event_write(viewer=viewer, record=item, kind=ItemEventKind.DETAIL, note=f"Held by {viewer.organisation_name}")
        audit_record(viewer=viewer, action=AuditAction.CREATE, obj=detail, object_repr=f"details of {item}")
        item.engaged.add(viewer.organisation_id)  # the agency that knows them may always see them
    return item


@transaction.atomic
def meeting_open(*, viewer, meeting: Meeting) -> Meeting:
    meeting = _chair(viewer, meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise NotAllowed("Only a meeting not yet started can be opened.")
    if meeting.date > timezone.localdate():
        raise NotAllowed(f"This meeting is on {meeting.date:%A %-d %B}: it can be opened on the day.")
    first = meeting.entries.filter(dropped_reason="").order_by("position", "id").first()
    record_change(viewer=viewer, record=meeting, kind=MeetingEventKind.OPENED,
                  values={"status": MeetingStatus.LIVE, "opened_at": timezone.now(), "current_entry": first})
    if viewer.user is not None:  # the chair is there; the operator (a command) is nobody
        _attend(viewer, meeting, AttendanceMode.PRESENT)
    _touch(meeting)
    return meeting


@transaction.atomic
def meeting_move_to(*, viewer, meeting: Meeting, entry: AgendaEntry) -> None:
    meeting = _chair(viewer, meeting)
    if meeting.status != MeetingStatus.LIVE:
        raise NotAllowed("The meeting is not in progress.")
    entry = _entry_of(meeting, entry)
    if meeting.current_entry_id:
        AgendaEntry.objects.filter(pk=meeting.current_entry_id).update(discussed=True)
    record_change(viewer=viewer, record=meeting, kind=MeetingEventKind.MOVED_ON, values={"current_entry": entry},
                  shown={"current_entry": [None, entry.item.title]})
    _touch(meeting)


@transaction.atomic
def meeting_close(*, viewer, meeting: Meeting, send_minutes: bool = True) -> Meeting:
    """Close the meeting; the minutes are then sent to everyone who attended, unless the chair
    says not yet (they can send them later from the minutes page)."""
    meeting = _chair(viewer, meeting)
    if meeting.status != MeetingStatus.LIVE:
        raise NotAllowed("Only a meeting in progress can be closed.")
    if meeting.current_entry_id:
        AgendaEntry.objects.filter(pk=meeting.current_entry_id).update(discussed=True)
    record_change(viewer=viewer, record=meeting, kind=MeetingEventKind.CLOSED,
                  values={"status": MeetingStatus.CLOSED, "closed_at": timezone.now(), "current_entry": None})
    _touch(meeting)
    if send_minutes:
        minutes_send_request(viewer=viewer, meeting_id=meeting.pk)
    return meeting


def _attend(viewer, meeting: Meeting, mode: str) -> Attendance:
    attendance, created = Attendance.objects.get_or_create(
        meeting=meeting, user=viewer.user, defaults={"organisation_id": viewer.organisation_id, "mode": mode})
    if not created and attendance.mode != mode:
        attendance.mode = mode
        attendance.save(update_fields=["mode"])
    if created or attendance.mode == mode:
        event_write(viewer=viewer, record=meeting, kind=MeetingEventKind.JOINED,
                    changes={"attendance": str(AttendanceMode(mode).label)})
    return attendance


@transaction.atomic
def meeting_join(*, viewer, meeting: Meeting, mode: str = AttendanceMode.REMOTE) -> Attendance:
    """Record the viewer as present, following remotely, or sending apologies."""
    meeting = meeting_get(viewer=viewer, meeting_id=meeting.pk)
    access.require(viewer, "meetings.attend")
    if viewer.user is None:
        raise NotAllowed("The operator does not attend meetings.")
    if mode not in AttendanceMode.values:
        raise ValueError(f"Attendance must be one of {', '.join(AttendanceMode.values)}.")
    if meeting.status == MeetingStatus.CLOSED:
        raise NotAllowed("This meeting is closed.")
    attendance = _attend(viewer, meeting, mode)
    _touch(meeting)
    return attendance


@transaction.atomic
def hand_raise(*, viewer, meeting: Meeting, raised: bool = True) -> None:
    meeting = meeting_get(viewer=viewer, meeting_id=meeting.pk)
    if meeting.status != MeetingStatus.LIVE:
        raise NotAllowed("Hands are raised while the meeting is in progress.")
    attendance = meeting.attendance.filter(user_id=viewer.user_id).first()
    if attendance is None:
        raise NotAllowed("Join the meeting first.")
    attendance.hand_raised_at = timezone.now() if raised else None
    attendance.save(update_fields=["hand_raised_at"])
    _touch(meeting)


@transaction.atomic
def hands_lower(*, viewer, meeting: Meeting) -> int:
    """The chair lowers every raised hand (those heard); returns how many."""
    meeting = _chair(viewer, meeting)
    lowered = meeting.attendance.filter(hand_raised_at__isnull=False).update(hand_raised_at=None)
    _touch(meeting)
    return lowered


@transaction.atomic
def item_note_add(*, viewer, meeting: Meeting, item: Item, text: str) -> ItemNote:
    """An agency adds what it knows to an item (de-identified, as the item)."""
    meeting = meeting_get(viewer=viewer, meeting_id=meeting.pk)
    item = _item_of(meeting, item_get(viewer=viewer, item_id=item.pk))
    access.require(viewer, "meetings.attend")
    _planned_or_live(meeting)
    if viewer.organisation_id is None:
        raise NotAllowed("The operator does not speak for an agency.")
    note = ItemNote.objects.create(item=item, meeting=meeting, organisation_id=viewer.organisation_id,
                                   author=viewer.user, text=_text(text, name="what your agency knows"))
    event_write(viewer=viewer, record=item, kind=ItemEventKind.NOTE, note=note.text)
    audit_record(viewer=viewer, action=AuditAction.CREATE, obj=note, object_repr=f"note on {item}"[:300])
    _touch(meeting)
    return note


@transaction.atomic
def item_engage(*, viewer, meeting: Meeting, item: Item, organisation: Organisation, engaged: bool = True) -> None:
    """The chair engages (or stops engaging) an agency on an item: only engaged agencies may
    reveal its identifiable details."""
    meeting = _chair(viewer, meeting)
    _planned_or_live(meeting)
    item = _item_of(meeting, item_get(viewer=viewer, item_id=item.pk))
    if not meeting.series.member_organisations.filter(pk=organisation.pk).exists():
        raise NotAllowed(f"{organisation.name} is not a member of {meeting.series.name}.")
    (item.engaged.add if engaged else item.engaged.remove)(organisation)
    event_write(viewer=viewer, record=item, kind=ItemEventKind.ENGAGED,
                changes={"engaged": organisation.name if engaged else f"no longer {organisation.name}"})
    audit_record(viewer=viewer, action=AuditAction.CHANGE, obj=item,
                 details={"engaged" if engaged else "disengaged": organisation.name})
    _touch(meeting)


def item_reveal(*, viewer, item: Item, reason: str, meeting: Meeting | None = None) -> list[IdentifiableDetail]:
    """Show the viewer an item's identifiable details, with their reason: only when their agency
    is engaged on it (or holds the detail), and only the details the sharing agreements open to
    them. The reveal names the details shown (a detail merged in later needs a reveal of its
    own) and is audited as a reveal naming each; refused otherwise, the refusal audited (and
    kept: it is written outside the reveal's transaction)."""
    item = item_get(viewer=viewer, item_id=item.pk)
    if meeting is not None:
        item = _item_of(meeting_get(viewer=viewer, meeting_id=meeting.pk), item)
    reason = _text(reason, name="why you need the details", most=1000)
    shown = details_revealable(viewer, item)
    if not shown:
        offered = reveal_allowed(viewer, item)
        audit_record(viewer=viewer, action=AuditAction.REFUSED, obj=item, reason=reason,
                     details={"refused": "reveal: no detail the agreements open to the agency" if offered
                              else "reveal: agency not engaged or role may not reveal"})
        raise NotAllowed("None of the details held on this item are ones the sharing agreements open to your agency, "
                         "so nothing can be revealed to you." if offered else
                         "Your agency has not been engaged on this item, so its details cannot be revealed to you.")
    with transaction.atomic():
        ItemReveal.objects.create(item=item, user=viewer.user, organisation_id=viewer.organisation_id, reason=reason,
                                  details=[detail.pk for detail in shown])
        event_write(viewer=viewer, record=item, kind=ItemEventKind.REVEALED, note=reason)
        # About the details shown (their ids), not a detail numbered as the item: an auditor's
        # search for who saw a detail finds this entry by its id in record_ids only.
        audit_record(viewer=viewer, action=AuditAction.REVEAL, object_type="meetings.identifiabledetail",
                     object_repr=f"details of {item}"[:300], reason=reason,
                     record_ids=[detail.pk for detail in shown], details={"item": item.pk, "details": len(shown)})
    return shown


@dataclass(frozen=True)
class Action:
    """An action agreed at the meeting: becomes a task of `organisation` (a team, person or the
    volunteer pool within it)."""

    title: str
    organisation: Organisation
    due_date: date | None = None
    team: Team | None = None
    assignee: User | None = None
    for_volunteers: bool = False
    questions: tuple[str, ...] = ()
    priority: str = "normal"
    place: Place | None = None  # where, if not the item's place (else the series' area)


@transaction.atomic
def item_decide(*, viewer, meeting: Meeting, item: Item, decision: str, state: str, lead: Organisation | None = None,
                supporting: list[Organisation] | None = None, review_date: date | None = None,
                threshold_met: bool | None = None, actions: list[Action] | None = None) -> Decision:
    """Record the meeting's decision on an item: its state (by the transitions, which are data),
    the lead and supporting agencies, the review date, whether the threshold for sharing was met,
    and the actions, each made a task."""
    meeting = _chair(viewer, meeting)
    item = item_get(viewer=viewer, item_id=item.pk)
    _planned_or_live(meeting)
    if not meeting.entries.filter(item=item).exists():
        raise NotAllowed("That item is not on this meeting's agenda.")
    text = _text(decision, name="the decision")
    new_state = ItemState.objects.filter(code=state).first()
    if new_state is None:
        raise ValueError("Choose a state the item moves to.")
    if new_state.pk != item.state_id and not item.state.transitions.filter(to_state=new_state).exists():
        raise ValueError(f"An item that is {item.state.name.lower()} cannot become {new_state.name.lower()}.")
    members = set(meeting.series.member_organisations.values_list("pk", flat=True))
    for agency in [lead, *(supporting or [])]:
        if agency is not None and agency.pk not in members:
            raise NotAllowed(f"{agency.name} is not a member of {meeting.series.name}.")
    made = Decision.objects.create(item=item, meeting=meeting, text=text, threshold_met=threshold_met,
                                   made_by=viewer.user)
    before = sorted(organisation.name for organisation in item.supporting.all())
    after = sorted(organisation.name for organisation in supporting) if supporting is not None else before
    record_change(viewer=viewer, record=item, kind=ItemEventKind.DECIDED, note=text, always=True,
                  values={"state": new_state, "lead": lead, "review_date": review_date, "threshold_met": threshold_met},
                  changes={"supporting": [before, after]} if after != before else None)
    if supporting is not None:
        item.supporting.set(supporting)
    for action in actions or []:
        task = task_create(viewer=viewer, title=action.title, organisation=action.organisation, team=action.team,
                           assignee=action.assignee, for_volunteers=action.for_volunteers, due_date=action.due_date,
                           questions=list(action.questions), priority=action.priority, where=item.where,
                           place=action.place or item.place or meeting.series.place,
                           source_kind=ITEM_SOURCE, source_id=item.pk, source_label=f"{meeting}: {item.title}"[:300],
                           across_partnership=True)
        event_write(viewer=viewer, record=item, kind=ItemEventKind.ACTION,
                    changes={"task": task.title, "for": action.organisation.name,
                             "due": action.due_date.isoformat() if action.due_date else "none"})
    _touch(meeting)
    return made
