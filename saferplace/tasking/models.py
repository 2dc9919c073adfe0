"""Tasks: what someone in the partnership (or a volunteer) is asked to do, where, by when, and
what they must find out; and the rules that escalate a task nobody accepts or finishes.

A task belongs to one organisation (`organisation`), the one asked to do it; within it, to a
team, a person, or, for low-level work, the volunteer pool of an area. Where it came from is
kept as a label and a reference (`source_kind`, `source_id`): a meeting item now, a case or a
public report later, without this app knowing those apps."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from saferplace.events import Event


class TaskStatus(models.TextChoices):
    OPEN = "open", "Waiting to be accepted"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


FINISHED = (TaskStatus.DONE, TaskStatus.CANCELLED)


class TaskPriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Task(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="De-identified: what to do, never who")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="tasks")
    team = models.ForeignKey("partners.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="tasks")
    for_volunteers = models.BooleanField(default=False, help_text="Offered to the volunteer pool of its area")
    place = models.ForeignKey("places.Place", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks")
    where = models.CharField(max_length=200, blank=True, help_text="At street level, never an exact address")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    priority = models.CharField(max_length=10, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    due_date = models.DateField(null=True, blank=True)
    questions = models.JSONField(default=list, blank=True, help_text="What the doer must answer")
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True)
    outcome = models.TextField(blank=True)
    source_kind = models.CharField(max_length=40, blank=True, help_text="meeting item, case, public report")
    source_id = models.BigIntegerField(null=True, blank=True)
    source_label = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="tasks_created")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "-id"]
        indexes = [models.Index(fields=["source_kind", "source_id"]), models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.title

    def owner_ids(self) -> set[int]:
        return {self.organisation_id}


class TaskNote(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"note on {self.task}"


class TaskPhoto(models.Model):
    """A photo added to a task, re-encoded without its EXIF (GPS included) before it is stored
    under a name the server makes."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="photos")
    file = models.CharField(max_length=300, help_text="Its name in Django's storage")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"photo of {self.task}"


class EscalationWhen(models.TextChoices):
    NOT_ACCEPTED = "not_accepted", "Not accepted"
    OVERDUE = "overdue", "Overdue"


class EscalationTo(models.TextChoices):
    TEAM_LEAD = "team_lead", "The team's lead"
    CHAIR = "chair", "The chair of the meeting it came from"
    AGENDA = "agenda", "The next meeting's agenda"
    ASSIGNEE = "assignee", "The person it is with (a reminder)"


class EscalationRule(models.Model):
    """Data: when a task has been in a state for a while, who is told. E.g. not accepted after
    24 hours → the team's lead; overdue → the chair and the next meeting's agenda."""

    name = models.CharField(max_length=200)
    when = models.CharField(max_length=20, choices=EscalationWhen.choices)
    after_hours = models.PositiveIntegerField(default=0)
    to = models.CharField(max_length=20, choices=EscalationTo.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["when", "after_hours", "id"]

    def __str__(self) -> str:
        return self.name


class TaskEscalation(models.Model):
    """That a rule has fired for a task (once each)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="escalations")
    rule = models.ForeignKey(EscalationRule, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "rule"], name="task_escalation_once")]

    def __str__(self) -> str:
        return f"{self.rule} for {self.task}"


class WorkingArea(models.Model):
    """A place a person works in: their briefing's area, and for a volunteer, the pool of tasks
    they are offered."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_areas")
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "place"], name="working_area_unique")]

    def __str__(self) -> str:
        return f"{self.user} works in {self.place}"


class ClientUpdate(models.Model):
    """A change a phone sent, under the key it made for it (an idempotency key): sent again when
    the signal returns, it is answered from here instead of being made twice."""

    key = models.CharField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=40)
    answer = models.JSONField(default=dict, help_text="What the first request was answered")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="client_update_once")]

    def __str__(self) -> str:
        return f"{self.action} of {self.task} ({self.key})"


class TaskEventKind(models.TextChoices):
    CREATED = "created", "Created"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    REASSIGNED = "reassigned", "Reassigned"
    NOTE = "note", "Note added"
    PHOTO = "photo", "Photo added"
    ANSWERED = "answered", "Answers given"
    DONE = "done", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    ESCALATED = "escalated", "Escalated"


class TaskEvent(Event):
    record = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=TaskEventKind.choices)

    class Meta(Event.Meta):
        pass
