"""The demo's daily risk management meeting: the series, yesterday's closed meeting with its
decisions, attendance and tasks, the teams' leads and working areas, and today's concern; all
made through the services (events and audit written), gone when the demo city is replaced."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from saferplace.audit.models import AuditAction, AuditEntry
from saferplace.demo import demo_city_build, demo_city_delete
from saferplace.demo.geography import city_plan
from saferplace.demo.meetings import CONCERN_DETAILS, SERIES_NAME, previous_weekday
from saferplace.meetings.agenda import agenda_prepare
from saferplace.meetings.models import (
    Attendance,
    Decision,
    IdentifiableDetail,
    Item,
    ItemEvent,
    ItemKind,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from saferplace.meetings.selectors import ITEM_SOURCE, details_revealed
from saferplace.meetings.services import item_reveal
from saferplace.partners.models import Team, User
from saferplace.tasking.escalation import tasks_escalate
from saferplace.tasking.models import Task, WorkingArea
from saferplace.tasking.policy import visible_tasks
from tests.conftest import OPERATOR, viewer
from tests.demo.conftest import END


@pytest.fixture
def small_city(db):
    """The smallest city that is still a city (its meetings do not depend on the incidents)."""
    before = timezone.localdate()
    summary = demo_city_build(size=0.01, seed=2026, end=END, progress=False)
    return {"summary": summary, "days": {before, timezone.localdate()}}


def person(username: str) -> User:
    return User.objects.get(username=username)


def test_the_series_and_who_works_where(small_city):
    series = MeetingSeries.objects.get(name=SERIES_NAME)
    assert (series.chair.username, series.chair.get_full_name(), series.organisation.name) == (
        "chair.police", "Helen Okafor", "Fenshire Police")
    assert set(series.member_organisations.values_list("short_name", flat=True)) == {
        "Police", "RCC", "Fire", "Housing", "CVS", "NHS", "Probation"}
    assert (series.weekdays, series.starts_at, series.minutes_long, series.video_link) == (
        [0, 1, 2, 3, 4], time(9, 30), 30, "https://meet.example.org/riverford-drm")
    assert series.place.kind == "local_authority"
    leads = dict(Team.objects.filter(lead__isnull=False).values_list("name", "lead__username"))
    assert leads == {"Riverford Neighbourhood Policing Team": "chair.police", "Volunteer Centre": "youth.cvs"}
    hotspot_lsoa = city_plan().hotspot_lsoas["town-centre"]
    areas = WorkingArea.objects.select_related("place")
    assert sorted(area.user.username for area in areas) == ["officer.police", "volunteer.cvs", "youth.cvs"]
    assert {area.place.kind for area in areas} == {"ward"}
    assert all(area.place.children.filter(code=hotspot_lsoa).exists() for area in areas)


def test_yesterdays_meeting_with_its_decisions_attendance_and_tasks(small_city):
    series = MeetingSeries.objects.get(name=SERIES_NAME)
    previous = Meeting.objects.get(series=series)
    police_task = Task.objects.get(team__name="Riverford Neighbourhood Policing Team")
    today = police_task.due_date - timedelta(days=2)  # the day the demo was built
    assert today in small_city["days"]
    assert previous.date == previous_weekday(today) and previous.date.weekday() < 5 and previous.date < today
    assert previous.status == MeetingStatus.CLOSED and previous.opened_at < previous.closed_at
    assert list(previous.entries.values_list("discussed", flat=True)) == [True, True]
    assert Decision.objects.filter(meeting=previous).count() == 2
    assert dict(Attendance.objects.filter(meeting=previous).values_list("user__username", "mode")) == {
        "chair.police": "present", "asb.council": "present", "youth.cvs": "remote", "analyst.council": "remote",
        "firefighter.fire": "apologies"}

    tasks = Task.objects.filter(source_kind=ITEM_SOURCE).select_related("organisation", "team", "created_by")
    assert len(tasks) == 4 and {task.created_by.username for task in tasks} == {"chair.police"}
    council = tasks.get(team__name="Anti-social Behaviour Team")
    assert council.due_date == today - timedelta(days=2) and council.organisation.short_name == "RCC"
    offered = {task.title: task for task in tasks.filter(for_volunteers=True)}
    assert set(offered) == {"Check whether the garages behind Mill Lane are being used by rough sleepers",
                            "Collect the fly-tip reported at the end of Canal Walk"}
    assert all(task.questions and task.place.kind == "ward" for task in offered.values())
    # The volunteer working in that ward is offered both, and sees no other task but the fly tips
    # residents reported there that were made volunteer tasks (demo/reports.py).
    reported = set(Task.objects.filter(source_kind="report", for_volunteers=True).values_list("title", flat=True))
    assert set(visible_tasks(viewer(person("volunteer.cvs"))).values_list("title", flat=True)) == set(offered) | reported

    for entry in previous.entries.select_related("item"):
        kinds = list(ItemEvent.objects.filter(record=entry.item).values_list("kind", flat=True))
        assert kinds[:2] == ["created", "on_agenda"] and "decided" in kinds and kinds.count("action") == 2
    assert AuditEntry.objects.filter(actor_username="chair.police", action=AuditAction.CREATE,
                                     object_type="tasking.task").count() == 4


def test_todays_concern_keeps_its_identifiable_details_apart(small_city):
    concern = Item.objects.get(kind=ItemKind.CONCERN)
    assert concern.raised_by.name == "Riverford City Council" and not concern.entries.exists()
    detail = IdentifiableDetail.objects.get(item=concern)
    assert (detail.text, detail.data_category.code, detail.added_by.username) == (CONCERN_DETAILS, "asb", "asb.council")
    for name in ("Madeup", "Fictitious", "Notreal", "Imaginary Row"):
        assert name not in concern.title + concern.summary + concern.where
    # Only through a reveal, and only to an engaged agency: the council raised it.
    assert details_revealed(viewer=viewer(person("asb.council")), item=concern) == []
    assert [one.text for one in item_reveal(viewer=viewer(person("asb.council")), item=concern,
                                            reason="Our own case")] == [CONCERN_DETAILS]


def test_the_morning_draft_brings_back_what_yesterday_left(small_city):
    """As the worker would: once its escalation job has put the overdue action on the agenda, the
    concern, the item due for review today, and the one whose action is overdue are all on the
    next meeting's draft."""
    series = MeetingSeries.objects.get(name=SERIES_NAME)
    police_task = Task.objects.get(team__name="Riverford Neighbourhood Policing Team")
    today = police_task.due_date - timedelta(days=2)
    tasks_escalate(viewer=OPERATOR, now=timezone.make_aware(datetime.combine(today, time(6))))
    drafted = agenda_prepare(viewer=OPERATOR, series=series, on=today)
    whys = {entry.item.title: entry.why for entry in drafted.meeting.entries.select_related("item")}
    assert whys["Intimidation of an older resident by young people on Orchard Close"] == (
        "Put forward by Riverford City Council")
    assert whys["Rough sleeping and drug litter reported at the garages behind Mill Lane"].startswith("Review due")
    assert whys["Repeated fly-tipping at the end of Canal Walk"].startswith("Overdue action: Search the dumped waste")


def test_replacing_the_demo_city_removes_its_meetings_and_tasks(small_city):
    demo_city_delete()
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists() and not Item.objects.exists()
    assert not Task.objects.exists() and not WorkingArea.objects.exists()
