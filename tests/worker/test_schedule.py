"""The worker's schedule: a job is queued once each time it falls due, by whichever worker finds
it due first, and the audit checkpoint job writes a signed checkpoint outside the database."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from saferplace.worker.models import ScheduledJob
from saferplace.worker.services import schedule_due, scheduled_jobs_enqueue

pytestmark = pytest.mark.django_db


def test_a_job_is_due_once_per_interval():
    assert schedule_due(name="x", every_seconds=3600) is True
    assert schedule_due(name="x", every_seconds=3600) is False  # a second worker finds it taken
    ScheduledJob.objects.filter(name="x").update(last_queued_at=timezone.now() - timedelta(hours=2))
    assert schedule_due(name="x", every_seconds=3600) is True


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_audit_checkpoints_on_its_schedule(council_analyst, settings, tmp_path):
    sink = tmp_path / "checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_SINK = f"file:{sink}"
    assert {"audit checkpoint", "agreement warnings", "notifications"} <= set(scheduled_jobs_enqueue())
    assert scheduled_jobs_enqueue() == []  # not due again yet
    call_command("worker", "--batch")
    result = DBTaskResult.objects.get(task_path="saferplace.audit.tasks.write_audit_checkpoint")
    assert result.status == "SUCCESSFUL", result.traceback
    assert sink.read_text().count("signature") == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_warns_daily_of_agreements_ending_soon(world, settings):
    """The agreement warnings job writes one "review due" event per agreement and date, and the
    next day's run does not repeat it."""
    from saferplace.partners.events import AgreementEvent, AgreementEventKind

    csp = world["agreements"]["csp"]
    csp.end_date = timezone.localdate() + timedelta(days=settings.AGREEMENT_WARNING_DAYS)
    csp.save()
    for day in (1, 2):
        ScheduledJob.objects.filter(name="agreement warnings").update(last_queued_at=timezone.now() - timedelta(days=day))
        assert "agreement warnings" in scheduled_jobs_enqueue()
        call_command("worker", "--batch")
    results = DBTaskResult.objects.filter(task_path="saferplace.partners.tasks.warn_agreements_due")
    assert [result.status for result in results] == ["SUCCESSFUL", "SUCCESSFUL"], [r.traceback for r in results]
    warnings = AgreementEvent.objects.filter(kind=AgreementEventKind.REVIEW_DUE)
    assert [(event.record_id, event.actor_name) for event in warnings] == [(csp.pk, "operator:worker")]
