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
    its rows. Runs are kept for good; a rerun of the same file is recorded as unchanged. A run
    belongs to the organisation whose records it files (`organisation`): only that
    organisation's people see it, and it only ever replaces that organisation's records."""

    importer = models.CharField(max_length=40, db_index=True)
    source = models.CharField(max_length=60, blank=True)
    profile = models.ForeignKey("MappingProfile", on_delete=models.PROTECT, null=True, blank=True, related_name="runs")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="import_runs",
        help_text="Whose records the run files (and whose people see the run)",
    )
    data_category = models.ForeignKey(
        DataCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="For a mapping profile's file: the data category its records are filed under",
    )
    file_name = models.CharField(max_length=300)
    file_hash = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="import_runs"
    )
    started_by_name = models.CharField(max_length=150, blank=True, help_text="Who started it, as the audit trail names them")
    options = models.JSONField(default=dict, blank=True, help_text="The importer's options, for a retry")
    upload = models.FileField(upload_to="uploads/%Y/%m/", max_length=500, blank=True,
                              help_text="The uploaded file, through the storage API, until it is imported")
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="While running: renewed by the process running it; once past, it stopped"
    )
    worker = models.CharField(max_length=200, blank=True, help_text="The process running it")
    attempts = models.PositiveSmallIntegerField(default=0)
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

    def owner_ids(self) -> set[int]:
        return {self.organisation_id} if self.organisation_id else set()


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

    name = models.SlugField(max_length=60, help_text="Used on the command line: saferplace import profile NAME FILE")
    description = models.CharField(max_length=300, blank=True)
    owning_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="mapping_profiles")
    data_category = models.ForeignKey(DataCategory, on_delete=models.PROTECT, related_name="mapping_profiles")
    source = models.SlugField(max_length=60, help_text="The dataset name the incidents are filed under")
    date_column = models.CharField(max_length=100)
    date_format = models.CharField(max_length=40, default="%Y-%m-%d", help_text="strftime format, e.g. %d/%m/%Y")
    time_column = models.CharField(max_length=100, blank=True,
                                   help_text="A column with the time of day, read instead of a time after the date")
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
    person_column = models.CharField(
        max_length=100, blank=True,
        help_text="The person the incident happened to (the partner's reference): stored only as a pseudonym")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owning_organisation", "name"], name="mappingprofile_name_unique_per_owner")
        ]

    def __str__(self) -> str:
        return self.name


class ProfileSampleStatus(models.TextChoices):
    QUEUED = "queued", "Being read"
    READY = "ready", "Ready"
    REFUSED = "refused", "Could not be read"


class ProfileSample(models.Model):
    """A sample of a partner's file, uploaded to build a mapping profile from. The worker reads
    it (a spreadsheet could be built to exhaust whoever opens it, so no web request does) and
    keeps its header and first rows here; only its uploader's organisation sees it. The file is
    kept through Django's storage API (`upload`) until the worker has read it, then deleted."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=300)
    upload = models.FileField(upload_to="samples/%Y/%m/", max_length=500, blank=True,
                              help_text="The sample file, through the storage API, until the worker has read it")
    status = models.CharField(max_length=20, choices=ProfileSampleStatus.choices, default=ProfileSampleStatus.QUEUED)
    header = models.JSONField(default=list, blank=True)
    rows = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file_name

    def owner_ids(self) -> set[int]:
        return {self.organisation_id}


class PostcodeCentroid(models.Model):
    """The centre of a postcode, from a loaded lookup (e.g. the ONS Postcode Directory).
    Postcodes are stored upper case without spaces."""

    postcode = models.CharField(max_length=8, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    def __str__(self) -> str:
        return self.postcode


EXTERNAL_ID_LENGTH = 100  # a partner's own reference for a record


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"


class LocationPrecision(models.TextChoices):
    EXACT = "exact", "Exact"
    SNAPPED = "snapped", "Snapped or anonymised"
    NONE = "none", "No location"


def location_key(precision: str, latitude: float | None, longitude: float | None, description: str) -> str:
    """What identifies a location: its precision, exact coordinates and description."""
    return f"{precision}|{latitude!r}|{longitude!r}|{description}"


class Location(models.Model):
    """Where incidents happened, stored once and shared by every incident recorded there: the
    point (if any), how precise it is, the source's own description, and the H3 cell. police.uk
    publishes a few thousand anonymised map points per force, so a million crimes need only a few
    thousand locations. `key` identifies a location: precision, coordinates and description."""

    key = models.CharField(max_length=400, unique=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    precision = models.CharField(max_length=10, choices=LocationPrecision.choices, default=LocationPrecision.NONE)
    description = models.CharField(max_length=300, blank=True)
    h3_cell = models.CharField(max_length=16, blank=True, db_index=True)

    def __str__(self) -> str:
        return self.description or (f"{self.latitude}, {self.longitude}" if self.latitude is not None else "No location")


class Partition(models.Model):
    """What a re-import replaces, per source: e.g. "Fenshire Police|2026-05" for one police.uk
    force and month, "stats19|2025" for a STATS19 year, "profile:<name>" for a mapping profile."""

    source = models.CharField(max_length=60)
    key = models.CharField(max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="partition_source_key_unique")]

    def __str__(self) -> str:
        return f"{self.source} {self.key}"


class SourceLabel(models.Model):
    """A text exactly as a source wrote it (its own category, an outcome), stored once: there
    are a few dozen distinct ones for a million incidents."""

    text = models.CharField(max_length=200, unique=True)

    def __str__(self) -> str:
        return self.text


class SourceBlock(models.Model):
    """The imported file itself, kept in compressed blocks of whole rows: the raw source row of
    every incident the run imported is read back from here (`Incident.source_row` is its row
    number in the file, the header being row 1). Block texts are CSV, compressed with zstd."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="source_blocks")
    first_row = models.PositiveIntegerField()
    row_count = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "first_row"], name="sourceblock_run_first_row_unique")]
        ordering = ["run", "first_row"]

    def __str__(self) -> str:
        return f"Rows {self.first_row}–{self.first_row + self.row_count - 1} of run {self.run_id}"


class Incident(models.Model):
    # The table is kept narrow, because a bulk import writes millions of rows: repeated texts
    # (locations, partitions, the source's labels) are stored once in their own tables and
    # referenced, the raw row stays in the run's source blocks, and indexes are few (every read
    # filters by owner and data category through the access policy).
    source = models.CharField(max_length=60, help_text="Source dataset, e.g. police-uk")
    partition = models.ForeignKey(
        Partition, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents", db_index=False
    )
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents", db_index=False
    )
    owning_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="incidents", db_index=False
    )
    data_category = models.ForeignKey(DataCategory, on_delete=models.PROTECT, related_name="incidents", db_index=False)
    external_id = models.CharField(max_length=EXTERNAL_ID_LENGTH, blank=True)
    occurred_on = models.DateField()
    occurred_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    occurred_time = models.TimeField(null=True, blank=True, help_text="The time of day, where the source gives it")
    category = models.ForeignKey(
        IncidentCategory, on_delete=models.PROTECT, to_field="code", db_column="category", related_name="incidents",
        db_index=False,
    )
    source_category = models.ForeignKey(
        SourceLabel, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents", db_index=False
    )
    lsoa = models.ForeignKey(Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    ward = models.ForeignKey(Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    community = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    outcome = models.ForeignKey(SourceLabel, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    source_row = models.PositiveIntegerField(null=True, blank=True, help_text="Row number in the run's file (header = 1)")
    raw = models.JSONField(null=True, blank=True, help_text="The source record, for incidents not read from a file")

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [
            # A page of the list read straight off the index (incidents/pages.py), in the list's
            # order: by day, then by id. The id is written out for PostgreSQL, whose index keeps
            # a day's entries in no order of their own (SQLite's has the rowid, the id, last).
            models.Index(fields=["owning_organisation", "data_category", "occurred_on", "id"]),
            models.Index(fields=["partition"]),  # what a re-import replaces and the counts recount
            # The same for one category.
            models.Index(fields=["owning_organisation", "data_category", "category", "occurred_on", "id"]),
            # The incidents near a point: from the locations in the cells around it (selectors.cells_within).
            models.Index(fields=["location"]),
        ]

    def __str__(self) -> str:
        label = self.external_id or f"#{self.pk}"
        return f"{self.get_category_display_name()} {label} ({self.occurred_on:%d %b %Y})"

    def get_category_display_name(self) -> str:
        if self.source_category_id:
            return self.source_category.text
        return self.category.name

    # The location's fields, read through it (select_related("location") when listing).
    @property
    def latitude(self) -> float | None:
        return self.location.latitude if self.location_id else None

    @property
    def longitude(self) -> float | None:
        return self.location.longitude if self.location_id else None

    @property
    def h3_cell(self) -> str:
        return self.location.h3_cell if self.location_id else ""

    @property
    def location_precision(self) -> str:
        return self.location.precision if self.location_id else LocationPrecision.NONE.value

    @property
    def location_description(self) -> str:
        return self.location.description if self.location_id else ""

    def get_location_precision_display(self) -> str:
        return LocationPrecision(self.location_precision).label

    @property
    def outcome_text(self) -> str:
        return self.outcome.text if self.outcome_id else ""

    @property
    def source_category_text(self) -> str:
        return self.source_category.text if self.source_category_id else ""


from saferplace.incidents import transforms  # noqa: E402,F401 - the date and time lookups, registered once
from saferplace.incidents.counts import (  # noqa: E402,F401 - the counts kept for reads, declared in counts.py
    IncidentCellCount,
    IncidentCount,
    IncidentHourCount,
)
from saferplace.incidents.events import (  # noqa: E402,F401 - the app's event tables, declared in events.py
    CategoryEvent,
    ImportRunEvent,
    IncidentEvent,
    MappingProfileEvent,
)
from saferplace.incidents.people import IncidentPerson  # noqa: E402,F401 - declared in people.py
