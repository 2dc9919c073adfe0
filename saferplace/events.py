"""The base of every event table: one thing that happened to a record (see `saferplace.history`).

It imports nothing of SaferPlace's, so every app's `events.py` (loaded with its models) can use it."""

from django.db import models
from django.utils import timezone


class Event(models.Model):
    """One thing that happened to a record: its kind, who, what changed, why, when."""

    # The actor is copied, not a foreign key, as in the audit trail: history outlives an account.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, help_text="Who, as the audit trail names them")
    actor_organisation = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    note = models.TextField(blank=True, help_text="Why, where the person gave a reason")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor_name} at {self.at:%d %b %Y %H:%M}"
