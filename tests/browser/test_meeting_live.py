"""A meeting run live in separate browser sessions: the chair opens it, moves through the agenda
and records a decision; a partner following remotely sees each change appear without reloading,
raises a hand the chair sees, and reveals an item's details once engaged; axe on every meeting
page, on a phone and a desktop."""

import re
from datetime import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from saferplace.meetings.agenda import meeting_for
from saferplace.meetings.models import AgendaEntry
from saferplace.meetings.services import agenda_add, concern_raise, series_create
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    browser_sign_in,
    pages_problems,
    serious_axe_violations,
)
from tests.conftest import OPERATOR, viewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEEN_WITHIN_MS = 5000  # the page asks every second; generous for a loaded two-core machine


@pytest.fixture
def meeting(world, police_chair, council_analyst):
    organisations = world["organisations"]
    series = series_create(viewer=OPERATOR, name="Riverford Daily Risk Management Meeting", chair=police_chair,
                           member_organisations=[organisations["police"], organisations["council"], organisations["fire"]],
                           weekdays=list(range(7)), starts_at=time(9, 30), video_link="https://meet.example.org/drm")
    found = meeting_for(series, timezone.localdate())
    agenda_add(viewer=viewer(police_chair), meeting=found, title="Youths gathering at the precinct", where="Market Street")
    concern = concern_raise(viewer=viewer(council_analyst), series=series, title="Garages used for drug dealing",
                            where="Mill Lane", details="Synthetic person: A. Sample, 4 Mill Lane",
                            data_category=world["categories"]["asb"])
    AgendaEntry.objects.create(meeting=found, item=concern, position=2, why="Put forward by the council")
    return found


def _session(browser, live_server, username: str, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    browser_sign_in(page, live_server, username)
    return context, page


def test_followers_see_the_meeting_change_without_reloading(browser, live_server, meeting, police_chair,
                                                            council_analyst, fire_officer):
    url = f"{live_server.url}/meetings/{meeting.pk}/"
    chair_context, chair = _session(browser, live_server, police_chair.username)
    partner_context, partner = _session(browser, live_server, council_analyst.username, PHONE)
    fire_context, fire = _session(browser, live_server, fire_officer.username)
    try:
        partner.goto(url)
        partner.get_by_role("button", name="Remote").click()
        fire.goto(url)
        chair.goto(url)
        expect(chair.locator("#meeting-live")).to_contain_text("Riverford City Council: remote", timeout=SEEN_WITHIN_MS)

        loads = []
        partner.on("load", lambda _: loads.append(1))
        chair.get_by_role("button", name="Open the meeting").click()
        expect(partner.locator("#meeting-live")).to_contain_text("Now discussing: Youths gathering", timeout=SEEN_WITHIN_MS)

        partner.get_by_role("button", name="Raise your hand").click()  # a form: this one reloads the partner's page
        expect(chair.locator("#meeting-live")).to_contain_text("Hand raised", timeout=SEEN_WITHIN_MS)

        # The chair engages the police on the concern and moves to it; the partner sees it move.
        chair.get_by_label("Agency to engage on Garages used for drug dealing").select_option(label="Fenshire Police")
        chair.get_by_label("Agency to engage on Garages used for drug dealing").locator("..").get_by_role(
            "button", name="Engage", exact=True).click()
        chair.get_by_role("button", name=re.compile("Discuss now.*Garages used")).click()
        loads.clear()
        expect(partner.locator("#meeting-live")).to_contain_text("Now discussing: Garages used", timeout=SEEN_WITHIN_MS)

        # The chair (police, now engaged) reveals; the fire service, not engaged, is never offered it.
        chair.get_by_label("Why your agency needs the identifiable details").fill("To plan a visit with the council")
        chair.get_by_role("button", name="Reveal the details").click()
        expect(chair.locator("#meeting-live")).to_contain_text("A. Sample")
        expect(fire.locator("#meeting-live")).to_contain_text("Now discussing: Garages used", timeout=SEEN_WITHIN_MS)
        expect(fire.get_by_role("button", name="Reveal the details")).to_have_count(0)
        assert "A. Sample" not in fire.content()

        chair.get_by_role("link", name=re.compile("Record a decision.*Garages used")).click()
        chair.get_by_label("The decision").fill("Council to secure the garages; police to patrol")
        chair.get_by_label("In hand").check()
        chair.locator("#id_action_1_title").fill("Secure the garages")
        chair.locator("#id_action_1_organisation").select_option(label="Riverford City Council")
        chair.get_by_role("button", name="Record the decision").click()
        expect(partner.locator("#meeting-live")).to_contain_text("Council to secure the garages", timeout=SEEN_WITHIN_MS)
        expect(partner.locator("#meeting-live")).to_contain_text("Secure the garages: Riverford City Council")
        assert not loads, "the partner's page reloaded to show the change"
        assert "A. Sample" not in partner.content()  # the council is engaged but did not reveal
    finally:
        for context in (chair_context, partner_context, fire_context):
            context.close()


def test_meeting_pages_are_accessible_on_phone_and_desktop(page, live_server, meeting, police_chair):
    browser_sign_in(page, live_server, police_chair.username)
    item = meeting.entries.first().item
    paths = ["/meetings/", "/meetings/series/new/", f"/meetings/series/{meeting.series_id}/",
             f"/meetings/series/{meeting.series_id}/change/", f"/meetings/series/{meeting.series_id}/concern/",
             f"/meetings/{meeting.pk}/", f"/meetings/{meeting.pk}/items/{item.pk}/decide/", f"/meetings/items/{item.pk}/"]
    problems = pages_problems(page, live_server, paths, "meetings-chair")
    page.goto(f"{live_server.url}/meetings/series/{meeting.series_id}/concern/")
    page.get_by_role("button", name="Put it forward").click()  # empty: the errors, accessible too
    assert not serious_axe_violations(page)
    assert not problems, "\n".join(problems)
    assert not page.csp_errors, page.csp_errors
