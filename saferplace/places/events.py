"""The timeline of a place (see `saferplace.history`)."""

from django.db import models

from saferplace.events import Event


class PlaceEventKind(models.TextChoices):
    ADDED = "added", "Added"
    CHANGED = "changed", "Changed"


class PlaceEvent(Event):
    record = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=PlaceEventKind.choices)

    class Meta(Event.Meta):
        pass
