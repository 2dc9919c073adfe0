"""What SaferPlace sends people (minutes, reminders, escalations), one row per message and
recipient, with its outcome: a send is recorded before it is tried, tried by the worker, and
tried again with a growing wait when the backend fails (`services.notifications_send_due`)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SendStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will be tried again"
    GAVE_UP = "gave_up", "Failed every try"


class NotificationSend(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="notifications")
    address = models.EmailField(help_text="Where it went, as it was when sent")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment = models.BinaryField(null=True, blank=True, help_text="A PDF made for this recipient")
    about = models.CharField(max_length=100, blank=True, help_text="What it is about, e.g. meetings.meeting:12")
    backend = models.CharField(max_length=20, blank=True, help_text="email or notify, the one that sent it")
    status = models.CharField(max_length=20, choices=SendStatus.choices, default=SendStatus.WAITING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True, help_text="The backend's id for the message")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} to {self.address} ({self.get_status_display()})"
