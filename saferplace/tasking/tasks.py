"""Background tasks of the tasking app: escalating the tasks nobody accepted or finished in time
(queued every 15 minutes by the worker's schedule, `saferplace.worker.schedule`)."""

from django.tasks import task

from saferplace.partners.viewer import TASK, operator_viewer
from saferplace.tasking.escalation import tasks_escalate


@task()
def escalate_tasks() -> dict:
    """Apply the escalation rules (`tasking.escalation`), each once a task."""
    fired = tasks_escalate(viewer=operator_viewer("worker", channel=TASK))
    return {"escalated": [{"task": escalation.task_id, "rule": escalation.rule_id} for escalation in fired]}
