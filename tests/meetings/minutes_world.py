"""A closed meeting to take minutes of, made with the models' ORM (import the fixtures into a
test module):

    minutes_series   "Riverford DRMM (minutes)", run by the police, chaired by police_chair;
                     members: police, council, fire (not health, not the BID)
    closed_meeting   its meeting on MONDAY, closed; police_chair and police_officer present,
                     council_analyst remote, fire_officer sent apologies
    the items        "Fly tipping behind the shops" (lead: council, supporting: police, the police
                     engaged; an identifiable detail the police own, under anti-social behaviour;
                     a decision; an action for the council), and a dropped item
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from saferplace.meetings.models import (
    AgendaEntry,
    Attendance,
    AttendanceMode,
    Decision,
    IdentifiableDetail,
    Item,
    ItemKind,
    ItemState,
    ItemTransition,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from saferplace.meetings.states import item_states_install
from saferplace.tasking.models import Task

MONDAY = date(2026, 1, 5)
LONDON = ZoneInfo("Europe/London")
SECRET_NAME = "Jonah Syntheticson"
DETAIL = f"{SECRET_NAME}, 14 Mill Road, born 1 April 1990"


def _with_email(user, address: str):
    user.email = address
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def minutes_series(world, police_chair):
    item_states_install(ItemState, ItemTransition)  # a test that commits empties every table afterwards
    organisations = world["organisations"]
    series = MeetingSeries.objects.create(
        name="Riverford DRMM (minutes)", organisation=organisations["police"], chair=police_chair,
        weekdays=[0, 1, 2, 3, 4], starts_at=time(9, 30), minutes_long=30,
        video_link="https://meet.example.org/riverford-drmm",
    )
    series.member_organisations.set([organisations["police"], organisations["council"], organisations["fire"]])
    return series


@pytest.fixture
def closed_meeting(world, minutes_series, police_chair, police_officer, council_analyst, fire_officer):
    organisations = world["organisations"]
    starts = datetime.combine(MONDAY, time(9, 30), tzinfo=LONDON)
    meeting = Meeting.objects.create(series=minutes_series, date=MONDAY, starts_at=starts, status=MeetingStatus.CLOSED,
                                     opened_at=starts, closed_at=starts + timedelta(minutes=40))
    for person, organisation, mode in ((police_chair, "police", AttendanceMode.PRESENT),
                                       (police_officer, "police", AttendanceMode.PRESENT),
                                       (council_analyst, "council", AttendanceMode.REMOTE),
                                       (fire_officer, "fire", AttendanceMode.APOLOGIES)):
        _with_email(person, f"{person.username}@riverford.example")
        Attendance.objects.create(meeting=meeting, user=person, organisation=organisations[organisation], mode=mode,
                                  joined_at=starts)
    item = Item.objects.create(
        series=minutes_series, title="Fly tipping behind the shops", kind=ItemKind.ANALYSIS,
        summary="Repeated fly tipping and a car set alight behind the parade.", where="Mill Road",
        state_id="in_hand", lead=organisations["council"], review_date=MONDAY + timedelta(days=14), threshold_met=True,
    )
    item.supporting.set([organisations["police"]])
    item.engaged.set([organisations["police"]])
    IdentifiableDetail.objects.create(item=item, owning_organisation=organisations["police"],
                                      data_category=world["categories"]["asb"], text=DETAIL, added_by=police_officer)
    AgendaEntry.objects.create(meeting=meeting, item=item, position=1, why="A hot spot this week", discussed=True)
    Decision.objects.create(item=item, meeting=meeting, text="The council clears the site; the police patrol nightly.",
                            threshold_met=True, made_by=police_chair, at=starts + timedelta(minutes=10))
    Task.objects.create(title="Clear the fly tip behind the parade", organisation=organisations["council"],
                        due_date=MONDAY + timedelta(days=3), source_kind="meeting item", source_id=item.pk,
                        source_label=item.title, created_at=starts + timedelta(minutes=12))
    dropped = Item.objects.create(series=minutes_series, title="Graffiti on the underpass", kind=ItemKind.CONCERN,
                                  state_id="new")
    AgendaEntry.objects.create(meeting=meeting, item=dropped, position=2, dropped_reason="Dealt with already")
    meeting.item = item
    return meeting
