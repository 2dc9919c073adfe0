"""What the background worker keeps beside django-tasks-db's queue: a lease for each task it is
running (so a task whose worker was killed is noticed), and when each scheduled job last ran
(so that several workers run it once)."""

from django.db import models


class TaskLease(models.Model):
    """A task being run: renewed by its worker while it runs. A lease past its expiry means the
    worker stopped (killed, or its machine lost) part-way through the task."""

    task_id = models.UUIDField(unique=True)
    task_path = models.CharField(max_length=300)
    worker_id = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.task_path} on {self.worker_id}"


class ScheduledJob(models.Model):
    """A job the worker runs on a schedule (no cron): when it was last queued."""

    name = models.CharField(max_length=100, primary_key=True)
    last_queued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
