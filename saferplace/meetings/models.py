"""Meetings: series (the daily risk management meeting, a problem-solving group), each meeting's
agenda, attendance, and the items the partnership works on across meetings.

An item (`Item`) lives across meetings: it is put on a meeting's agenda (`AgendaEntry`) each
time it is discussed, and its decisions, notes and state changes stay with it, so its timeline
is its whole history. States and their transitions are data (`ItemState`, `ItemTransition`).

Items are de-identified: their title and summary say what and where at street level, never who.
Identifiable details (`IdentifiableDetail`) belong to the agency that gave them, under a data
category, and are shown only to a person whose agency the chair has engaged on the item and
whom the sharing agreements allow, after they give a reason (`ItemReveal`, audited)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from saferplace.events import Event


class MeetingKind(models.TextChoices):
    DAILY = "daily", "Daily risk management meeting"
    PROBLEM_SOLVING = "problem_solving", "Problem-solving group"
    TACTICAL = "tactical", "Partner tactical meeting"


class MeetingSeries(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=MeetingKind.choices, default=MeetingKind.DAILY)
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="+",
                                     help_text="The chair's organisation, which runs the series")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey("places.Place", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    member_organisations = models.ManyToManyField("partners.Organisation", related_name="meeting_series")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="meeting_series")
    weekdays = models.JSONField(default=list, help_text="Days it meets, 0 = Monday")
    starts_at = models.TimeField()
    minutes_long = models.PositiveSmallIntegerField(default=30)
    video_link = models.URLField(blank=True)
    active = models.BooleanField(default=True)
    agenda_issues = models.PositiveSmallIntegerField(default=6, help_text="New issues from the analysis on a draft agenda")
    agenda_min_score = models.FloatField(default=40.0, help_text="The score (0–100) an issue needs to be drafted")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "meeting series"

    def __str__(self) -> str:
        return self.name

    def owner_ids(self) -> set[int]:
        return {self.organisation_id}


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Agenda being prepared"
    LIVE = "live", "In progress"
    CLOSED = "closed", "Closed"


class Meeting(models.Model):
    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    current_entry = models.ForeignKey("AgendaEntry", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")
    version = models.PositiveIntegerField(default=0, help_text="Goes up with every change followers must see")
    prepared_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["series", "date"], name="meeting_once_a_day")]

    def __str__(self) -> str:
        return f"{self.series} on {self.date:%-d %B %Y}"

    def owner_ids(self) -> set[int]:
        return {self.series.organisation_id}


class AttendanceMode(models.TextChoices):
    PRESENT = "present", "Present"
    REMOTE = "remote", "Remote"
    APOLOGIES = "apologies", "Apologies"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=10, choices=AttendanceMode.choices)
    joined_at = models.DateTimeField(default=timezone.now)
    hand_raised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "joined_at"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting} ({self.get_mode_display()})"


class ItemState(models.Model):
    """Data: an item's states (new, in hand, monitoring, closed)."""

    code = models.CharField(max_length=30, primary_key=True)
    name = models.CharField(max_length=100)
    is_closed = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class ItemTransition(models.Model):
    """Data: which state an item may move to from which."""

    from_state = models.ForeignKey(ItemState, on_delete=models.CASCADE, related_name="transitions")
    to_state = models.ForeignKey(ItemState, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["from_state", "to_state"], name="item_transition_unique")]

    def __str__(self) -> str:
        return f"{self.from_state_id} → {self.to_state_id}"


class ItemKind(models.TextChoices):
    ANALYSIS = "analysis", "From the analysis"
    CONCERN = "concern", "Raised by a partner"
    ADDED = "added", "Added by the chair"
    OVERDUE = "overdue", "Overdue task"


class Item(models.Model):
    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, related_name="items")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    summary = models.TextField(blank=True, help_text="De-identified: what, and where at street level")
    where = models.CharField(max_length=200, blank=True)
    place = models.ForeignKey("places.Place", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    h3_cell = models.CharField(max_length=60, blank=True, help_text="The analysis' cell, ward or location")
    category = models.CharField(max_length=60, blank=True, help_text="The incident category's code")
    score = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Where it came from, in words")
    raised_by = models.ForeignKey("partners.Organisation", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    state = models.ForeignKey(ItemState, on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey("partners.Organisation", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    supporting = models.ManyToManyField("partners.Organisation", blank=True, related_name="+")
    engaged = models.ManyToManyField("partners.Organisation", blank=True, related_name="+",
                                     help_text="Agencies the chair engaged: only they may reveal details")
    review_date = models.DateField(null=True, blank=True)
    threshold_met = models.BooleanField(null=True, blank=True, help_text="Whether the threshold for sharing was met")
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def owner_ids(self) -> set[int]:
        return {self.series.organisation_id}


class AgendaEntry(models.Model):
    """An item on one meeting's agenda."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField(default=0)
    why = models.CharField(max_length=200, blank=True, help_text="Why it is on this agenda")
    dropped_reason = models.TextField(blank=True)
    discussed = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "item"], name="agenda_entry_once")]

    def __str__(self) -> str:
        return f"{self.item} on {self.meeting}"


class IdentifiableDetail(models.Model):
    """Names, exact addresses, dates of birth: what an agency knows about an item, shown only
    through a reveal."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="details")
    owning_organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="+")
    data_category = models.ForeignKey("partners.DataCategory", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"identifiable details of {self.item}"


class ItemReveal(models.Model):
    """A person shown an item's identifiable details, and why (the audit trail has it too)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reveals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    details = models.JSONField(default=list, help_text="The ids of the details shown: a reveal is of those only")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.item} revealed to {self.user}"


class ItemNote(models.Model):
    """What an agency knows, added to an item (de-identified, as the item)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="notes")
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"note on {self.item} by {self.organisation}"


class Decision(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="decisions")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField()
    threshold_met = models.BooleanField(null=True, blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"decision on {self.item}"


class MeetingEventKind(models.TextChoices):
    PREPARED = "prepared", "Agenda prepared"
    REORDERED = "reordered", "Agenda reordered"
    OPENED = "opened", "Opened"
    MOVED_ON = "moved_on", "Moved to an item"
    JOINED = "joined", "Joined"
    CLOSED = "closed", "Closed"
    MINUTES_SENT = "minutes_sent", "Minutes sent"


class MeetingEvent(Event):
    record = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=MeetingEventKind.choices)

    class Meta(Event.Meta):
        pass


class SeriesEventKind(models.TextChoices):
    CREATED = "created", "Set up"
    CHANGED = "changed", "Changed"


class SeriesEvent(Event):
    record = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=SeriesEventKind.choices)

    class Meta(Event.Meta):
        pass


class ItemEventKind(models.TextChoices):
    CREATED = "created", "Put forward"
    ON_AGENDA = "on_agenda", "On the agenda"
    DROPPED = "dropped", "Dropped from the agenda"
    MERGED = "merged", "Merged"
    CHANGED = "changed", "Changed"
    STATE = "state", "State changed"
    DECIDED = "decided", "Decision"
    ACTION = "action", "Action tasked"
    NOTE = "note", "Agency's information added"
    ENGAGED = "engaged", "Agency engaged"
    DETAIL = "detail", "Identifiable details added"
    REVEALED = "revealed", "Details revealed"


class ItemEvent(Event):
    record = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=ItemEventKind.choices)

    class Meta(Event.Meta):
        pass


class CalendarFeed(models.Model):
    """A person's private calendar link: their meetings and their tasks' due dates as iCalendar,
    for a calendar app, which cannot sign in. Only a hash of its secret is kept (the link is
    shown once, when it is made); making a new one replaces it (`meetings.calendar`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar link of {self.user}"

    def owner_ids(self) -> set[int]:
        return {self.user.organisation_id} if self.user.organisation_id else set()
