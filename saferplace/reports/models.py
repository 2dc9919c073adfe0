"""Public reports: what residents tell the partnership (a fly tip, a broken light, drug dealing
in a stairwell), on the web or through any Open311 GeoReport v2 client, and what was done.

What can be reported is data (`Service`, its questions `ServiceAttribute`); who handles it is data
(`RoutingRule`: organisation × service × area); a report's states are data (`ReportState`, typed
open, fixed, closed or hidden as FixMyStreet's State table), and so are the messages a resident is
sent (`ResponseTemplate`). A report belongs to the partner it is routed to (`owning_organisation`)
and to its service's data category, so the access policy reads it like every other record; a
report of a private service (safeguarding) is never public."""

from django.db import models
from django.utils import timezone

from saferplace.events import Event


class ServiceType(models.TextChoices):
    REALTIME = "realtime", "Realtime"
    BATCH = "batch", "Batch"
    BLACKBOX = "blackbox", "Blackbox"


class Service(models.Model):
    """Data: a kind of problem a resident may report (Open311's service)."""

    code = models.SlugField(max_length=60, unique=True, help_text="Open311 service_code")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    group = models.CharField(max_length=80, help_text="How the web journey groups it, e.g. Streets and rubbish")
    keywords = models.CharField(max_length=300, blank=True, help_text="Comma-separated, for the search")
    data_category = models.ForeignKey("partners.DataCategory", on_delete=models.PROTECT, related_name="+")
    incident_category = models.ForeignKey("incidents.IncidentCategory", on_delete=models.SET_NULL, null=True,
                                          blank=True, related_name="+", help_text="What a report raises as an incident")
    private = models.BooleanField(default=False, help_text="Never listed publicly; its reports never public")
    urgent = models.BooleanField(default=False, help_text="Its reports go straight to the urgent queue")
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["group", "order", "name"]

    def __str__(self) -> str:
        return self.name


class AttributeType(models.TextChoices):
    STRING = "string", "Short text"
    NUMBER = "number", "Number"
    DATETIME = "datetime", "Date and time"
    TEXT = "text", "Long text"
    SINGLE = "singlevaluelist", "One of a list"
    MULTI = "multivaluelist", "Any of a list"


class ServiceAttribute(models.Model):
    """Data: a question a service asks (the seeds' initial-investigation prompts; Open311's
    attribute)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField(max_length=60)
    description = models.CharField(max_length=300, help_text="The question as the resident reads it")
    datatype = models.CharField(max_length=20, choices=AttributeType.choices, default=AttributeType.STRING)
    datatype_description = models.CharField(max_length=200, blank=True)
    required = models.BooleanField(default=False)
    variable = models.BooleanField(default=True, help_text="False: information shown, not asked")
    order = models.PositiveSmallIntegerField(default=0)
    values = models.JSONField(default=list, blank=True, help_text='For lists: [{"key": ..., "name": ...}]')

    class Meta:
        ordering = ["service", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="service_attribute_unique")]

    def __str__(self) -> str:
        return f"{self.service}: {self.description}"


class StateKind(models.TextChoices):
    OPEN = "open", "Open"
    FIXED = "fixed", "Fixed"
    CLOSED = "closed", "Closed, not fixed"
    HIDDEN = "hidden", "Hidden (never public)"


class ReportState(models.Model):
    """Data: a report's states, each of a kind (FixMyStreet's State table), with the extended
    status an Open311 client is told."""

    code = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100, help_text="As the resident reads it")
    kind = models.CharField(max_length=10, choices=StateKind.choices)
    external_status = models.CharField(max_length=40, help_text="FixMyStreet's extended status, e.g. ACTION_SCHEDULED")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name

    @property
    def open311_status(self) -> str:
        return "open" if self.kind == StateKind.OPEN else "closed"


class RoutingRule(models.Model):
    """Data: which partner handles a service where. The rule of the smallest area holding the
    report's point wins; a rule with no area holds everywhere."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="routes")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "place"], name="routing_one_per_area"),
                       models.UniqueConstraint(fields=["service"], condition=models.Q(place=None),
                                               name="routing_one_everywhere")]

    def __str__(self) -> str:
        return f"{self.service} in {self.place or 'everywhere'} → {self.organisation}"


class ResponseTemplate(models.Model):
    """Data: what a resident is told when their report moves to a state (per service, or for
    every service when `service` is empty)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    state = models.ForeignKey(ReportState, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "state"], name="response_template_unique")]

    def __str__(self) -> str:
        return f"{self.service or 'Any service'}, {self.state}"


class Channel(models.TextChoices):
    WEB = "web", "The website"
    OPEN311 = "open311", "An Open311 app"


class Report(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="reports")
    state = models.ForeignKey(ReportState, on_delete=models.PROTECT, related_name="+")
    owning_organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="+",
                                            help_text="The partner it is routed to")
    data_category = models.ForeignKey("partners.DataCategory", on_delete=models.PROTECT, related_name="+")
    is_public = models.BooleanField(default=True, db_index=True)
    urgent = models.BooleanField(default=False)
    token = models.CharField(max_length=20, unique=True, help_text="The resident's reference")
    description = models.TextField()
    latitude = models.FloatField()
    longitude = models.FloatField()
    address = models.CharField(max_length=200, blank=True, help_text="As the resident gave it")
    where = models.CharField(max_length=200, blank=True, help_text="The street and area, as SaferPlace found it")
    place = models.ForeignKey("places.Place", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              help_text="The area it was routed in")
    attributes = models.JSONField(default=dict, blank=True)
    anonymous = models.BooleanField(default=False, help_text="The name is not shown publicly")
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    api_key = models.ForeignKey("ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates")
    media_url = models.URLField(max_length=500, blank=True, help_text="A photo elsewhere, as an Open311 app sent it")
    supporters = models.PositiveIntegerField(default=0, help_text="Residents who added their voice")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["is_public", "created_at", "id"]),
                   models.Index(fields=["owning_organisation", "state"])]

    def __str__(self) -> str:
        return f"{self.service} ({self.token})"


class ReportPhoto(models.Model):
    """A photo of a report, re-encoded without its EXIF (GPS included), under a name the server
    made; shown only through the app, and publicly only while its report is public."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    file = models.CharField(max_length=300, help_text="Its name in Django's storage")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"photo of {self.report}"


class ReportUpdate(models.Model):
    """What the resident (and the public, for a public report) is told: a state change or a
    comment, with its message (Open311's service request update)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="updates")
    state = models.ForeignKey(ReportState, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    by = models.CharField(max_length=200, help_text="The partner, or 'A resident'")
    from_resident = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.state} on {self.report}"


class ApiKey(models.Model):
    """An Open311 client application's key (hashed; shown once). A key of a partner
    (`organisation`) may post status updates on that partner's reports; any key may post reports."""

    name = models.CharField(max_length=100, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="+")
    per_minute = models.PositiveIntegerField(default=600, help_text="Requests a minute before it is refused")
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class IdempotentAnswer(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`: a retry gets it again."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "key"], name="idempotent_answer_once")]

    def __str__(self) -> str:
        return f"{self.key} of {self.api_key}"


class ReportEventKind(models.TextChoices):
    CREATED = "created", "Reported"
    STATE = "state", "State changed"
    ACCEPTED = "accepted", "Accepted"
    REASSIGNED = "reassigned", "Reassigned"
    DUPLICATE = "duplicate", "Marked as a duplicate"
    SUPPORTED = "supported", "A resident added their voice"
    INCIDENT = "incident", "Raised as an incident"
    TASK = "task", "Made a task"
    MEETING = "meeting", "Put forward to the meeting"
    COMMENT = "comment", "Update"
    REOPENED = "reopened", "Reopened by a resident"


class ReportEvent(Event):
    record = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=ReportEventKind.choices)

    class Meta(Event.Meta):
        pass
