"""Reading meetings: only members see a series, its meetings and items. A member is a person of
an organisation the series has as a member (or runs it), or a person invited by name (the
series' `members`), whose role takes part in meetings (`meetings.attend`) or chairs them; the
operator sees every series. This is the one rule: the minutes and calendars read it too. Everyone else is told there
is no such meeting (`NotFound`), so a series' existence is not disclosed."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from saferplace.errors import NotFound
from saferplace.history import record_timeline, timeline_for_outsider
from saferplace.meetings.models import (
    AgendaEntry,
    Attendance,
    Decision,
    Item,
    ItemNote,
    ItemReveal,
    ItemState,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from saferplace.partners import access
from saferplace.partners.models import RoleCapability, User
from saferplace.tasking.models import Task

ITEM_SOURCE = "meeting item"  # a task's `source_kind` when a meeting's action made it


def takes_part(viewer) -> bool:
    return viewer.is_operator or access.can(viewer, "meetings.attend") or access.can(viewer, "meetings.chair")


def series_list(*, viewer) -> QuerySet[MeetingSeries]:
    series = MeetingSeries.objects.select_related("organisation", "chair", "place")
    if viewer.is_operator:
        return series
    if not takes_part(viewer) or viewer.organisation_id is None:
        return series.none()
    return series.filter(Q(member_organisations=viewer.organisation_id) | Q(organisation=viewer.organisation_id)
                         | Q(members=viewer.user_id)).distinct()


def series_get(*, viewer, series_id: int) -> MeetingSeries:
    found = series_list(viewer=viewer).filter(pk=series_id).first()
    if found is None:
        raise NotFound("There is no such meeting series.", record_type="meetings.meetingseries", record_id=str(series_id))
    return found


def series_named(*, viewer, name: str) -> MeetingSeries:
    found = series_list(viewer=viewer).filter(name__iexact=name.strip()).first()
    if found is None:
        raise NotFound(f"There is no meeting series called {name!r}.", record_type="meetings.meetingseries")
    return found


def meeting_get(*, viewer, meeting_id: int) -> Meeting:
    found = Meeting.objects.select_related("series", "series__chair", "current_entry").filter(
        pk=meeting_id, series__in=series_list(viewer=viewer)).first()
    if found is None:
        raise NotFound("There is no such meeting.", record_type="meetings.meeting", record_id=str(meeting_id))
    return found


def meetings_of(*, viewer, series: MeetingSeries, limit: int = 30) -> list[Meeting]:
    series_get(viewer=viewer, series_id=series.pk)
    return list(series.meetings.order_by("-date")[:limit])


def meeting_today(*, viewer) -> Meeting | None:
    """Today's meeting the viewer chairs, else one of a series they take part in (the earliest)."""
    if viewer.user is None:
        return None
    today = Meeting.objects.filter(date=timezone.localdate(), series__in=series_list(viewer=viewer)).select_related("series")
    return today.filter(series__chair=viewer.user).first() or today.order_by("starts_at").first()


def meeting_next(*, viewer) -> Meeting | None:
    """The next meeting (today's or later, not closed) of a series the viewer chairs: where a
    chair lands on a day without a meeting of their own."""
    if viewer.user is None:
        return None
    return (Meeting.objects.filter(series__chair=viewer.user, date__gte=timezone.localdate())
            .exclude(status=MeetingStatus.CLOSED).select_related("series").order_by("date").first())


def item_get(*, viewer, item_id: int) -> Item:
    found = Item.objects.select_related("series", "state", "lead", "raised_by").filter(
        pk=item_id, series__in=series_list(viewer=viewer)).first()
    if found is None:
        raise NotFound("There is no such item.", record_type="meetings.item", record_id=str(item_id))
    return found


def entry_get(*, viewer, meeting: Meeting, entry_id: int) -> AgendaEntry:
    found = meeting.entries.select_related("item").filter(pk=entry_id).first()
    if found is None:
        raise NotFound("That item is not on this meeting's agenda.", record_type="meetings.agendaentry")
    return found


def item_timeline(*, viewer, item: Item) -> list:
    """The item's whole history across meetings. People of other organisations than the one
    that acted see which organisation, not the person nor their note."""
    item_get(viewer=viewer, item_id=item.pk)
    shown = []
    for event in record_timeline(item):
        if event.actor_id is None and not event.actor_organisation:  # the worker or a command
            event.actor_name = "SaferPlace"
            shown.append(event)
        elif viewer.is_operator or event.actor_organisation == viewer.organisation_name:
            shown.append(event)
        else:
            shown.extend(timeline_for_outsider([event]))
    return shown


def item_states() -> list[ItemState]:
    return list(ItemState.objects.prefetch_related("transitions__to_state"))


def item_next_states(item: Item) -> list[ItemState]:
    return [transition.to_state for transition in item.state.transitions.select_related("to_state")]


def item_actions(items) -> dict[int, list[Task]]:
    """The tasks each item's actions became (their titles are de-identified, as the item)."""
    by_item: dict[int, list[Task]] = {}
    tasks = Task.objects.filter(source_kind=ITEM_SOURCE, source_id__in=[item.pk for item in items]).select_related(
        "organisation", "team", "assignee").order_by("due_date", "id")
    for task in tasks:
        by_item.setdefault(task.source_id, []).append(task)
    return by_item


def details_revealable(viewer, item: Item) -> list:
    """The details a reveal would show the viewer: none unless their role may reveal and their
    agency is engaged on the item (or holds the detail); of those, the ones the sharing
    agreements open to them (the one policy: the detail's owner and data category)."""
    if viewer.organisation_id is None or not access.can(viewer, "meetings.reveal"):
        return []
    engaged = item.engaged.filter(pk=viewer.organisation_id).exists()
    return [detail for detail in item.details.select_related("owning_organisation", "data_category").order_by("at", "pk")
            if (engaged or detail.owning_organisation_id == viewer.organisation_id)
            and access.can(viewer, "meetings.reveal", detail)]


def reveal_allowed(viewer, item: Item) -> bool:
    """Whether the page offers the viewer a reveal: their role may reveal, and their agency is
    engaged on the item or holds one of its details."""
    return (viewer.organisation_id is not None and access.can(viewer, "meetings.reveal")
            and (item.engaged.filter(pk=viewer.organisation_id).exists()
                 or item.details.filter(owning_organisation_id=viewer.organisation_id).exists()))


def details_revealed(*, viewer, item: Item) -> list:
    """The identifiable details this person revealed on this item (each reveal names the details
    it showed: a detail merged in from another item later is not among them), while they are
    still ones a reveal would show them."""
    revealed = {detail_id for details in ItemReveal.objects.filter(item=item, user_id=viewer.user_id)
                .values_list("details", flat=True) for detail_id in details}
    if not revealed:
        return []
    return [detail for detail in details_revealable(viewer, item) if detail.pk in revealed]


@dataclass
class EntryShown:
    entry: AgendaEntry
    item: Item
    decisions: list[Decision] = field(default_factory=list)
    notes: list[ItemNote] = field(default_factory=list)
    actions: list[Task] = field(default_factory=list)
    has_details: bool = False
    may_reveal: bool = False
    revealed: list = field(default_factory=list)


def agenda(*, viewer, meeting: Meeting, dropped: bool = False) -> list[EntryShown]:
    """The meeting's agenda in order, each item with this meeting's decisions, the agencies'
    notes, its actions, and the details this viewer revealed. Dropped entries only when asked."""
    meeting_get(viewer=viewer, meeting_id=meeting.pk)
    entries = list(meeting.entries.select_related("item", "item__state", "item__lead", "item__raised_by")
                   .prefetch_related("item__supporting", "item__engaged").order_by("position", "id"))
    if not dropped:
        entries = [entry for entry in entries if not entry.dropped_reason]
    items = [entry.item for entry in entries]
    actions = item_actions(items)
    decisions: dict[int, list] = {}
    for decision in Decision.objects.filter(item__in=items).select_related("meeting").order_by("at"):
        decisions.setdefault(decision.item_id, []).append(decision)
    notes: dict[int, list] = {}
    for note in ItemNote.objects.filter(item__in=items).select_related("organisation").order_by("at"):
        notes.setdefault(note.item_id, []).append(note)
    with_details = set(Item.objects.filter(pk__in=[item.pk for item in items], details__isnull=False)
                       .values_list("pk", flat=True))
    shown = []
    for entry in entries:
        item = entry.item
        shown.append(EntryShown(
            entry=entry, item=item, decisions=decisions.get(item.pk, []), notes=notes.get(item.pk, []),
            actions=actions.get(item.pk, []), has_details=item.pk in with_details,
            may_reveal=item.pk in with_details and reveal_allowed(viewer, item),
            revealed=details_revealed(viewer=viewer, item=item) if item.pk in with_details else [],
        ))
    return shown


def attendance(*, viewer, meeting: Meeting) -> list[Attendance]:
    meeting_get(viewer=viewer, meeting_id=meeting.pk)
    return list(meeting.attendance.select_related("user", "organisation"))


def items_open(*, viewer, series: MeetingSeries) -> QuerySet[Item]:
    series_get(viewer=viewer, series_id=series.pk)
    return series.items.filter(state__is_closed=False, merged_into__isnull=True).select_related("state")


def people_to_invite(*, viewer) -> QuerySet:
    """Who a chair may invite to a series by name: people whose role takes part in meetings, of
    organisations the chair's has a sharing agreement in force with (not their own: theirs is
    always a member)."""
    if viewer.organisation_id is None:
        return User.objects.none()
    partners = {party.pk for agreement in access.agreements_in_force(party_id=viewer.organisation_id)
                for party in agreement.parties.all()} - {viewer.organisation_id}
    roles = RoleCapability.objects.filter(capability_id="meetings.attend").values("role")
    return (User.objects.filter(is_active=True, organisation_id__in=partners, role__in=roles)
            .select_related("organisation").order_by("organisation__name", "first_name", "last_name"))
