"""Harm weights as data, with where they came from.

A partnership loads published tables (`HarmTable`): a list of offence weights (the ONS Crime
Severity Score's, or the Cambridge Crime Harm Index's), and a mapping of Home Office offence
codes to police.uk crime types with each offence's volume. From one of each, every police.uk
category's weight is derived (`analysis.harm`): the volume-weighted mean of its offences'
weights. The weights themselves are the categories' (`IncidentCategory.harm_weight`), each change
an event of the category with the derivation or reason behind it."""

from django.db import models

from saferplace.events import Event


class HarmTableKind(models.TextChoices):
    CSS = "css", "ONS Crime Severity Score weights"
    CCHI = "cchi", "Cambridge Crime Harm Index"
    OFFENCE_MAPPING = "offence-mapping", "Home Office offence codes to police.uk crime types, with volumes"


WEIGHTS = (HarmTableKind.CSS, HarmTableKind.CCHI)


class HarmTable(models.Model):
    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=HarmTableKind.choices)
    source = models.TextField(blank=True, help_text="Where it was published: title, edition, address")
    illustrative = models.BooleanField(default=False, help_text="Made-up values for a demonstration, not a publication's")
    file_sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-loaded_at", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}{', illustrative' if self.illustrative else ''})"


class OffenceWeight(models.Model):
    table = models.ForeignKey(HarmTable, on_delete=models.CASCADE, related_name="weights")
    offence_code = models.CharField(max_length=20)
    offence = models.CharField(max_length=300, blank=True)
    weight = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table", "offence_code"], name="offence_weight_unique")]

    def __str__(self) -> str:
        return f"{self.offence_code} {self.weight}"


class OffenceMapping(models.Model):
    table = models.ForeignKey(HarmTable, on_delete=models.CASCADE, related_name="mappings")
    offence_code = models.CharField(max_length=20)
    offence = models.CharField(max_length=300, blank=True)
    category = models.ForeignKey("incidents.IncidentCategory", on_delete=models.PROTECT, to_field="code",
                                 db_column="category", related_name="+")
    volume = models.PositiveIntegerField(help_text="How many of these offences were recorded (the weights' weights)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table", "offence_code"], name="offence_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.offence_code} → {self.category_id}"


class HarmTableEventKind(models.TextChoices):
    LOADED = "loaded", "Loaded"
    DERIVED = "derived", "Categories' weights derived from it"


class HarmTableEvent(Event):
    record = models.ForeignKey(HarmTable, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=HarmTableEventKind.choices)

    class Meta(Event.Meta):
        pass


class ResultStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be worked out"
    RUNNING = "running", "Being worked out"
    DONE = "done", "Worked out"
    REFUSED = "refused", "Could not be worked out (see why)"
    FAILED = "failed", "Failed"


class AnalysisResult(models.Model):
    """An analysis worked out in the background (pages never compute a cube in the request):
    one per kind, choices and reading rule (`key`: the same choices for two people who may read
    the same records are one result; anyone else's are another), with the counts' version it was
    worked out on. Stale once the counts move on; worked out again by the worker."""

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the kind, the choices and the reading rule")
    kind = models.CharField(max_length=30)
    choices = models.JSONField(help_text="The analysis's arguments, as data")
    reading_rule = models.JSONField(null=True, help_text="Whose records it counts (access.grant_terms); null: all")
    requested_by = models.ForeignKey("partners.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=ResultStatus.choices, default=ResultStatus.QUEUED)
    version = models.PositiveBigIntegerField(null=True, help_text="The counts' version it was worked out on")
    result = models.JSONField(null=True)
    message = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_status_display()})"


SCALE = "0 none, 1 low, 2 moderate, 3 high, 4 very high"


class PriorityWeight(models.Model):
    """How much each dimension of the threat, risk and harm matrix counts in an issue's score
    (`analysis.priority`): data a partnership changes, not code."""

    dimension = models.CharField(max_length=30, unique=True)
    weight = models.FloatField()
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.dimension}: {self.weight:g}"


class CategoryRisk(models.Model):
    """A category's scores on the matrix's dimensions that belong to what happened rather than
    to where or how often (MoRiLE's harm types, the vulnerability of those affected, the
    partnership's capacity and opportunity to act), each on the scale 0 to 4."""

    category = models.OneToOneField("incidents.IncidentCategory", on_delete=models.CASCADE, to_field="code",
                                    db_column="category", related_name="+")
    physical = models.PositiveSmallIntegerField(help_text=SCALE)
    psychological = models.PositiveSmallIntegerField(help_text=SCALE)
    community = models.PositiveSmallIntegerField(help_text=SCALE)
    financial = models.PositiveSmallIntegerField(help_text=SCALE)
    vulnerability = models.PositiveSmallIntegerField(help_text=SCALE)
    capacity = models.PositiveSmallIntegerField(help_text=SCALE + " (how able the partnership is to act on it)")

    def __str__(self) -> str:
        return f"{self.category_id} risk"


class RepeatSubject(models.TextChoices):
    PLACE = "place", "The same place (repeat locations)"
    PERSON = "person", "The same person (repeat victims)"


class RepeatRule(models.Model):
    """What counts as a repeat: `times` incidents or more at the same place, or to the same
    person (`subject`), within `days` days, for one category or (none) any. Data a partnership
    changes."""

    subject = models.CharField(max_length=10, choices=RepeatSubject.choices, default=RepeatSubject.PLACE)
    category = models.ForeignKey("incidents.IncidentCategory", on_delete=models.CASCADE, to_field="code",
                                 db_column="category", null=True, blank=True, related_name="+")
    times = models.PositiveSmallIntegerField()
    days = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        who = "to the same person" if self.subject == RepeatSubject.PERSON else "at the same place"
        return f"{self.times} in {self.days} days {who} ({self.category_id or 'any category'})"


class SettingEventKind(models.TextChoices):
    ADDED = "added", "Added"
    CHANGED = "changed", "Changed"
    REMOVED = "removed", "Removed"


class PriorityWeightEvent(Event):
    """A change of a dimension's weight, with who, why and from → to (`analysis.settings_services`)."""

    record = models.ForeignKey(PriorityWeight, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=SettingEventKind.choices)

    class Meta(Event.Meta):
        pass


class CategoryRiskEvent(Event):
    """A change of a category's levels on the matrix."""

    record = models.ForeignKey(CategoryRisk, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=SettingEventKind.choices)

    class Meta(Event.Meta):
        pass


class RepeatRuleEvent(Event):
    """A repeat rule added, changed or removed. A removed rule's events stay (their record
    becomes none), the last saying what the rule was."""

    record = models.ForeignKey(RepeatRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    kind = models.CharField(max_length=40, choices=SettingEventKind.choices)

    class Meta(Event.Meta):
        pass
