"""The timelines of agreements, organisations and people (see `saferplace.history`)."""

from django.db import models

from saferplace.events import Event


class AgreementEventKind(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CHANGED = "changed", "Changed"
    SIGNED = "signed", "Signed"
    SIGNATURES_REMOVED = "signatures_removed", "Signatures removed"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"
    RESUMED = "resumed", "Resumed"
    REVIEW_DUE = "review_due", "Review due"


class AgreementEvent(Event):
    record = models.ForeignKey("partners.SharingAgreement", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=AgreementEventKind.choices)

    class Meta(Event.Meta):
        pass


class OrganisationEventKind(models.TextChoices):
    ADDED = "added", "Added"
    CHANGED = "changed", "Changed"


class OrganisationEvent(Event):
    record = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=OrganisationEventKind.choices)

    class Meta(Event.Meta):
        pass


class UserEventKind(models.TextChoices):
    ADDED = "added", "Account made"
    ROLE_REQUESTED = "role_requested", "Role requested"
    ROLE_CHANGED = "role_changed", "Role changed"
    ROLE_REFUSED = "role_refused", "Role refused"
    DEACTIVATED = "deactivated", "Account switched off"
    REACTIVATED = "reactivated", "Account switched on"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset by an administrator"
    CHANGED = "changed", "Changed"


class UserEvent(Event):
    record = models.ForeignKey("partners.User", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=UserEventKind.choices)

    class Meta(Event.Meta):
        pass


class DataCategoryEventKind(models.TextChoices):
    ADDED = "added", "Added"
    CHANGED = "changed", "Changed"


class DataCategoryEvent(Event):
    record = models.ForeignKey("partners.DataCategory", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=DataCategoryEventKind.choices)

    class Meta(Event.Meta):
        pass
