"""The morning's draft agenda (`agenda_prepare`): new issues from the analysis as the chair may
see them, with their score and reasons; concerns put forward; items returning (review date
come, not reached last time, an overdue action); drafting again adds only what is new and keeps
the chair's changes; only the chair drafts, and only a meeting not yet started."""

from datetime import date, datetime, time, timedelta

import h3
import pytest
from django.utils import timezone

from saferplace.analysis.ranking import issues_rank
from saferplace.audit.models import AuditEntry
from saferplace.errors import NotAllowed, NotFound
from saferplace.incidents.models import Incident
from saferplace.incidents.recount import counts_rebuild
from saferplace.incidents.selectors import IncidentFilters
from saferplace.meetings.agenda import agenda_prepare, agendas_prepare_all, meeting_for
from saferplace.meetings.models import (
    AgendaEntry,
    Item,
    ItemKind,
    Meeting,
    MeetingEvent,
    MeetingStatus,
)
from saferplace.meetings.selectors import ITEM_SOURCE, agenda
from saferplace.meetings.services import (
    agenda_drop,
    agenda_reorder,
    concern_raise,
    item_decide,
    items_merge,
    meeting_close,
    meeting_open,
)
from saferplace.meetings.tasks import prepare_agendas
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from saferplace.tasking.escalation import tasks_escalate
from saferplace.tasking.models import Task, TaskStatus
from saferplace.tasking.services import task_create
from saferplace.worker.services import schedule_due
from tests.conftest import OPERATOR, make_location, viewer
from tests.meetings.conftest import MONDAY

FRIDAY = MONDAY - timedelta(days=3)
BURGLARIES = (52.57, -0.24)
ELSEWHERE = (52.40, -0.60)  # far enough that the two clusters never touch


def plant(world, *, owner: str, data_category: str, category: str, centre: tuple[float, float]) -> str:
    """A year (2025) of one organisation's incidents of one category, dated to the day: two a
    month in each cell around `centre`, and from September thirty a month in the centre cell and
    its neighbours (a hotspot, and a consecutive emerging hot spot). Returns the centre cell."""
    middle = h3.latlng_to_cell(*centre, 9)
    rows = []
    for cell in h3.grid_disk(middle, 5):
        location = make_location(*h3.cell_to_latlng(cell))
        for month in range(1, 13):
            number = 30 if month >= 9 and h3.grid_distance(middle, cell) <= 1 else 2
            rows += [Incident(source="test", owning_organisation=world["organisations"][owner],
                              data_category=world["categories"][data_category],
                              external_id=f"{category}-{cell}-{month}-{index}", occurred_on=date(2025, month, 1 + index),
                              category_id=category, location=location)
                     for index in range(number)]
    Incident.objects.bulk_create(rows)
    return middle


def look_back() -> IncidentFilters:
    """The period the draft for MONDAY reads."""
    return IncidentFilters(date_from=MONDAY - timedelta(days=365), date_to=MONDAY - timedelta(days=1))


def entries(meeting) -> list[AgendaEntry]:
    return list(AgendaEntry.objects.filter(meeting=meeting).select_related("item").order_by("position", "id"))


def raise_concern(officer, series, title: str, **extra) -> Item:
    return concern_raise(viewer=viewer(officer), series=series, title=title, summary="De-identified", **extra)


# --- from the analysis --------------------------------------------------------------------------


def test_a_planted_hotspot_is_drafted_with_its_score_and_reasons_and_drafting_again_keeps_the_chairs_agenda(
        world, series, chair, police_officer):
    centre = plant(world, owner="police", data_category="crime", category="burglary", centre=BURGLARIES)
    counts_rebuild()
    raise_concern(police_officer, series, "Young people gathering at the car park on Mill Lane")
    drafted = agenda_prepare(viewer=chair, series=series, on=MONDAY)
    assert drafted.meeting.date == MONDAY and drafted.meeting.prepared_at is not None and drafted.added >= 2
    on_agenda = entries(drafted.meeting)
    first = on_agenda[0].item
    assert first.kind == ItemKind.ANALYSIS and first.category == "burglary"
    assert first.h3_cell in h3.grid_disk(centre, 1)
    assert first.score >= series.agenda_min_score and first.reasons and {"dimension", "points", "why"} <= set(first.reasons[0])
    assert first.source.startswith("Analysis: ") and on_agenda[0].why.startswith("New issue, score ")
    assert all(entry.item.kind == ItemKind.ANALYSIS for entry in on_agenda[:-1])
    assert len([entry for entry in on_agenda if entry.item.kind == ItemKind.ANALYSIS]) <= series.agenda_issues
    assert on_agenda[-1].item.kind == ItemKind.CONCERN  # issues first, then what partners put forward
    assert MeetingEvent.objects.filter(record=drafted.meeting, kind="prepared").count() == 1

    # The chair puts the concern first and drops one issue; drafting again adds nothing and keeps both.
    concern, dropped = on_agenda[-1], on_agenda[0]
    agenda_reorder(viewer=chair, meeting=drafted.meeting, entry_ids=[concern.pk])
    agenda_drop(viewer=chair, meeting=drafted.meeting, entry=dropped, reason="Already in hand with the burglary team")
    before = [(entry.pk, entry.item_id, entry.position, entry.dropped_reason) for entry in entries(drafted.meeting)]
    items = Item.objects.count()
    again = agenda_prepare(viewer=chair, series=series, on=MONDAY)
    assert again.added == 0 and again.meeting.pk == drafted.meeting.pk
    assert [(entry.pk, entry.item_id, entry.position, entry.dropped_reason) for entry in entries(again.meeting)] == before
    assert Item.objects.count() == items
    assert entries(again.meeting)[0].item.kind == ItemKind.CONCERN
    assert dropped.pk not in [shown.entry.pk for shown in agenda(viewer=chair, meeting=again.meeting)]


def test_an_issue_merged_by_the_chair_is_not_drafted_again(world, series, chair):
    plant(world, owner="police", data_category="crime", category="burglary", centre=BURGLARIES)
    counts_rebuild()
    series.agenda_issues = 2
    series.save()
    meeting = agenda_prepare(viewer=chair, series=series, on=MONDAY).meeting
    first, second = entries(meeting)[:2]
    items_merge(viewer=chair, meeting=meeting, entry=second, into=first)
    again = agenda_prepare(viewer=chair, series=series, on=MONDAY)
    assert again.added == 0
    assert Item.objects.filter(kind=ItemKind.ANALYSIS).count() == 2
    assert [entry.item_id for entry in entries(meeting)] == [first.item_id, second.item_id]


def test_an_issue_of_a_special_data_category_is_never_drafted(world, series, chair, domestic_abuse):
    """Domestic abuse is a special category the chair's role opens: the chair's ranking has its
    issues, scored above the burglaries, but a whole partnership's agenda never drafts them, nor
    do they crowd the burglaries out."""
    world["categories"]["domestic-abuse"] = domestic_abuse
    plant(world, owner="police", data_category="crime", category="burglary", centre=BURGLARIES)
    plant(world, owner="police", data_category="domestic-abuse", category="domestic-abuse-crime", centre=ELSEWHERE)
    counts_rebuild()
    ranked = issues_rank(viewer=chair, filters=look_back(), limit=60)["issues"]
    assert ranked[0]["category"] == "domestic-abuse-crime"  # it would be drafted first, were it not special
    assert len([issue for issue in ranked if issue["category"] == "domestic-abuse-crime"]) >= 20  # a top 20 of them
    drafted = agenda_prepare(viewer=chair, series=series, on=MONDAY)
    categories = {entry.item.category for entry in entries(drafted.meeting)}
    assert "burglary" in categories and "domestic-abuse-crime" not in categories
    assert not Item.objects.filter(category="domestic-abuse-crime").exists()


def test_the_analysis_is_read_as_the_chair(world, series, council_chair):
    """The operator drafts (the worker does), but an issue only the council may see (its crime:
    the police's agreement on crime has expired) makes no item for the police chair's meeting."""
    plant(world, owner="council", data_category="crime", category="burglary", centre=BURGLARIES)
    counts_rebuild()
    assert issues_rank(viewer=OPERATOR, filters=look_back())["issues"]  # there is an issue to find
    assert issues_rank(viewer=viewer(council_chair), filters=look_back())["issues"]
    drafted = agenda_prepare(viewer=OPERATOR, series=series, on=MONDAY)
    assert drafted.added == 0 and entries(drafted.meeting) == []
    assert not Item.objects.exists()


# --- from partners and earlier meetings ---------------------------------------------------------


def test_a_concern_put_forward_is_on_the_agenda_once(series, chair, police_officer, council_analyst):
    police = raise_concern(police_officer, series, "Cars racing on the ring road at night")
    council = raise_concern(council_analyst, series, "Fly-tipping behind the shops on Canal Walk")
    drafted = agenda_prepare(viewer=chair, series=series, on=MONDAY)
    assert [(entry.item_id, entry.why) for entry in entries(drafted.meeting)] == [
        (police.pk, "Put forward by Fenshire Police"), (council.pk, "Put forward by Riverford City Council")]
    assert agenda_prepare(viewer=chair, series=series, on=MONDAY).added == 0
    assert AgendaEntry.objects.filter(item=police).count() == 1
    # Discussed on Monday, it is not drafted again for Tuesday as a new concern.
    AgendaEntry.objects.filter(meeting=drafted.meeting).update(discussed=True)
    tuesday = agenda_prepare(viewer=chair, series=series, on=MONDAY + timedelta(days=1))
    assert entries(tuesday.meeting) == []


def test_items_return_when_their_review_date_comes_or_they_were_not_reached(series, chair, police_officer):
    """Friday's meeting reaches all but one item. On Monday, the one reviewed then returns, as
    does the one not reached; one to be reviewed next week and a closed one do not."""
    reviewed = raise_concern(police_officer, series, "Drug litter in the underpass")
    not_reached = raise_concern(police_officer, series, "Shed fires on the allotments")
    later = raise_concern(police_officer, series, "Bikes stolen from the station")
    closed = raise_concern(police_officer, series, "Graffiti on the library")
    friday = agenda_prepare(viewer=chair, series=series, on=FRIDAY).meeting
    assert friday.date == FRIDAY
    meeting_open(viewer=chair, meeting=friday)
    item_decide(viewer=chair, meeting=friday, item=reviewed, decision="Council to clear it", state="in_hand",
                review_date=MONDAY)
    item_decide(viewer=chair, meeting=friday, item=later, decision="Police to patrol", state="in_hand",
                review_date=MONDAY + timedelta(days=7))
    item_decide(viewer=chair, meeting=friday, item=closed, decision="Removed already", state="closed")
    AgendaEntry.objects.filter(meeting=friday, item__in=[later, closed]).update(discussed=True)
    meeting_close(viewer=chair, meeting=friday)  # the first item is the one it was on: discussed

    monday = agenda_prepare(viewer=chair, series=series, on=MONDAY).meeting
    assert {entry.item_id: entry.why for entry in entries(monday)} == {
        reviewed.pk: "Review due 5 January", not_reached.pk: "Not reached at the last meeting"}


def test_an_item_with_an_overdue_action_returns(series, chair, police_officer, world):
    item = raise_concern(police_officer, series, "Abandoned car on Station Road")
    friday = agenda_prepare(viewer=chair, series=series, on=FRIDAY).meeting
    AgendaEntry.objects.filter(meeting=friday).update(discussed=True)
    Meeting.objects.filter(pk=friday.pk).update(status=MeetingStatus.CLOSED)

    def action(title, due, status=TaskStatus.OPEN, source_id=item.pk):
        task = task_create(viewer=chair, title=title, organisation=world["organisations"]["council"],
                           due_date=due, source_kind=ITEM_SOURCE, source_id=source_id)
        Task.objects.filter(pk=task.pk).update(status=status)

    def escalate():  # the worker's escalation job, on the morning of the meeting
        tasks_escalate(viewer=OPERATOR, now=timezone.make_aware(datetime.combine(MONDAY, time(6))))

    action("Finished late", FRIDAY - timedelta(days=5), TaskStatus.DONE)
    action("Due on the day", MONDAY)
    action("Another item's task", FRIDAY - timedelta(days=5), source_id=item.pk + 1000)
    action("Only just overdue", MONDAY - timedelta(days=1))  # the agenda rule waits a day past the due date
    escalate()
    assert entries(agenda_prepare(viewer=chair, series=series, on=MONDAY).meeting) == []
    action("Remove the car", FRIDAY)
    assert entries(agenda_prepare(viewer=chair, series=series, on=MONDAY).meeting) == []  # not escalated yet
    escalate()
    again = agenda_prepare(viewer=chair, series=series, on=MONDAY)
    assert again.added == 1
    assert [(entry.item_id, entry.why) for entry in entries(again.meeting)] == [
        (item.pk, "Overdue action: Remove the car (due 2 January)")]


# --- refused --------------------------------------------------------------------------------------


def test_once_a_meeting_has_started_or_closed_the_next_one_is_drafted(series, chair, police_officer):
    meeting = agenda_prepare(viewer=chair, series=series, on=MONDAY).meeting
    meeting_open(viewer=chair, meeting=meeting)
    raise_concern(police_officer, series, "Begging at the station")
    following = agenda_prepare(viewer=chair, series=series, on=MONDAY).meeting
    assert following.date > MONDAY and following.status == MeetingStatus.PLANNED
    assert [entry.item.title for entry in entries(following)][-1] == "Begging at the station"
    meeting_close(viewer=chair, meeting=meeting, send_minutes=False)
    assert agenda_prepare(viewer=chair, series=series, on=MONDAY).meeting == following
    assert entries(meeting) == []


def test_a_series_without_meeting_days_is_refused(series, chair):
    series.weekdays = []
    series.save()
    with pytest.raises(ValueError, match="no meeting days"):
        agenda_prepare(viewer=chair, series=series, on=MONDAY)
    assert not Meeting.objects.exists()


def test_only_the_chair_drafts_and_nothing_is_written_otherwise(series, police_officer, council_chair, council_analyst,
                                                                 bid_analyst, council_volunteer):
    raise_concern(police_officer, series, "Noise from the flats on Quay Street")
    audited = AuditEntry.objects.count()
    for refused, error in ((council_chair, NotFound), (police_officer, NotAllowed), (council_analyst, NotAllowed),
                           (bid_analyst, NotFound), (council_volunteer, NotFound)):
        with pytest.raises((NotFound, NotAllowed)) as raised:
            agenda_prepare(viewer=viewer(refused), series=series, on=MONDAY)
        assert isinstance(raised.value, error), refused
    assert not Meeting.objects.exists() and not AgendaEntry.objects.exists()
    assert AuditEntry.objects.count() == audited


def test_meeting_for_makes_one_meeting_a_day_at_the_series_time(series):
    meeting = meeting_for(series, MONDAY)
    assert meeting_for(series, MONDAY).pk == meeting.pk
    assert timezone.localtime(meeting.starts_at).time() == time(9, 30)


# --- the worker -------------------------------------------------------------------------------------


def test_the_daily_job_is_due_once_a_day_after_its_time():
    at = time(6)
    day = timezone.make_aware(datetime(2026, 1, 5, 0, 0))
    assert schedule_due(name="draft agendas", every_seconds=86400, at=at, now=day.replace(hour=5, minute=59)) is False
    assert schedule_due(name="draft agendas", every_seconds=86400, at=at, now=day.replace(hour=6, minute=1)) is True
    assert schedule_due(name="draft agendas", every_seconds=86400, at=at, now=day.replace(hour=6, minute=2)) is False
    assert schedule_due(name="draft agendas", every_seconds=86400, at=at, now=day.replace(hour=23, minute=59)) is False
    tomorrow = day + timedelta(days=1)
    assert schedule_due(name="draft agendas", every_seconds=86400, at=at, now=tomorrow.replace(hour=5)) is False
    assert schedule_due(name="draft agendas", every_seconds=86400, at=at, now=tomorrow.replace(hour=7)) is True


def test_the_worker_drafts_every_active_series_and_skips_one_it_cannot(series, police_officer, world, police_chair):
    from saferplace.meetings.services import series_create

    raise_concern(police_officer, series, "Needles in the park")
    idle = series_create(viewer=viewer(police_chair), name="Weekend group", chair=police_chair, weekdays=[],
                         member_organisations=[world["organisations"]["council"]])
    stopped = series_create(viewer=viewer(police_chair), name="Stopped group", chair=police_chair,
                            member_organisations=[world["organisations"]["council"]])
    stopped.active = False
    stopped.save()
    drafted = agendas_prepare_all(viewer=OPERATOR, on=MONDAY)
    assert [(one.meeting.series_id, one.added) for one in drafted] == [(series.pk, 1)]
    assert not Meeting.objects.filter(series__in=[idle, stopped]).exists()
    result = prepare_agendas.call()  # as the worker runs it: the next meeting from today
    assert [Meeting.objects.get(pk=row["meeting"]).series_id for row in result["drafted"]] == [series.pk]


def test_a_series_of_a_whole_local_authority_reads_every_incident(world, series, chair):
    plant(world, owner="police", data_category="crime", category="burglary", centre=BURGLARIES)
    counts_rebuild()
    series.place = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LOCAL_AUTHORITY, code="E06000031",
                                          name="Riverford", population=200000)
    series.save()
    drafted = agenda_prepare(viewer=chair, series=series, on=MONDAY)
    drafted_from_analysis = [entry.item.category for entry in entries(drafted.meeting) if entry.item.kind == ItemKind.ANALYSIS]
    assert drafted_from_analysis and set(drafted_from_analysis) == {"burglary"}
