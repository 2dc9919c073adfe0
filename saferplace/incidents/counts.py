"""Counts of incidents, kept by the importers so that reads do not grow with the store.

Seven tables, each the incidents grouped at the grain one kind of read needs, and each keeping
the owning organisation and data category so the access policy applies to them exactly as to
the incidents (`access.visible_to` works on them unchanged). The fewer the things a table
groups by, the fewer its rows, and the faster every read of it: a few thousand rows for ten
million incidents in the first.

* `IncidentMonthCount`: by source, category, outcome, month and whether the incident has a
  point: the explorer's totals and months, the home page's tiles, the filter choices and the
  count of a list;
* `IncidentCount`: by source, category, month, LSOA (with its ward and community) and whether
  the incident has a point: the same for a place, and the busiest LSOAs;
* `IncidentCellCount`: by source, category, month, H3 cell and LSOA: the hexagon map and the
  busiest hexagons for a period or a category;
* `IncidentCellTotal`: by H3 cell and LSOA alone, with the incidents' harm summed when counted:
  the map and the busiest hexagons of everything (the view a page opens on), in a tenth of the
  rows (harm weights are set when a category is made; changing one means a recount);
* `IncidentHourCount`: by source, category, outcome, month, how precise the date is, day of
  the week, hour (none for those without a time) and whether they have a point: the
  hours-of-the-week grid, and the totals for chosen hours or days of the week;
* `IncidentWardHourCount`: the same by ward (and community) too: the grid and those totals for
  a ward or a community (an LSOA's are left to the incidents: by LSOA the table would have
  nearly as many rows as there are incidents);
* `IncidentOutcomeCount`: the incidents with an outcome, by source, category, outcome, month,
  LSOA and H3 cell: the busiest places and the map for an outcome. Apart, because by outcome the
  LSOA and cell tables would have two or three times the rows, which every read of them (a
  period, a place) would pay for.

Each row also keeps the first and last day of its incidents, so a period that starts or ends
inside a month is answered exactly whenever no group spans its boundary (see `tallies.py`).
Rows are grouped by partition too: whatever changes incidents (an import, a replacement, a
rollback, a deletion, new outcomes) recounts the partitions it touched in the same transaction
(`recount.py`), so the counts always equal a count over the incidents.

The columns referring to other tables are foreign keys without database constraints: the
counts are derived, rebuilt by `saferplace incidents recount`, and must never stop a delete."""

from django.db import models

from saferplace.partners.models import DataCategory, Organisation
from saferplace.places.models import Place


def _reference(model, **options):
    return models.ForeignKey(model, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
                             db_index=False, **options)


class CountKeys(models.Model):
    partition = _reference("incidents.Partition", null=True)
    owning_organisation = _reference(Organisation)
    data_category = _reference(DataCategory)
    number = models.PositiveIntegerField(help_text="How many incidents")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.number} incidents"


class CountBase(CountKeys):
    source = models.CharField(max_length=60)
    category = _reference("incidents.IncidentCategory", to_field="code", db_column="category")
    month = models.DateField()
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.number} {self.category_id} in {self.month:%Y-%m}"


class PlaceKeys(models.Model):
    lsoa = _reference(Place, null=True)
    ward = _reference(Place, null=True)
    community = _reference(Place, null=True)

    class Meta:
        abstract = True


def _indexes(*, by_month: bool = True) -> list[models.Index]:
    """Each table's indexes: by partition (what a recount deletes), and by what every read
    filters by first (the access policy's owner and data category, then the month)."""
    policy = ["owning_organisation", "data_category", *(["month"] if by_month else [])]
    return [models.Index(fields=["partition"]), models.Index(fields=policy)]


LOCATED = "Whether the incidents have a point (latitude and longitude)"


class IncidentMonthCount(CountBase):
    outcome = _reference("incidents.SourceLabel", null=True)
    located = models.BooleanField(help_text=LOCATED)

    class Meta:
        indexes = _indexes()


class IncidentCount(PlaceKeys, CountBase):
    located = models.BooleanField(help_text=LOCATED)

    class Meta:
        indexes = _indexes()


class IncidentCellCount(PlaceKeys, CountBase):
    h3_cell = models.CharField(max_length=16)

    class Meta:
        # A category's map, and the places of the busiest hexagons, without reading every row.
        indexes = [*_indexes(), models.Index(fields=["category", "month"]), models.Index(fields=["h3_cell"])]


class IncidentCellTotal(PlaceKeys, CountKeys):
    h3_cell = models.CharField(max_length=16)
    harm = models.FloatField(help_text="The sum of the incidents' categories' harm weights when counted")

    class Meta:
        indexes = [*_indexes(by_month=False), models.Index(fields=["h3_cell"])]


class HourKeys(CountBase):
    outcome = _reference("incidents.SourceLabel", null=True)
    occurred_precision = models.CharField(max_length=10)
    weekday = models.PositiveSmallIntegerField(help_text="ISO day of the week: 1 Monday … 7 Sunday")
    hour = models.PositiveSmallIntegerField(null=True, help_text="None: the incidents have no time of day")
    located = models.BooleanField(help_text=LOCATED)

    class Meta:
        abstract = True


class IncidentHourCount(HourKeys):
    class Meta:
        indexes = _indexes()


class IncidentWardHourCount(HourKeys):
    ward = _reference(Place, null=True)
    community = _reference(Place, null=True)

    class Meta:
        # One ward's or community's rows, without reading the others'.
        indexes = [*_indexes(), models.Index(fields=["ward"]), models.Index(fields=["community"])]


class IncidentOutcomeCount(PlaceKeys, CountBase):
    outcome = _reference("incidents.SourceLabel")
    h3_cell = models.CharField(max_length=16, blank=True, help_text="Empty: the incidents have no point")
    located = models.BooleanField(help_text=LOCATED)

    class Meta:
        indexes = [*_indexes(), models.Index(fields=["outcome", "month"])]


class CountsVersion(models.Model):
    """One row: a number raised whenever the counts change (an import, a replacement, a
    rollback, a deletion, new outcomes, a harm weight), in the same transaction. What is worked
    out from the counts (the analyses) records the number it was worked out on, and is stale once
    the number moves on."""

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Counts version {self.number}"


COUNT_MODELS = (IncidentMonthCount, IncidentCount, IncidentCellCount, IncidentCellTotal, IncidentHourCount,
                IncidentWardHourCount, IncidentOutcomeCount)
