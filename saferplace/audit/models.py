"""The audit trail: an append-only, hash-chained record of who did what to which record.

Each entry stores the hash of the entry before it, and its own hash covers its content and
that previous hash, keyed with a secret the database does not hold, so editing, deleting or
recomputing entries breaks the chain (`saferplace audit verify`). Signed checkpoints of the
chain's head, written outside the database, show when entries were cut off the end. Database
triggers refuse UPDATE and DELETE on the table."""

from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    VIEW = "view", "Viewed"
    REVEAL = "reveal", "Revealed"
    EXPORT = "export", "Exported"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    LOCKED_OUT = "locked_out", "Locked out"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Set up two-factor sign-in"
    REFUSED = "refused", "Refused"


class AuditEntry(models.Model):
    sequence = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    # The actor is copied as text, not a foreign key, so the trail outlives the user account.
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_organisation = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    ip_address = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # How the actor came in: web, api, command line, task.
    channel = models.CharField(max_length=20, blank=True)
    # The ids of the records of `object_type` shown or exported, as ",12,57," so that searching
    # for one record finds every list and page that disclosed it.
    record_ids = models.TextField(blank=True)
    # The key the hash was made with ("" for the unkeyed entries made before keys came in).
    key_id = models.CharField(max_length=40, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-sequence"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.sequence} {self.actor_username or 'system'} {self.action} {self.object_type} {self.object_id}"
