"""Drafting a meeting's agenda (every morning by the worker, or `saferplace meeting prepare`).

The draft holds, in this order:

1. new high-priority issues from the analysis (the ranked issues as the chair may see them, for
   the series' place over the last year): each with its score and reasons. An issue already open
   in the series (the same category and cell) returns instead of being made twice;
2. concerns partners have put forward since the last meeting;
3. items returning: still open and their review date has come, or left undiscussed last time;
4. items with an overdue action the escalation rules put on the agenda (by default a day overdue).

Issues in a special data category (domestic abuse, health) are never drafted from the analysis:
a whole partnership's meeting sees the agenda, so such an issue comes to the meeting only when
the agency that holds it raises it (see docs/decisions.md). Preparing again adds what is new and
keeps the chair's order, drops and additions."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import h3
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from saferplace.analysis.ranking import issue_point, issues_rank
from saferplace.errors import NotAllowed
from saferplace.history import event_write, record_change
from saferplace.incidents.counts import IncidentMonthCount
from saferplace.incidents.selectors import IncidentFilters
from saferplace.meetings.models import (
    AgendaEntry,
    Item,
    ItemEventKind,
    ItemKind,
    ItemState,
    Meeting,
    MeetingEventKind,
    MeetingSeries,
    MeetingStatus,
)
from saferplace.meetings.selectors import ITEM_SOURCE, series_get
from saferplace.partners import access
from saferplace.partners.viewer import TASK, AuditContext, viewer_for
from saferplace.places.models import PlaceKind
from saferplace.tasking.models import Task
from saferplace.tasking.selectors import tasks_for_agenda

LOOK_BACK_DAYS = 365
MEETINGS_AHEAD = 14  # meetings looked through for one not started
NEAR_METRES = 500  # issues of one category this close are one issue on the agenda
# The ranking scores every candidate whatever its limit, which only cuts the list: all of it is
# read, so that the issues of special categories, left out here, do not crowd out the others.
EVERY_ISSUE = 100_000
NEW = "new"


@dataclass(frozen=True)
class Drafted:
    meeting: Meeting
    added: int


def next_date(series: MeetingSeries, on: date) -> date | None:
    """The series' next meeting day on or after `on`, or None when it has no days."""
    days = {int(day) for day in series.weekdays if str(day).isdigit() and 0 <= int(day) <= 6}
    if not days:
        return None
    return next(on + timedelta(days=ahead) for ahead in range(7) if (on + timedelta(days=ahead)).weekday() in days)


def meeting_for(series: MeetingSeries, on: date) -> Meeting:
    starts = timezone.make_aware(datetime.combine(on, series.starts_at or time(9)))
    meeting, _ = Meeting.objects.get_or_create(series=series, date=on, defaults={"starts_at": starts})
    return meeting


def _special_categories(codes: list[str]) -> set[str]:
    return set(IncidentMonthCount.objects.filter(category__in=codes, data_category__is_special=True)
               .values_list("category", flat=True).distinct())


def _same_place(issue: dict, other: dict) -> bool:
    """Whether two issues are one: the same category within `NEAR_METRES` of each other (a
    cluster of hexagons, or repeat locations along one street, is one issue to discuss; the
    stronger scored is drafted), or the same ward."""
    if issue["category"] != other["category"]:
        return False
    if issue["h3_cell"].startswith("ward:") or other["h3_cell"].startswith("ward:"):
        return issue["h3_cell"] == other["h3_cell"]
    points = issue_point(issue), issue_point(other)
    if None in points:
        return issue["h3_cell"] == other["h3_cell"]
    return h3.great_circle_distance(*points, unit="m") <= NEAR_METRES


def _analysis_items(*, viewer, series: MeetingSeries, meeting: Meeting, on: date, chair_viewer) -> list[tuple[Item, str]]:
    # Incidents are counted by community, ward and LSOA; a series of a whole local authority (or
    # force) looks at every incident, as the partnership's own area.
    narrowed = series.place_id and series.place.kind in (PlaceKind.COMMUNITY, PlaceKind.WARD, PlaceKind.LSOA)
    filters = IncidentFilters(place_code=series.place.code if narrowed else "",
                              date_from=on - timedelta(days=LOOK_BACK_DAYS), date_to=on - timedelta(days=1))
    ranked = issues_rank(viewer=chair_viewer, filters=filters, limit=EVERY_ISSUE)["issues"]
    special = _special_categories([issue["category"] for issue in ranked])
    chosen: list[dict] = []
    for issue in ranked:
        if len(chosen) == series.agenda_issues:
            break
        if (issue["category"] not in special and issue["score"] >= series.agenda_min_score
                and not any(_same_place(issue, other) for other in chosen)):
            chosen.append(issue)
    new_state = ItemState.objects.get(code=NEW)
    found = []
    for issue in chosen:
        if meeting.entries.filter(item__category=issue["category"], item__h3_cell=issue["h3_cell"]).exists():
            continue  # on this agenda already, as drafted or as the chair left it (dropped, merged)
        item = series.items.filter(category=issue["category"], h3_cell=issue["h3_cell"], state__is_closed=False,
                                   merged_into__isnull=True).first()
        values = {"score": issue["score"], "reasons": issue["reasons"]}
        if item is not None:
            record_change(viewer=viewer, record=item, kind=ItemEventKind.CHANGED, values=values,
                          note="The analysis scored it again")
            found.append((item, f"Returning issue, scored {issue['score']:g} now"))
            continue
        item = Item(series=series, title=issue["title"][:200], kind=ItemKind.ANALYSIS, where=(issue["place"] or "")[:200],
                    h3_cell=issue["h3_cell"][:60], category=issue["category"], state=new_state,
                    summary=f"{issue['count']} incidents in the last year; {issue['kind']}.",
                    source=f"Analysis: {issue['kind']}", **values)
        record_change(viewer=viewer, record=item, kind=ItemEventKind.CREATED, created=True,
                      note=f"Drafted from the analysis, score {issue['score']:g}")
        found.append((item, f"New issue, score {issue['score']:g}"))
    return found


def _concerns(series: MeetingSeries) -> list[tuple[Item, str]]:
    raised = series.items.filter(kind=ItemKind.CONCERN, state__is_closed=False, entries__isnull=True,
                                 merged_into__isnull=True).select_related("raised_by")
    return [(item, f"Put forward by {item.raised_by or 'a partner'}") for item in raised.order_by("created_at")]


def _returning(series: MeetingSeries, on: date, meeting: Meeting) -> list[tuple[Item, str]]:
    open_items = series.items.filter(state__is_closed=False, merged_into__isnull=True).exclude(entries__meeting=meeting)
    due = [(item, f"Review due {item.review_date:%-d %B}") for item in open_items.filter(review_date__lte=on)]
    last = series.meetings.filter(date__lt=on).order_by("-date").first()
    if last is not None:
        seen = {item.pk for item, _ in due}
        undiscussed = open_items.filter(entries__meeting=last, entries__discussed=False, entries__dropped_reason="")
        due += [(item, "Not reached at the last meeting") for item in undiscussed if item.pk not in seen]
    return due


def _overdue(viewer, series: MeetingSeries, on: date) -> list[tuple[Item, str]]:
    """Items with an action the escalation rules have put on the next agenda (the "agenda" rule,
    data: by default a day overdue; `tasking.escalation`), not done yet."""
    members = list(series.member_organisations.values_list("pk", flat=True))
    late: dict[int, Task] = {}
    for task in sorted(tasks_for_agenda(viewer=viewer, organisation_ids=members, on=on), key=lambda one: one.due_date):
        if task.source_kind == ITEM_SOURCE:
            late.setdefault(task.source_id, task)
    items = series.items.filter(pk__in=list(late), merged_into__isnull=True)
    return [(item, f"Overdue action: {late[item.pk].title} (due {late[item.pk].due_date:%-d %B})") for item in items]


@transaction.atomic
def agenda_prepare(*, viewer, series: MeetingSeries, on: date | None = None) -> Drafted:
    """Draft (or bring up to date) the agenda of the series' next meeting on or after `on` that
    has not started yet (today's, once it has closed, is followed by the next day's)."""
    series = series_get(viewer=viewer, series_id=series.pk)
    access.require(viewer, "meetings.chair", series)
    day = next_date(series, on or timezone.localdate())
    if day is None:
        raise ValueError(f"{series.name} has no meeting days set.")
    meeting = meeting_for(series, day)
    for _ in range(MEETINGS_AHEAD):  # that day's meeting started or closed already: the one after it
        if meeting.status == MeetingStatus.PLANNED:
            break
        day = next_date(series, day + timedelta(days=1))
        meeting = meeting_for(series, day)
    else:
        raise NotAllowed(f"The next {MEETINGS_AHEAD} meetings of {series.name} have started or closed already.")
    chair_viewer = viewer_for(series.chair, context=AuditContext(channel=TASK, reason="drafting the agenda"))
    drafted = (_analysis_items(viewer=viewer, series=series, meeting=meeting, on=day,
                               chair_viewer=chair_viewer) + _concerns(series)
               + _returning(series, day, meeting) + _overdue(viewer, series, day))
    position = (meeting.entries.aggregate(last=Max("position"))["last"] or 0)
    added = 0
    for item, why in drafted:
        if meeting.entries.filter(item=item).exists():
            continue
        position += 1
        AgendaEntry.objects.create(meeting=meeting, item=item, position=position, why=why[:200])
        event_write(viewer=viewer, record=item, kind=ItemEventKind.ON_AGENDA, note=f"{meeting}: {why}")
        added += 1
    record_change(viewer=viewer, record=meeting, kind=MeetingEventKind.PREPARED, values={"prepared_at": timezone.now()},
                  note=f"{added} items added to the draft", always=True)
    Meeting.objects.filter(pk=meeting.pk).update(version=meeting.version + 1)
    meeting.refresh_from_db()
    return Drafted(meeting=meeting, added=added)


def agendas_prepare_all(*, viewer, on: date | None = None) -> list[Drafted]:
    """Every active series' next meeting, drafted (the worker's morning job)."""
    drafted = []
    for series in MeetingSeries.objects.filter(active=True):
        try:
            drafted.append(agenda_prepare(viewer=viewer, series=series, on=on))
        except (ValueError, NotAllowed):
            continue
    return drafted
