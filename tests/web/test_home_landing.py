"""Each role lands on its work (web/views/home.py `landing`): the chair on today's meeting, a
practitioner on their briefing, a volunteer on the tasks; analysts, administrators and auditors
keep the home page; and anyone may still open the home page itself (`?overview=1`)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from saferplace.meetings.agenda import meeting_for
from saferplace.meetings.services import series_create
from tests.conftest import sign_in, viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def todays_meeting(world, police_chair):
    series = series_create(viewer=viewer(police_chair), name="Riverford DRMM", chair=police_chair,
                           member_organisations=[world["organisations"]["council"]])
    return meeting_for(series, timezone.localdate())


def test_the_chair_lands_on_today_s_meeting(client, police_chair, todays_meeting):
    response = sign_in(client, police_chair).get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:meeting-detail", args=[todays_meeting.pk])
    assert client.get(response["Location"]).status_code == 200


def test_on_a_day_without_a_meeting_the_chair_lands_on_the_next_one(client, world, police_chair):
    series = series_create(viewer=viewer(police_chair), name="Riverford DRMM", chair=police_chair,
                           member_organisations=[world["organisations"]["council"]])
    monday = meeting_for(series, timezone.localdate() + timedelta(days=2))
    response = sign_in(client, police_chair).get(reverse("web:home"))
    assert response.status_code == 302 and response["Location"] == reverse("web:meeting-detail", args=[monday.pk])
    page = client.get(response["Location"]).content.decode()
    assert "it can be opened on the day" not in page  # only said when the chair tries
    client.post(reverse("web:meeting-chair", args=[monday.pk, "open"]))
    monday.refresh_from_db()
    assert monday.status == "planned"  # not opened days early (its minutes would end before they began)


def test_with_no_meeting_today_the_chair_has_the_home_page_with_their_meetings(client, police_chair):
    response = sign_in(client, police_chair).get(reverse("web:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{reverse("web:meeting-series-list")}">Your meetings</a>' in page
    assert f'href="{reverse("web:briefing")}"' in page  # a chair works on tasks too


@pytest.mark.parametrize(("persona", "lands_on"), [
    ("police_officer", "web:briefing"), ("fire_officer", "web:briefing"), ("council_volunteer", "web:task-list"),
])
def test_practitioners_land_on_their_briefing_and_volunteers_on_the_tasks(client, request, persona, lands_on):
    sign_in(client, request.getfixturevalue(persona))
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and response["Location"] == reverse(lands_on)
    assert client.get(response["Location"]).status_code == 200
    overview = client.get(reverse("web:home") + "?overview=1")
    assert overview.status_code == 200 and "Agreements your organisation is party to" in overview.content.decode()


@pytest.mark.parametrize("persona", ["council_analyst", "council_admin", "council_auditor", "bid_analyst"])
def test_analysts_administrators_and_auditors_keep_the_home_page(client, request, persona):
    response = sign_in(client, request.getfixturevalue(persona)).get(reverse("web:home"))
    assert response.status_code == 200 and " home</h1>" in response.content.decode()


def test_the_chair_s_meeting_is_of_their_own_series_only(client, world, police_chair, todays_meeting):
    from saferplace.partners.models import Role
    from tests.conftest import _persona

    fire_chair = _persona(world, "fire_chair", "fire", Role.CHAIR)  # the fire service is not a member
    assert sign_in(client, fire_chair).get(reverse("web:home")).status_code == 200
