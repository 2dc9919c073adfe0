"""The incident store: every partner's events in one table (crime, ASB, fire, environmental
reports…), each owned by an organisation and filed under a data category so the access policy
can decide who sees it; one partnership taxonomy of categories; and the record of every import
(runs, rejected rows, mapping profiles, the postcode lookup)."""

from django.conf import settings
from django.db import models

from saferplace.partners.models import DataCategory, Organisation
from saferplace.places.models import Place


class CategoryGroup(models.TextChoices):
    CRIME = "crime", "Crime"
    ASB = "asb", "Anti-social behaviour"
    ENVIRONMENTAL = "environmental", "Environmental"
    FIRE = "fire", "Fire"
    ROAD = "road", "Road safety"
    YOUTH = "youth", "Youth and NEET"
    SAFEGUARDING = "safeguarding", "Safeguarding and domestic abuse"
    HEALTH = "health", "Health"
    DEMAND = "demand", "Calls for service"
    OTHER = "other", "Other"


class IncidentCategory(models.Model):
    """One category of the partnership taxonomy. The built-in rows come from a migration
    (police.uk crime types, ASB, environmental, fire, road collisions, youth); a partnership adds
    its own rows, and sets the harm weight each category carries in analysis."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    group = models.CharField(max_length=20, choices=CategoryGroup.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    harm_weight = models.FloatField(default=1.0, help_text="Relative harm of one incident, for harm-weighted maps")
    description = models.TextField(blank=True)
    is_builtin = models.BooleanField(default=False)

    class Meta:
        ordering = ["group", "name"]
        verbose_name_plural = "incident categories"

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Imported"
    UNCHANGED = "unchanged", "Already imported: nothing changed"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed"


class ImportRun(models.Model):
    """One file brought in by one importer: who, when, the file's hash, and what happened to
    its rows. Runs are kept for good; a rerun of the same file is recorded as unchanged."""

    importer = models.CharField(max_length=40, db_index=True)
    source = models.CharField(max_length=60, blank=True)
    profile = models.ForeignKey("MappingProfile", on_delete=models.PROTECT, null=True, blank=True, related_name="runs")
    file_name = models.CharField(max_length=300)
    file_hash = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="import_runs"
    )
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_replaced = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.importer} {self.file_name} ({self.get_status_display()})"


class ImportRejection(models.Model):
    """A row an import could not take, and why: its row number in the file (the header is row
    1), the field, and the reason."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField()
    field = models.CharField(max_length=100)
    reason = models.CharField(max_length=300)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run", "row_number", "id"]

    def __str__(self) -> str:
        return f"row {self.row_number}, {self.field}: {self.reason}"


class LocationKind(models.TextChoices):
    COORDINATES = "coordinates", "Latitude and longitude columns"
    POSTCODE = "postcode", "A postcode column (centre of the postcode, from the loaded lookup)"
    LSOA = "lsoa", "An LSOA code column"
    NONE = "none", "No location"


class MappingProfile(models.Model):
    """How one partner's spreadsheet maps onto the incident store: which column is the date,
    the category, the location, and how the partner's categories map to the taxonomy."""

    name = models.SlugField(max_length=60, unique=True, help_text="Used on the command line: saferplace import profile NAME FILE")
    description = models.CharField(max_length=300, blank=True)
    owning_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="mapping_profiles")
    data_category = models.ForeignKey(DataCategory, on_delete=models.PROTECT, related_name="mapping_profiles")
    source = models.SlugField(max_length=60, help_text="The dataset name the incidents are filed under")
    date_column = models.CharField(max_length=100)
    date_format = models.CharField(max_length=40, default="%Y-%m-%d", help_text="strftime format, e.g. %d/%m/%Y")
    category_column = models.CharField(max_length=100)
    category_map = models.JSONField(default=dict, blank=True, help_text="The partner's category → taxonomy code")
    default_category = models.ForeignKey(
        IncidentCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="For partner categories not in the map; leave empty to reject such rows",
    )
    location_kind = models.CharField(max_length=20, choices=LocationKind.choices, default=LocationKind.COORDINATES)
    latitude_column = models.CharField(max_length=100, blank=True)
    longitude_column = models.CharField(max_length=100, blank=True)
    postcode_column = models.CharField(max_length=100, blank=True)
    lsoa_column = models.CharField(max_length=100, blank=True)
    external_id_column = models.CharField(max_length=100, blank=True)
    outcome_column = models.CharField(max_length=100, blank=True)
    description_column = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PostcodeCentroid(models.Model):
    """The centre of a postcode, from a loaded lookup (e.g. the ONS Postcode Directory).
    Postcodes are stored upper case without spaces."""

    postcode = models.CharField(max_length=8, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    def __str__(self) -> str:
        return self.postcode


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"


class LocationPrecision(models.TextChoices):
    EXACT = "exact", "Exact"
    SNAPPED = "snapped", "Snapped or anonymised"
    NONE = "none", "No location"


class Incident(models.Model):
    # Indexes are chosen for the queries the store answers (every read filters by owner and data
    # category through the access policy), and kept few: each one slows every import.
    source = models.CharField(max_length=60, help_text="Source dataset, e.g. police-uk")
    # What a re-import replaces: e.g. "Fenshire Police|2026-05" for a police.uk force and month.
    partition = models.CharField(max_length=120, blank=True)
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents", db_index=False
    )
    owning_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="incidents", db_index=False
    )
    data_category = models.ForeignKey(DataCategory, on_delete=models.PROTECT, related_name="incidents", db_index=False)
    external_id = models.CharField(max_length=100, blank=True)
    occurred_on = models.DateField()
    occurred_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    category = models.ForeignKey(
        IncidentCategory, on_delete=models.PROTECT, to_field="code", db_column="category", related_name="incidents"
    )
    source_category = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    location_precision = models.CharField(
        max_length=10, choices=LocationPrecision.choices, default=LocationPrecision.NONE
    )
    location_description = models.CharField(max_length=300, blank=True)
    lsoa = models.ForeignKey(Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ward = models.ForeignKey(Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    community = models.ForeignKey(Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    h3_cell = models.CharField(max_length=16, blank=True, db_index=True)
    outcome = models.CharField(max_length=200, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["owning_organisation", "data_category", "occurred_on"]),
            models.Index(fields=["source", "partition"]),
            models.Index(fields=["source", "external_id"]),
        ]

    def __str__(self) -> str:
        label = self.external_id or f"#{self.pk}"
        return f"{self.get_category_display_name()} {label} ({self.occurred_on:%d %b %Y})"

    def get_category_display_name(self) -> str:
        return self.source_category or self.category_id.replace("-", " ").capitalize()
