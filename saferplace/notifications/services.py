"""Sending: a message is recorded first (`notification_queue`), then sent by the worker
(`notifications_send_due`), each try claimed by one worker only, a failure tried again after a
growing wait and given up after `ATTEMPTS_MOST` tries; an administrator can send a given-up one
again (`notification_retry`)."""

from datetime import datetime, timedelta
from time import monotonic

from django.db import transaction
from django.utils import timezone

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotFound
from saferplace.notifications.backends import Message, SendFailed, backend
from saferplace.notifications.models import NotificationSend, SendStatus
from saferplace.partners import access
from saferplace.partners.models import User

# The wait after the 1st, 2nd… failed try; after the 6th, it is given up.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6))
ATTEMPTS_MOST = len(BACKOFF) + 1
# A claimed send whose worker stopped part-way is due again after this (it may then be sent twice:
# at least once, never lost).
CLAIM_LASTS = timedelta(minutes=10)
SENDS_PER_RUN = 200
NO_EMAIL = "no email address"


# One send run sends every message due, so a process asks for at most one a second: a hundred
# residents' reports a second make one run, not a hundred. A message queued just after a run has
# begun waits for the next (the worker also runs every minute, worker/schedule.py).
ENQUEUE_EVERY_SECONDS = 1.0
_last_enqueued = [float("-inf")]


def _enqueue() -> None:
    # Imported here: the task module imports this one.
    from saferplace.notifications.tasks import send_notifications

    now = monotonic()
    if now - _last_enqueued[0] >= ENQUEUE_EVERY_SECONDS:
        _last_enqueued[0] = now
        send_notifications.enqueue()


def _enqueue_on_commit() -> None:
    transaction.on_commit(_enqueue)


@transaction.atomic
def notification_queue(
    *,
    recipient: User | None,
    subject: str,
    body: str,
    about: str = "",
    attachment: bytes | None = None,
    attachment_name: str = "",
    address: str = "",
) -> NotificationSend:
    """Record a message for `recipient`, to be sent by the worker once the caller's transaction
    commits. A recipient with no email address gets a row marked given up ("no email address"):
    the record says why they were not sent it, and the caller goes on. A member of the public
    (a resident who reported a problem) is no account: `recipient` is None and `address` theirs."""
    address = ((recipient.email or "") if recipient is not None else address).strip()
    send = NotificationSend.objects.create(
        recipient=recipient, address=address, subject=subject.strip()[:300], body=body,
        attachment=attachment or None, attachment_name=attachment_name[:200] if attachment else "",
        about=about[:100], status=SendStatus.WAITING if address else SendStatus.GAVE_UP,
        last_error="" if address else NO_EMAIL,
    )
    if address:
        _enqueue_on_commit()
    return send


def _claim(row: dict, now: datetime) -> bool:
    """Take a due send for this worker: the UPDATE matches only while its status and attempts
    are what this worker read, so of two workers that read it, one claims it."""
    return NotificationSend.objects.filter(
        pk=row["pk"], status=row["status"], attempts=row["attempts"], next_attempt_at__lte=now,
    ).update(attempts=row["attempts"] + 1, next_attempt_at=now + CLAIM_LASTS) == 1


def _send_one(send: NotificationSend, now: datetime) -> str:
    chosen = backend()
    message = Message(address=send.address, subject=send.subject, body=send.body,
                      attachment=bytes(send.attachment) if send.attachment else None,
                      attachment_name=send.attachment_name)
    try:
        reference = chosen.send(message)
    except SendFailed as failure:
        error = str(failure) or type(failure).__name__
        if send.attempts >= ATTEMPTS_MOST:
            values = {"status": SendStatus.GAVE_UP, "last_error": error, "backend": chosen.name}
        else:
            values = {"status": SendStatus.FAILED, "last_error": error, "backend": chosen.name,
                      "next_attempt_at": now + BACKOFF[send.attempts - 1]}
        NotificationSend.objects.filter(pk=send.pk).update(**values)
        return str(values["status"])
    NotificationSend.objects.filter(pk=send.pk).update(
        status=SendStatus.SENT, sent_at=timezone.now(), reference=reference, backend=chosen.name, last_error="")
    return SendStatus.SENT


def notifications_send_due(*, now: datetime | None = None) -> dict:
    """Send every waiting or failed message whose time has come (the worker, every minute).
    Each try is claimed first, so two workers never send one message at the same time; nothing
    is held open while a backend answers. Returns how many were sent, failed and given up."""
    now = now or timezone.now()
    outcome = {"sent": 0, "failed": 0, "gave_up": 0}
    due = list(
        NotificationSend.objects.filter(status__in=[SendStatus.WAITING, SendStatus.FAILED], next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk").values("pk", "status", "attempts")[:SENDS_PER_RUN]
    )
    for row in due:
        if row["attempts"] >= ATTEMPTS_MOST:  # its last try's worker stopped part-way
            if NotificationSend.objects.filter(pk=row["pk"], status=row["status"], attempts=row["attempts"]).update(
                    status=SendStatus.GAVE_UP):
                outcome["gave_up"] += 1
            continue
        if not _claim(row, now):
            continue
        send = NotificationSend.objects.get(pk=row["pk"])
        status = _send_one(send, now)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome


@transaction.atomic
def notification_retry(*, viewer, send: NotificationSend) -> NotificationSend:
    """Send a given-up message again (an administrator of the recipient's organisation, after
    putting right what stopped it, such as a missing email address): from its first try, to
    the recipient's address as it is now."""
    recipient = send.recipient
    if recipient is None:
        raise NotFound(record_type="notifications.notificationsend", record_id=send.pk)
    access.require(viewer, "users.manage", recipient)
    send = NotificationSend.objects.select_for_update().get(pk=send.pk)
    if send.status != SendStatus.GAVE_UP:
        raise ValueError("Only a message that failed every try can be sent again.")
    address = (recipient.email or "").strip()
    if not address:
        raise ValueError(f"{recipient.display_name} has no email address: add one to their account first.")
    before = {"status": send.status, "attempts": send.attempts, "address": send.address}
    send.status, send.attempts, send.address = SendStatus.WAITING, 0, address
    send.next_attempt_at = timezone.now()
    send.save(update_fields=["status", "attempts", "address", "next_attempt_at"])
    audit_record(viewer=viewer, action=AuditAction.CHANGE, obj=send,
                 details={"changes": {name: [str(value), str(getattr(send, name))] for name, value in before.items()},
                          "recipient": recipient.username, "about": send.about})
    _enqueue_on_commit()
    return send
