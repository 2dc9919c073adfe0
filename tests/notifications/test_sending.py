"""Sending: a message is recorded, then sent by the worker through Django email (locmem here) or
GOV.UK Notify (its HTTP boundary faked), tried again after a failure with a growing wait, and
given up after six tries; two workers never send one message twice."""

import base64
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from saferplace.notifications import backends
from saferplace.notifications.models import NotificationSend, SendStatus
from saferplace.notifications.services import (
    ATTEMPTS_MOST,
    BACKOFF,
    _claim,
    notification_queue,
    notifications_send_due,
)

PDF = b"%PDF-1.7 minutes for one recipient"


@pytest.fixture
def recipient(council_analyst):
    council_analyst.email = "council.analyst@riverford.example"
    council_analyst.save(update_fields=["email"])
    return council_analyst


def test_a_queued_message_is_sent_by_email_with_its_pdf(recipient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send = notification_queue(recipient=recipient, subject="Minutes of the DRMM", body="The minutes are attached.",
                                  about="meetings.meeting:1", attachment=PDF, attachment_name="minutes.pdf")
    assert send.status == SendStatus.WAITING and send.address == "council.analyst@riverford.example"
    assert DBTaskResult.objects.filter(task_path="saferplace.notifications.tasks.send_notifications").exists()
    assert mail.outbox == []  # nothing is sent inside the request: the worker sends it

    assert notifications_send_due() == {"sent": 1, "failed": 0, "gave_up": 0}
    send.refresh_from_db()
    assert send.status == SendStatus.SENT and send.sent_at is not None and send.backend == "email"
    assert send.reference.startswith("<") and send.attempts == 1
    [message] = mail.outbox
    assert message.to == ["council.analyst@riverford.example"] and message.subject == "Minutes of the DRMM"
    assert message.attachments[0][0] == "minutes.pdf" and message.attachments[0][1] == PDF
    assert message.extra_headers["Message-ID"] == send.reference
    assert notifications_send_due() == {"sent": 0, "failed": 0, "gave_up": 0}  # never twice


def test_a_recipient_without_an_email_is_recorded_as_given_up_not_an_error(council_analyst,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send = notification_queue(recipient=council_analyst, subject="Minutes", body="…")
    assert send.status == SendStatus.GAVE_UP and send.last_error == "no email address"
    assert not DBTaskResult.objects.exists()
    assert notifications_send_due()["sent"] == 0 and mail.outbox == []


class Broken:
    name = "email"

    def __init__(self):
        self.tries = 0

    def send(self, message):
        self.tries += 1
        raise backends.SendFailed("SMTPServerDisconnected: Connection unexpectedly closed")


def test_a_failure_is_tried_again_after_a_growing_wait_then_sent(recipient, monkeypatch):
    send = notification_queue(recipient=recipient, subject="Minutes", body="…")
    broken = Broken()
    monkeypatch.setattr("saferplace.notifications.services.backend", lambda: broken)
    now = timezone.now()
    assert notifications_send_due(now=now) == {"sent": 0, "failed": 1, "gave_up": 0}
    send.refresh_from_db()
    assert send.status == SendStatus.FAILED and "Connection unexpectedly closed" in send.last_error
    assert send.next_attempt_at == now + BACKOFF[0] and send.attempts == 1
    assert notifications_send_due(now=now + timedelta(seconds=59))["failed"] == 0  # not due yet
    assert broken.tries == 1

    later = now + BACKOFF[0]
    assert notifications_send_due(now=later)["failed"] == 1
    send.refresh_from_db()
    assert send.attempts == 2 and send.next_attempt_at == later + BACKOFF[1]

    monkeypatch.setattr("saferplace.notifications.services.backend", backends.EmailBackend)
    assert notifications_send_due(now=later + BACKOFF[1])["sent"] == 1
    send.refresh_from_db()
    assert send.status == SendStatus.SENT and send.attempts == 3 and send.last_error == ""
    assert len(mail.outbox) == 1


def test_after_six_failed_tries_it_is_given_up(recipient, monkeypatch):
    send = notification_queue(recipient=recipient, subject="Minutes", body="…")
    monkeypatch.setattr("saferplace.notifications.services.backend", Broken)
    moment = timezone.now()
    waits = []
    for _ in range(ATTEMPTS_MOST):
        notifications_send_due(now=moment)
        send.refresh_from_db()
        waits.append(send.next_attempt_at - moment)
        moment = send.next_attempt_at
    assert send.status == SendStatus.GAVE_UP and send.attempts == 6
    assert waits[:5] == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                         timedelta(hours=6)]
    assert notifications_send_due(now=moment + timedelta(days=1)) == {"sent": 0, "failed": 0, "gave_up": 0}


def test_two_workers_never_claim_the_same_try(recipient):
    send = notification_queue(recipient=recipient, subject="Minutes", body="…")
    now = timezone.now()
    row = NotificationSend.objects.filter(pk=send.pk).values("pk", "status", "attempts").get()
    assert _claim(row, now) is True
    assert _claim(row, now) is False  # the second worker read the same row before the first claimed it
    assert notifications_send_due(now=now)["sent"] == 0  # claimed: not due until its claim lapses


class FakeResponse:
    status_code = 201

    def __init__(self, payload):
        self.payload = payload

    def json(self):
        return self.payload

    def raise_for_status(self):
        return None


def test_notify_is_used_when_configured_with_the_pdf_as_a_file(recipient, settings, monkeypatch):
    settings.NOTIFY_API_KEY = "saferplace_test-" + "1" * 8 + "-1111-1111-1111-111111111111-" + "2" * 8 + "-2222-2222-2222-222222222222"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = "33333333-3333-3333-3333-333333333333"
    calls = []

    def fake_request(session, method, url, **kwargs):
        calls.append((method, url, kwargs))
        return FakeResponse({"id": "aaaaaaaa-0000-0000-0000-000000000001"})

    monkeypatch.setattr("requests.Session.request", fake_request)
    send = notification_queue(recipient=recipient, subject="Minutes", body="Attached.", attachment=PDF,
                              attachment_name="minutes.pdf")
    assert notifications_send_due()["sent"] == 1
    send.refresh_from_db()
    assert send.backend == "notify" and send.reference == "aaaaaaaa-0000-0000-0000-000000000001"
    [(method, url, kwargs)] = calls
    assert method == "POST" and url == "https://api.notifications.service.gov.uk/v2/notifications/email"
    body = json.loads(kwargs["data"])
    assert body["email_address"] == "council.analyst@riverford.example"
    assert body["template_id"] == settings.NOTIFY_EMAIL_TEMPLATE_ID
    assert body["personalisation"]["subject"] == "Minutes" and body["personalisation"]["body"] == "Attached."
    assert base64.b64decode(body["personalisation"]["link_to_file"]["file"]) == PDF
    assert body["personalisation"]["link_to_file"]["filename"] == "minutes.pdf"
    assert kwargs["headers"]["Authorization"].startswith("Bearer ")
    assert mail.outbox == []


def test_a_notify_refusal_is_a_failure_with_its_reason(recipient, settings, monkeypatch):
    import requests

    settings.NOTIFY_API_KEY = "saferplace_test-" + "1" * 8 + "-1111-1111-1111-111111111111-" + "2" * 8 + "-2222-2222-2222-222222222222"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = "33333333-3333-3333-3333-333333333333"

    def refusing(session, method, url, **kwargs):
        response = requests.Response()
        response.status_code = 400
        response._content = json.dumps({"errors": [{"error": "BadRequestError",
                                                    "message": "Missing personalisation: link_to_file"}]}).encode()
        raise requests.HTTPError(response=response)

    monkeypatch.setattr("requests.Session.request", refusing)
    send = notification_queue(recipient=recipient, subject="Minutes", body="…")
    assert notifications_send_due()["failed"] == 1
    send.refresh_from_db()
    assert send.status == SendStatus.FAILED and "400" in send.last_error and "link_to_file" in send.last_error
    assert settings.NOTIFY_API_KEY[-36:] not in send.last_error
