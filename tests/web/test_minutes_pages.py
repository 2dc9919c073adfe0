"""The minutes pages, the calendar pages and the messages sent, for every persona: a member reads
the minutes (identifiable details only in an engaged agency's copy), everyone else is refused
with nothing disclosed or changed; hostile input is a 404 or a 400, never a 500."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar
from pypdf import PdfReader

from saferplace.audit.models import AuditAction, AuditEntry
from saferplace.meetings.models import CalendarFeed
from saferplace.notifications.models import NotificationSend, SendStatus
from saferplace.notifications.services import notification_queue
from tests.conftest import sign_in
from tests.meetings import minutes_world
from tests.meetings.minutes_world import SECRET_NAME

closed_meeting, minutes_series = minutes_world.closed_meeting, minutes_world.minutes_series


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("persona, details", [("police_officer", True), ("police_chair", True),
                                              ("council_analyst", False), ("council_admin", False),
                                              ("fire_officer", False)])
def test_a_member_reads_the_printable_minutes_and_their_pdf(client, request, closed_meeting, persona, details):
    sign_in(client, request.getfixturevalue(persona))
    response = client.get(reverse("web:minutes", args=[closed_meeting.pk]))
    assert response.status_code == 200
    page = _text(response)
    assert "Fly tipping behind the shops" in page and "Clear the fly tip behind the parade" in page
    assert "Graffiti on the underpass" not in page  # dropped from the agenda
    assert (SECRET_NAME in page) is details
    pdf = client.get(reverse("web:minutes-pdf", args=[closed_meeting.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert 'filename="minutes-riverford-drmm-minutes-2026-01-05.pdf"' in pdf["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert (SECRET_NAME in text) is details and "Fly tipping behind the shops" in text


@pytest.mark.parametrize("persona", ["health_analyst", "bid_analyst", "council_volunteer", "council_auditor"])
def test_anyone_else_is_told_there_is_no_such_meeting(client, request, closed_meeting, persona):
    sign_in(client, request.getfixturevalue(persona))
    for name in ("web:minutes", "web:minutes-pdf", "web:minutes-send"):
        response = client.get(reverse(name, args=[closed_meeting.pk]))
        assert response.status_code == 404, name
        assert b"Fly tipping" not in response.content
    assert client.post(reverse("web:minutes-send", args=[closed_meeting.pk])).status_code == 404
    assert not DBTaskResult.objects.exists()
    assert not AuditEntry.objects.filter(actor_username=persona, action__in=[AuditAction.VIEW, AuditAction.REVEAL]).exists()


def test_signed_out_is_sent_to_sign_in(client, closed_meeting):
    for path in (reverse("web:minutes", args=[closed_meeting.pk]), reverse("web:minutes-pdf", args=[closed_meeting.pk]),
                 reverse("web:calendar"), reverse("web:calendar-download"), reverse("web:notification-list")):
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], path


def test_an_unknown_or_hostile_meeting_number_is_a_404(client, police_chair, closed_meeting):
    sign_in(client, police_chair)
    assert client.get(reverse("web:minutes", args=[closed_meeting.pk + 999])).status_code == 404
    assert client.get(f"/meetings/{'9' * 30}/minutes/").status_code == 404
    assert client.get("/meetings/-1/minutes/").status_code == 404


def test_the_chair_sends_the_minutes_through_the_worker(client, police_chair, closed_meeting,
                                                        django_capture_on_commit_callbacks):
    sign_in(client, police_chair)
    page = client.get(reverse("web:minutes-send", args=[closed_meeting.pk]))
    assert page.status_code == 200 and "Nothing has been sent yet" in _text(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:minutes-send", args=[closed_meeting.pk]))
    assert response.status_code == 302
    task = DBTaskResult.objects.get(task_path="saferplace.meetings.tasks.send_minutes_task")
    assert not NotificationSend.objects.exists()  # the PDFs are made by the worker, not the request
    from saferplace.meetings.tasks import send_minutes_task

    send_minutes_task.call(*task.args_kwargs["args"])
    assert NotificationSend.objects.count() == 4
    assert "Waiting to be sent" in _text(client.get(reverse("web:minutes-send", args=[closed_meeting.pk])))


@pytest.mark.parametrize("persona", ["police_officer", "council_analyst", "council_admin"])
def test_a_member_who_does_not_chair_the_series_cannot_send(client, request, closed_meeting, persona):
    sign_in(client, request.getfixturevalue(persona))
    assert client.get(reverse("web:minutes-send", args=[closed_meeting.pk])).status_code in (403, 404)
    assert client.post(reverse("web:minutes-send", args=[closed_meeting.pk])).status_code in (403, 404)
    assert not DBTaskResult.objects.exists()
    assert "Send the minutes" not in _text(client.get(reverse("web:minutes", args=[closed_meeting.pk])))


# --- The calendar ---------------------------------------------------------------------------

def test_the_calendar_page_makes_a_link_shown_once_that_a_calendar_app_reads(client, police_officer, closed_meeting):
    sign_in(client, police_officer)
    assert client.get(reverse("web:calendar")).status_code == 200
    download = client.get(reverse("web:calendar-download"))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/calendar")
    Calendar.from_ical(download.content)
    made = client.post(reverse("web:calendar-link-make"))
    assert made.status_code == 200
    link = _text(made).split("/calendar/cal_")[1].split(".ics")[0]
    token = "cal_" + link
    assert token not in _text(client.get(reverse("web:calendar")))  # shown only once
    client.logout()
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200
    assert {str(event["summary"]) for event in Calendar.from_ical(feed.content).walk("VEVENT")} >= {
        "Riverford DRMM (minutes)"}
    assert AuditEntry.objects.filter(actor_username="police_officer", channel="calendar").exists()


def test_another_persons_or_a_made_up_token_is_a_404(client, police_officer, council_volunteer, closed_meeting):
    sign_in(client, police_officer)
    client.post(reverse("web:calendar-link-make"))
    sign_in(client, council_volunteer)
    assert client.get(f"/calendar/cal_{'A' * 43}.ics").status_code == 404
    assert client.get("/calendar/cal_%00%3Cscript%3E.ics").status_code == 404
    assert client.get(f"/calendar/{CalendarFeed.objects.get().token_hash}.ics").status_code == 404  # the hash is no key
    client.logout()
    assert client.get(f"/calendar/cal_{'B' * 43}.ics").status_code == 404


def test_the_calendar_link_is_made_and_removed_only_by_post(client, police_officer):
    sign_in(client, police_officer)
    assert client.get(reverse("web:calendar-link-make")).status_code == 405
    assert not CalendarFeed.objects.exists()
    client.post(reverse("web:calendar-link-make"))
    assert client.post(reverse("web:calendar-link-remove")).status_code == 302
    assert not CalendarFeed.objects.exists()


# --- Messages sent (administrators) ---------------------------------------------------------

@pytest.fixture
def sends(council_analyst, police_officer):
    council = notification_queue(recipient=council_analyst, subject="Council minutes", body="…")  # no email: given up
    police = notification_queue(recipient=police_officer, subject="Police minutes", body="…")
    NotificationSend.objects.filter(pk=police.pk).update(status=SendStatus.GAVE_UP, last_error="refused")
    return {"council": council, "police": police}


def test_an_administrator_sees_their_organisations_messages_and_sends_one_again(client, council_admin, council_analyst,
                                                                                sends, django_capture_on_commit_callbacks):
    sign_in(client, council_admin)
    page = _text(client.get(reverse("web:notification-list")))
    assert "Council minutes" in page and "no email address" in page and "Police minutes" not in page
    assert client.get(reverse("web:notification-list") + "?status=gave_up").status_code == 200
    assert client.get(reverse("web:notification-list") + "?status=<script>").status_code == 400
    again = reverse("web:notification-send-again", args=[sends["council"].pk])
    client.post(again)  # still no address: refused with the reason, nothing changes
    sends["council"].refresh_from_db()
    assert sends["council"].status == SendStatus.GAVE_UP
    council_analyst.email = "council.analyst@riverford.example"
    council_analyst.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(again).status_code == 302
    sends["council"].refresh_from_db()
    assert sends["council"].status == SendStatus.WAITING and sends["council"].address == "council.analyst@riverford.example"
    from saferplace.notifications.services import notifications_send_due

    assert notifications_send_due()["sent"] == 1 and mail.outbox[0].to == ["council.analyst@riverford.example"]


def test_another_organisations_message_is_not_found_and_not_sent_again(client, council_admin, sends):
    sign_in(client, council_admin)
    assert client.post(reverse("web:notification-send-again", args=[sends["police"].pk])).status_code == 404
    sends["police"].refresh_from_db()
    assert sends["police"].status == SendStatus.GAVE_UP


@pytest.mark.parametrize("persona", ["council_analyst", "police_chair", "council_volunteer", "council_auditor"])
def test_without_managing_people_the_messages_are_refused(client, request, sends, persona):
    sign_in(client, request.getfixturevalue(persona))
    assert client.get(reverse("web:notification-list")).status_code == 403
    assert client.post(reverse("web:notification-send-again", args=[sends["council"].pk])).status_code == 403
    sends["council"].refresh_from_db()
    assert sends["council"].status == SendStatus.GAVE_UP


def test_the_account_page_leads_to_the_calendar_and_administrators_to_the_messages(client, council_admin,
                                                                                   council_analyst):
    sign_in(client, council_analyst)
    page = _text(client.get(reverse("web:account")))
    assert reverse("web:calendar") in page and reverse("web:notification-list") not in page
    sign_in(client, council_admin)
    assert reverse("web:notification-list") in _text(client.get(reverse("web:account")))
