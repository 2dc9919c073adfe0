"""The meeting pages: members follow and take part, the chair runs the meeting, everyone else
gets nothing; the live part is redrawn only when something changed; reveals need engagement."""

from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferplace.audit.models import AuditEntry
from saferplace.meetings.agenda import meeting_for
from saferplace.meetings.models import (
    AgendaEntry,
    Attendance,
    Decision,
    IdentifiableDetail,
    ItemNote,
    ItemReveal,
)
from saferplace.meetings.services import agenda_add, concern_raise, series_create
from saferplace.partners.models import Role, User
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from saferplace.tasking.models import Task
from tests.conftest import OPERATOR, sign_in, square, viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world, police_chair):
    organisations = world["organisations"]
    series = series_create(viewer=OPERATOR, name="Riverford Daily Risk Management Meeting", chair=police_chair,
                           member_organisations=[organisations["police"], organisations["council"], organisations["fire"]],
                           weekdays=[0, 1, 2, 3, 4, 5, 6], starts_at=time(9, 30))
    found = meeting_for(series, timezone.localdate())
    agenda_add(viewer=viewer(police_chair), meeting=found, title="Youths gathering at the precinct", where="Market Street")
    return found


@pytest.fixture
def concern(meeting, world, council_analyst):
    item = concern_raise(viewer=viewer(council_analyst), series=meeting.series, title="Garages used for drug dealing",
                         where="Mill Lane", details="Synthetic: J. Example, 12 Mill Lane, born 1990-01-01",
                         data_category=world["categories"]["asb"])
    AgendaEntry.objects.create(meeting=meeting, item=item, position=2, why="Put forward")
    return item


def test_members_see_the_series_and_others_do_not(client, meeting, council_analyst, bid_analyst, council_volunteer,
                                                  council_auditor):
    sign_in(client, council_analyst)
    assert meeting.series.name in client.get(reverse("web:meeting-series-list")).content.decode()
    assert client.get(reverse("web:meeting-detail", args=[meeting.pk])).status_code == 200
    sign_in(client, bid_analyst)  # an organisation that is not a member
    listing = client.get(reverse("web:meeting-series-list")).content.decode()
    assert meeting.series.name not in listing
    for name, arguments in [("web:meeting-detail", [meeting.pk]), ("web:meeting-live", [meeting.pk]),
                            ("web:meeting-series", [meeting.series_id]), ("web:meeting-concern", [meeting.series_id])]:
        assert client.get(reverse(name, args=arguments)).status_code == 404, name
    for person in (council_volunteer, council_auditor):  # roles that do not take part
        sign_in(client, person)
        assert client.get(reverse("web:meeting-series-list")).status_code == 403
        assert client.get(reverse("web:meeting-detail", args=[meeting.pk])).status_code == 403


def test_the_live_part_is_redrawn_only_when_something_changed(client, meeting, council_analyst, police_chair):
    sign_in(client, council_analyst)
    live = reverse("web:meeting-live", args=[meeting.pk])
    meeting.refresh_from_db()
    assert client.get(live, {"version": meeting.version}).status_code == 204
    assert client.get(live, {"version": "not-a-number"}).status_code == 200
    agenda_add(viewer=viewer(police_chair), meeting=meeting, title="Fly-tipping behind the shops")
    changed = client.get(live, {"version": meeting.version})
    assert changed.status_code == 200
    assert "Fly-tipping behind the shops" in changed.content.decode()


def test_taking_part_is_recorded_and_others_change_nothing(client, meeting, council_analyst, bid_analyst):
    entry = meeting.entries.get()
    sign_in(client, bid_analyst)
    assert client.post(reverse("web:meeting-join", args=[meeting.pk]), {"mode": "remote"}).status_code == 404
    assert client.post(reverse("web:meeting-note", args=[meeting.pk, entry.item_id]), {"text": "x"}).status_code == 404
    assert not Attendance.objects.exists() and not ItemNote.objects.exists()
    sign_in(client, council_analyst)
    client.post(reverse("web:meeting-join", args=[meeting.pk]), {"mode": "remote"})
    assert Attendance.objects.get(user=council_analyst).mode == "remote"
    client.post(reverse("web:meeting-note", args=[meeting.pk, entry.item_id]), {"text": "Two reports this week"})
    assert ItemNote.objects.get().organisation == council_analyst.organisation
    client.post(reverse("web:meeting-join", args=[meeting.pk]), {"mode": "sideways"})
    assert Attendance.objects.get(user=council_analyst).mode == "remote"


def test_only_the_chair_of_the_series_runs_it(client, meeting, world, police_officer, police_chair):
    entry = meeting.entries.get()
    sign_in(client, police_officer)  # a practitioner: no meetings.chair
    assert client.post(reverse("web:meeting-chair", args=[meeting.pk, "open"])).status_code == 403
    other_chair = User.objects.create_user("chair.council", organisation=world["organisations"]["council"],
                                           role=Role.CHAIR)
    TOTPDevice.objects.create(user=other_chair, name="default", confirmed=True)
    sign_in(client, other_chair)  # a chair, but of another organisation than the series'
    client.post(reverse("web:meeting-chair", args=[meeting.pk, "open"]))
    client.post(reverse("web:meeting-chair", args=[meeting.pk, "drop"]), {"entry": entry.pk, "reason": "no"})
    meeting.refresh_from_db()
    entry.refresh_from_db()
    assert meeting.status == "planned" and entry.dropped_reason == ""
    sign_in(client, police_chair)
    client.post(reverse("web:meeting-chair", args=[meeting.pk, "open"]))
    meeting.refresh_from_db()
    assert meeting.status == "live" and meeting.current_entry == entry
    assert client.post(reverse("web:meeting-chair", args=[meeting.pk, "fly"])).status_code == 404


def test_an_engaged_agency_reveals_with_a_reason_and_one_not_engaged_cannot(client, meeting, concern, world,
                                                                              police_chair, council_analyst,
                                                                              police_officer, fire_officer):
    reveal = reverse("web:meeting-reveal", args=[meeting.pk, concern.pk])
    sign_in(client, police_officer)  # police not engaged yet
    client.post(reverse("web:meeting-join", args=[meeting.pk]), {"mode": "present"})
    client.post(reveal, {"reason": "To check our records"})
    assert not ItemReveal.objects.exists()
    assert AuditEntry.objects.filter(action="refused", actor_username=police_officer.username).exists()
    sign_in(client, police_chair)
    entry = meeting.entries.get(item=concern)
    client.post(reverse("web:meeting-chair", args=[meeting.pk, "engage"]),
                {"entry": entry.pk, "organisation": world["organisations"]["police"].pk})
    sign_in(client, police_officer)
    page = client.get(reverse("web:meeting-detail", args=[meeting.pk])).content.decode()
    assert "J. Example" not in page and "Reveal the details" in page
    client.post(reveal, {"reason": ""})
    assert not ItemReveal.objects.exists()  # a reason is needed
    client.post(reveal, {"reason": "Engaged to check the address against police records"})
    page = client.get(reverse("web:meeting-detail", args=[meeting.pk])).content.decode()
    assert "J. Example" in page
    detail = IdentifiableDetail.objects.get()
    revealed = AuditEntry.objects.get(action="reveal", actor_username=police_officer.username)
    assert str(detail.pk) in revealed.record_ids.strip(",").split(",")
    sign_in(client, fire_officer)  # fire: a member, never engaged
    page = client.get(reverse("web:meeting-detail", args=[meeting.pk])).content.decode()
    assert "J. Example" not in page and "Reveal the details" not in page
    live = client.get(reverse("web:meeting-live", args=[meeting.pk])).content.decode()
    assert "J. Example" not in live


def test_a_decision_makes_its_actions_tasks_and_bad_dates_are_form_errors(client, meeting, world, police_chair,
                                                                          police_officer):
    entry = meeting.entries.get()
    decide = reverse("web:meeting-decide", args=[meeting.pk, entry.item_id])
    council = world["organisations"]["council"]
    sign_in(client, police_officer)
    assert client.get(decide).status_code == 403
    sign_in(client, police_chair)
    assert client.get(decide).status_code == 200
    bad = client.post(decide, {"decision": "Patrols", "state": "in_hand", "review_date": "2026-02-31"})
    assert bad.status_code == 400 and "real date" in bad.content.decode()
    hostile = client.post(decide, {"decision": "Patrols", "state": "in_hand", "review_date": "99999-01-01",
                                   "lead": "x' OR 1=1", "action_1_title": "Visit", "action_1_organisation": "999999"})
    assert hostile.status_code == 400
    assert not Decision.objects.exists() and not Task.objects.exists()
    done = client.post(decide, {"decision": "Joint patrols and a clean-up", "state": "in_hand", "lead": council.pk,
                                "review_date": "2030-01-10", "threshold_met": "no", "action_1_title": "Clear the litter",
                                "action_1_organisation": council.pk, "action_1_due": "2030-01-05",
                                "action_1_priority": "high", "action_1_questions": "Was it cleared?\nHow many bags?"})
    assert done.status_code == 302
    task = Task.objects.get()
    assert task.organisation == council and task.source_id == entry.item_id and task.questions == [
        "Was it cleared?", "How many bags?"]
    entry.item.refresh_from_db()
    assert entry.item.state_id == "in_hand" and entry.item.threshold_met is False
    timeline = client.get(reverse("web:meeting-item", args=[entry.item_id])).content.decode()
    assert "Joint patrols and a clean-up" in timeline and "Clear the litter" in timeline


def test_an_action_for_volunteers_is_set_in_the_place_chosen(client, meeting, world, police_chair):
    ward = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05900001", name="Canal Ward",
                                  population=4000, boundary=square(-0.96, 52.44))
    entry = meeting.entries.get()
    decide = reverse("web:meeting-decide", args=[meeting.pk, entry.item_id])
    council = world["organisations"]["council"]
    sign_in(client, police_chair)
    choices = {"decision": "Ask volunteers", "state": "in_hand", "action_1_title": "Check the garages",
               "action_1_organisation": council.pk, "action_1_volunteers": "on"}
    refused = client.post(decide, choices)  # neither the item nor the series has a place
    assert refused.status_code == 400 and not Task.objects.exists()
    assert client.post(decide, {**choices, "action_1_place": "not-a-place"}).status_code == 400
    assert client.post(decide, {**choices, "action_1_place": ward.pk}).status_code == 302
    task = Task.objects.get()
    assert task.for_volunteers and task.place == ward


def test_an_action_is_not_due_in_the_past_and_the_states_come_in_their_order(client, meeting, world, police_chair):
    entry = meeting.entries.get()
    decide = reverse("web:meeting-decide", args=[meeting.pk, entry.item_id])
    sign_in(client, police_chair)
    page = client.get(decide).content.decode()
    order = [page.index(f'value="{state}"') for state in ("new", "in_hand", "monitoring", "closed")]
    assert order == sorted(order)
    past = client.post(decide, {"decision": "Clear it", "state": "in_hand", "action_1_title": "Clear it",
                                "action_1_organisation": world["organisations"]["council"].pk,
                                "action_1_due": "2020-01-01"})
    assert past.status_code == 400 and "today or later" in past.content.decode() and not Task.objects.exists()


def test_the_chair_sees_raised_hands_at_the_top_and_lowers_them(client, meeting, police_chair, council_analyst,
                                                                 police_officer):
    sign_in(client, police_chair)
    client.post(reverse("web:meeting-chair", args=[meeting.pk, "open"]))
    sign_in(client, council_analyst)
    client.post(reverse("web:meeting-join", args=[meeting.pk]), {"mode": "remote"})
    client.post(reverse("web:meeting-hand", args=[meeting.pk]), {"raised": "yes"})
    sign_in(client, police_officer)  # not the chair: cannot lower others' hands
    assert client.post(reverse("web:meeting-chair", args=[meeting.pk, "lower-hands"])).status_code == 403
    sign_in(client, police_chair)
    page = client.get(reverse("web:meeting-detail", args=[meeting.pk])).content.decode()
    assert "1 hand raised:" in page
    client.post(reverse("web:meeting-chair", args=[meeting.pk, "lower-hands"]))
    assert not Attendance.objects.filter(hand_raised_at__isnull=False).exists()


def test_a_chair_sets_up_a_series_and_others_cannot(client, world, police_chair, police_officer, council_admin):
    from saferplace.meetings.models import MeetingSeries

    new = reverse("web:meeting-series-create")
    council, fire = world["organisations"]["council"], world["organisations"]["fire"]
    for person in (police_officer, council_admin):  # roles that do not chair
        sign_in(client, person)
        assert client.get(new).status_code == 403
        assert client.post(new, {"name": "Ours", "kind": "daily"}).status_code == 403
    sign_in(client, police_chair)
    assert client.get(new).status_code == 200
    hostile = client.post(new, {"name": "Tactical", "kind": "tactical", "member_organisations": [council.pk, "x"],
                                "weekdays": ["9"], "starts_at": "25:99", "minutes_long": "1e309",
                                "video_link": "javascript:alert(1)"})
    assert hostile.status_code == 400 and not MeetingSeries.objects.exists()
    made = client.post(new, {"name": "Riverford tactical group", "kind": "tactical",
                             "member_organisations": [council.pk, fire.pk], "weekdays": ["1", "3"],
                             "starts_at": "14:00", "minutes_long": "45", "video_link": "https://meet.example.org/t"})
    series = MeetingSeries.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("web:meeting-series", args=[series.pk])
    assert series.chair == police_chair and series.organisation == police_chair.organisation
    assert set(series.member_organisations.all()) == {council, fire, police_chair.organisation}
    assert series.weekdays == [1, 3] and series.minutes_long == 45
    again = client.post(new, {"name": "riverford TACTICAL group", "kind": "daily", "member_organisations": [council.pk],
                              "weekdays": ["1"], "starts_at": "09:00", "minutes_long": "30"})
    assert again.status_code == 400 and "already a series" in again.content.decode()


def test_a_person_invited_by_name_follows_the_series(client, world, police_chair, health_analyst, fire_officer):
    from saferplace.meetings.models import MeetingSeries

    new = reverse("web:meeting-series-create")
    choices = {"name": "Night-time economy", "kind": "problem_solving",
               "member_organisations": [world["organisations"]["council"].pk], "weekdays": ["4"],
               "starts_at": "10:00", "minutes_long": "60"}
    sign_in(client, police_chair)
    # The fire service has no agreement with the police: its people are not offered, nor taken.
    assert client.post(new, {**choices, "members": [fire_officer.pk]}).status_code == 400
    assert client.post(new, {**choices, "members": [health_analyst.pk]}).status_code == 302
    series = MeetingSeries.objects.get()
    assert list(series.members.all()) == [health_analyst]
    sign_in(client, health_analyst)  # the health trust is not a member agency; she is invited
    assert client.get(reverse("web:meeting-series", args=[series.pk])).status_code == 200
    sign_in(client, fire_officer)
    assert client.get(reverse("web:meeting-series", args=[series.pk])).status_code == 404


def test_the_chair_changes_or_stops_their_series(client, meeting, world, police_chair, police_officer):
    from saferplace.meetings.agenda import agendas_prepare_all
    from saferplace.meetings.models import SeriesEvent

    series = meeting.series
    change = reverse("web:meeting-series-change", args=[series.pk])
    council, fire = world["organisations"]["council"], world["organisations"]["fire"]
    sign_in(client, police_officer)
    assert client.get(change).status_code == 403
    sign_in(client, police_chair)
    assert client.get(change).status_code == 200
    choices = {"name": series.name, "kind": "daily", "member_organisations": [council.pk], "weekdays": ["0", "2"],
               "starts_at": "08:45", "minutes_long": "20"}
    assert client.post(change, {**choices, "starts_at": "8 o'clock"}).status_code == 400
    assert client.post(change, {**choices, "active": "on"}).status_code == 302
    series.refresh_from_db()
    assert fire not in series.member_organisations.all() and series.weekdays == [0, 2] and series.active
    event = SeriesEvent.objects.filter(record=series, kind="changed").last()
    assert "Fenshire Fire and Rescue Service" in str(event.changes["members"])
    client.post(change, choices)  # the box unticked: it stops
    series.refresh_from_db()
    assert not series.active and agendas_prepare_all(viewer=OPERATOR) == []
