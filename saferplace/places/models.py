"""Geography: force area, local authority, community, ward and LSOA, each a `Place` with its ONS
code, population and, where loaded, a boundary (GeoJSON geometry in WGS84)."""

from django.db import models


class PlaceKind(models.TextChoices):
    FORCE = "force", "Police force area"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    COMMUNITY = "community", "Community"
    WARD = "ward", "Ward"
    LSOA = "lsoa", "Lower layer super output area"


# From the largest to the smallest; a place's parent is of the kind before it.
PLACE_HIERARCHY = [
    PlaceKind.FORCE,
    PlaceKind.LOCAL_AUTHORITY,
    PlaceKind.COMMUNITY,
    PlaceKind.WARD,
    PlaceKind.LSOA,
]


class Place(models.Model):
    kind = models.CharField(max_length=20, choices=PlaceKind.choices, db_index=True)
    code = models.CharField(max_length=20, unique=True, help_text="ONS code, e.g. E01000001")
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry, WGS84")
    # Bounding box and a representative point, filled in from the boundary when it is loaded.
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    centre_lat = models.FloatField(null=True, blank=True)
    centre_lon = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["kind", "parent"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


from saferplace.places.events import PlaceEvent  # noqa: E402,F401 - the app's event table, declared in events.py
