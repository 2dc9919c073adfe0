"""The incident store: every partner's events in one table (crime, ASB, fire, environmental
reports…), each owned by an organisation and filed under a data category so the access policy
can decide who sees it. The intake issue adds importers, runs and the taxonomy on top."""

from django.db import models

from saferplace.partners.models import DataCategory, Organisation
from saferplace.places.models import Place


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"


class LocationPrecision(models.TextChoices):
    EXACT = "exact", "Exact"
    SNAPPED = "snapped", "Snapped or anonymised"
    NONE = "none", "No location"


class Incident(models.Model):
    source = models.CharField(max_length=60, db_index=True, help_text="Source dataset, e.g. police-uk")
    owning_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="incidents")
    data_category = models.ForeignKey(DataCategory, on_delete=models.PROTECT, related_name="incidents")
    external_id = models.CharField(max_length=100, blank=True)
    occurred_on = models.DateField(db_index=True)
    occurred_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    category = models.CharField(max_length=60, db_index=True)
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
        indexes = [models.Index(fields=["owning_organisation", "data_category", "occurred_on"])]

    def __str__(self) -> str:
        label = self.external_id or f"#{self.pk}"
        return f"{self.get_category_display_name()} {label} ({self.occurred_on:%d %b %Y})"

    def get_category_display_name(self) -> str:
        return self.source_category or self.category.replace("-", " ").capitalize()
