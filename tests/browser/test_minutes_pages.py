"""The minutes, the chair's send page, the calendar page and the messages sent, in a phone-sized
and a desktop window: axe-core finds no serious or critical problem, nothing scrolls sideways
on a phone, no content security policy rule is broken; printed, the minutes are the minutes
alone."""

import pytest
from django.urls import reverse

from saferplace.notifications.services import notification_queue
from tests.browser.conftest import (
    PHONE,
    RESULTS,
    browser_sign_in,
    overflows_horizontally,
    pages_problems,
    serious_axe_violations,
)
from tests.meetings import minutes_world
from tests.meetings.minutes_world import SECRET_NAME

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The fixtures of a closed meeting (tests/meetings/minutes_world.py).
closed_meeting, minutes_series = minutes_world.closed_meeting, minutes_world.minutes_series


def test_the_chairs_minutes_send_and_calendar_pages_are_accessible(page, live_server, closed_meeting,
                                                                    police_chair):
    browser_sign_in(page, live_server, "police_chair")
    paths = [reverse("web:minutes", args=[closed_meeting.pk]), reverse("web:minutes-send", args=[closed_meeting.pk]),
             reverse("web:calendar")]
    problems = pages_problems(page, live_server, paths, "minutes-chair")
    assert not problems, "\n".join(problems)
    assert page.get_by_text(SECRET_NAME).count() == 0  # the calendar page, last: nothing of the item
    page.goto(f"{live_server.url}{paths[0]}")
    assert page.get_by_text(SECRET_NAME).is_visible()  # the police were engaged: the chair's copy has it
    page.emulate_media(media="print")
    assert not page.locator(".govuk-template__header").is_visible()
    assert not page.locator(".app-account-bar").is_visible()
    assert page.get_by_role("heading", name="Fly tipping behind the shops").is_visible()
    page.screenshot(path=str(RESULTS / "minutes-printed.png"), full_page=True)
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{reverse('web:calendar')}")
    page.get_by_role("button", name="Make a private link").click()
    assert page.get_by_text("Private calendar link made").is_visible()
    assert serious_axe_violations(page) == [] and not overflows_horizontally(page)
    assert not page.csp_errors, page.csp_errors


def test_another_agencys_minutes_and_the_messages_page_are_accessible(page, live_server, closed_meeting,
                                                                        council_admin, council_analyst):
    notification_queue(recipient=council_analyst, subject="Minutes: Riverford DRMM (minutes), 5 January 2026",
                       body="…")  # no email address: given up, with "send again"
    browser_sign_in(page, live_server, "council_admin")
    problems = pages_problems(page, live_server, [reverse("web:minutes", args=[closed_meeting.pk]),
                                          reverse("web:notification-list"), reverse("web:calendar")], "minutes-admin")
    assert not problems, "\n".join(problems)
    page.goto(f"{live_server.url}{reverse('web:minutes', args=[closed_meeting.pk])}")
    assert page.get_by_text(SECRET_NAME).count() == 0  # the council was not engaged
    assert not page.csp_errors, page.csp_errors
