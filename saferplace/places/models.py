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



class StreetKind(models.TextChoices):
    """The class of a road, from the most important (OS Open Roads' road classification)."""

    MOTORWAY = "motorway", "Motorway"
    A_ROAD = "a_road", "A road"
    B_ROAD = "b_road", "B road"
    MINOR = "minor", "Minor road"
    LOCAL = "local", "Local street"


# From the most important; a map shows the first ones when zoomed out.
STREET_HIERARCHY = [StreetKind.MOTORWAY, StreetKind.A_ROAD, StreetKind.B_ROAD, StreetKind.MINOR, StreetKind.LOCAL]
MAJOR_STREET_KINDS = (StreetKind.MOTORWAY, StreetKind.A_ROAD, StreetKind.B_ROAD)


class Street(models.Model):
    """A street or road link, as reference data for maps and for naming where things are (not
    personal data). Streets are loaded in sets: `source` names the file or generator, and
    loading a source again replaces its streets."""

    source = models.CharField(max_length=100, db_index=True, help_text="The file or generator the street came from")
    name = models.CharField(max_length=200, blank=True)
    number = models.CharField(max_length=20, blank=True, help_text="Road number, e.g. A47")
    kind = models.CharField(max_length=20, choices=StreetKind.choices, default=StreetKind.LOCAL)
    geometry = models.JSONField(help_text="GeoJSON LineString or MultiLineString, WGS84")
    # Bounding box, where its label goes and its length, filled in from the geometry.
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    label_lat = models.FloatField()
    label_lon = models.FloatField()
    length_metres = models.FloatField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["min_lat", "max_lat", "min_lon", "max_lon"], name="street_bounds")]

    def __str__(self) -> str:
        return self.label or f"Unnamed {self.get_kind_display().lower()}"

    @property
    def label(self) -> str:
        """What a map writes beside it: "High Street (A47)", "High Street" or "A47"."""
        if self.name and self.number:
            return f"{self.name} ({self.number})"
        return self.name or self.number


from saferplace.places.events import PlaceEvent  # noqa: E402,F401 - the app's event table, declared in events.py
