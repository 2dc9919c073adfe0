"""The timelines of import runs, incidents, mapping profiles and categories (see
`saferplace.history`)."""

from django.db import models

from saferplace.events import Event


class ImportRunEventKind(models.TextChoices):
    QUEUED = "queued", "Queued"
    STARTED = "started", "Started"
    SUCCEEDED = "succeeded", "Imported"
    UNCHANGED = "unchanged", "Unchanged"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Refused"
    RETRIED = "retried", "Queued again"
    STOPPED = "stopped", "Found stopped"


class ImportRunEvent(Event):
    record = models.ForeignKey("incidents.ImportRun", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=ImportRunEventKind.choices)

    class Meta(Event.Meta):
        pass


class IncidentEventKind(models.TextChoices):
    IMPORTED = "imported", "Imported"
    OUTCOME = "outcome", "Outcome"
    REPLACED = "replaced", "Replaced by a later file"
    RAISED = "raised", "Raised by a partner"


class IncidentEvent(Event):
    # DO_NOTHING: replacing a month deletes its incidents' events and then its incidents, each in
    # one statement (`store.incidents_delete`), where Django's cascade would load every incident.
    record = models.ForeignKey("incidents.Incident", on_delete=models.DO_NOTHING, related_name="events")
    kind = models.CharField(max_length=40, choices=IncidentEventKind.choices)

    class Meta(Event.Meta):
        indexes = [models.Index(fields=["record", "at"])]


class MappingProfileEventKind(models.TextChoices):
    ADDED = "added", "Made"
    CHANGED = "changed", "Changed"


class MappingProfileEvent(Event):
    record = models.ForeignKey("incidents.MappingProfile", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=MappingProfileEventKind.choices)

    class Meta(Event.Meta):
        pass


class CategoryEventKind(models.TextChoices):
    ADDED = "added", "Added"
    CHANGED = "changed", "Changed"
    HARM_WEIGHT = "harm_weight", "Harm weight changed"


class CategoryEvent(Event):
    record = models.ForeignKey("incidents.IncidentCategory", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=CategoryEventKind.choices)

    class Meta(Event.Meta):
        pass
