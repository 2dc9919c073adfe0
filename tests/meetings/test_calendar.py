"""The calendar: a person's series' meetings for the next 60 days and their tasks' due dates,
parsed back with icalendar; only their own; a private link that works only as its own person."""

from datetime import date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from saferplace.audit.models import AuditAction, AuditEntry
from saferplace.errors import NotFound
from saferplace.meetings.calendar import (
    AHEAD_DAYS,
    calendar_feed_ics,
    calendar_feed_make,
    calendar_feed_remove,
    calendar_ics,
)
from saferplace.meetings.models import CalendarFeed, Meeting, MeetingSeries
from saferplace.partners.services import user_set_active
from saferplace.tasking.models import Task, TaskStatus
from tests.conftest import OPERATOR, viewer

TODAY = date(2026, 3, 2)  # a Monday


@pytest.fixture
def calendar_world(world, police_chair, police_officer, council_volunteer, fire_officer):
    organisations = world["organisations"]
    daily = MeetingSeries.objects.create(
        name="Riverford DRMM, daily; west", organisation=organisations["police"], chair=police_chair,
        weekdays=[0, 2], starts_at=time(9, 30), minutes_long=45, video_link="https://meet.example.org/drmm?room=1,2",
    )
    daily.member_organisations.set([organisations["police"], organisations["council"]])
    fire_only = MeetingSeries.objects.create(name="Fire tactical", organisation=organisations["fire"], chair=police_chair,
                                             weekdays=[4], starts_at=time(14, 0))
    fire_only.member_organisations.set([organisations["fire"]])
    moved = datetime(2026, 3, 4, 11, 0).astimezone()
    Meeting.objects.create(series=daily, date=date(2026, 3, 4), starts_at=moved)
    Meeting.objects.create(series=daily, date=date(2026, 3, 7), starts_at=datetime(2026, 3, 7, 10, 0).astimezone())
    tasks = {
        "officer": Task.objects.create(title="Patrol Mill Road; check the underpass,\nnightly", description="Secret",
                                       organisation=organisations["police"], assignee=police_officer,
                                       due_date=TODAY + timedelta(days=3)),
        "done": Task.objects.create(title="Done already", organisation=organisations["police"], assignee=police_officer,
                                    due_date=TODAY + timedelta(days=1), status=TaskStatus.DONE),
        "volunteer": Task.objects.create(title="Check the graffiti at the bus station", organisation=organisations["council"],
                                         assignee=council_volunteer, for_volunteers=True, due_date=TODAY + timedelta(days=2)),
        "fire": Task.objects.create(title="Fire safety visit", organisation=organisations["fire"], assignee=fire_officer,
                                    due_date=TODAY + timedelta(days=5)),
    }
    return {"daily": daily, "fire_only": fire_only, "tasks": tasks}


def _events(ics: bytes) -> list:
    return Calendar.from_ical(ics).walk("VEVENT")


def test_a_member_sees_their_series_meetings_and_their_own_tasks(calendar_world, police_officer):
    events = _events(calendar_ics(viewer=viewer(police_officer), today=TODAY))
    meetings = [event for event in events if str(event["uid"]).startswith("meeting-")]
    tasks = [event for event in events if str(event["uid"]).startswith("task-")]
    assert {str(event["summary"]) for event in meetings} == {"Riverford DRMM, daily; west"}  # not the fire series
    days = sorted(event.decoded("dtstart").date() for event in meetings)
    assert days[0] == TODAY and all(day.weekday() in (0, 2) or day == date(2026, 3, 7) for day in days)
    assert max(days) < TODAY + timedelta(days=AHEAD_DAYS)
    assert date(2026, 3, 7) in days  # a meeting made on another day is there too
    wednesday = next(event for event in meetings if event.decoded("dtstart").date() == date(2026, 3, 4))
    assert wednesday.decoded("dtstart").astimezone().hour == 11  # the meeting made keeps its own time
    monday = next(event for event in meetings if event.decoded("dtstart").date() == TODAY)
    assert monday.decoded("dtend") - monday.decoded("dtstart") == timedelta(minutes=45)
    assert str(monday["location"]) == str(monday["url"]) == "https://meet.example.org/drmm?room=1,2"
    [task] = tasks  # the finished task is not there
    assert str(task["summary"]) == "Task due: Patrol Mill Road; check the underpass,\nnightly"  # escaped and read back
    assert task.decoded("dtstart") == TODAY + timedelta(days=3) and "description" not in task
    entry = AuditEntry.objects.filter(actor_username="police_officer").latest("sequence")
    assert entry.action == AuditAction.VIEW and entry.record_ids == f",{calendar_world['tasks']['officer'].pk},"


def test_a_volunteer_gets_their_tasks_only(calendar_world, council_volunteer):
    events = _events(calendar_ics(viewer=viewer(council_volunteer), today=TODAY))
    assert [str(event["summary"]) for event in events] == ["Task due: Check the graffiti at the bus station"]


def test_a_person_of_an_organisation_in_no_series_gets_only_their_tasks(calendar_world, fire_officer, bid_analyst):
    fire = _events(calendar_ics(viewer=viewer(fire_officer), today=TODAY))
    assert {str(event["summary"]) for event in fire} == {"Fire tactical", "Task due: Fire safety visit"}
    assert _events(calendar_ics(viewer=viewer(bid_analyst), today=TODAY)) == []


def test_the_private_link_reads_as_its_own_person_and_is_replaced(calendar_world, police_officer, council_volunteer):
    feed, token = calendar_feed_make(viewer=viewer(police_officer))
    assert token.startswith("cal_") and token not in feed.token_hash
    events = _events(calendar_feed_ics(token=token, today=TODAY))
    assert "Task due: Patrol Mill Road; check the underpass,\nnightly" in {str(event["summary"]) for event in events}
    assert AuditEntry.objects.filter(actor_username="police_officer", channel="calendar").exists()

    _, volunteer_token = calendar_feed_make(viewer=viewer(council_volunteer))
    volunteer = {str(event["summary"]) for event in _events(calendar_feed_ics(token=volunteer_token, today=TODAY))}
    assert volunteer == {"Task due: Check the graffiti at the bus station"}

    _, new_token = calendar_feed_make(viewer=viewer(police_officer))
    assert CalendarFeed.objects.filter(user=police_officer).count() == 1
    with pytest.raises(NotFound):
        calendar_feed_ics(token=token, today=TODAY)  # the old link stops working
    assert calendar_feed_ics(token=new_token, today=TODAY)
    assert calendar_feed_remove(viewer=viewer(police_officer)) is True
    with pytest.raises(NotFound):
        calendar_feed_ics(token=new_token, today=TODAY)


@pytest.mark.parametrize("token", ["", "cal_", "cal_" + "x" * 43, "nope", "cal_" + "a" * 500, "cal_../../etc"])
def test_a_link_that_is_not_one_is_not_found(calendar_world, token):
    with pytest.raises(NotFound):
        calendar_feed_ics(token=token, today=TODAY)


def test_a_deactivated_persons_link_stops_working_and_stays_stopped(calendar_world, police_officer):
    _, token = calendar_feed_make(viewer=viewer(police_officer))
    user_set_active(viewer=OPERATOR, user=police_officer, active=False)
    with pytest.raises(NotFound):
        calendar_feed_ics(token=token, today=TODAY)
    user_set_active(viewer=OPERATOR, user=police_officer, active=True)  # back from leave: a new link is needed
    with pytest.raises(NotFound):
        calendar_feed_ics(token=token, today=TODAY)
    police_officer.refresh_from_db()
    _, fresh = calendar_feed_make(viewer=viewer(police_officer))
    assert b"BEGIN:VCALENDAR" in calendar_feed_ics(token=fresh, today=TODAY)
