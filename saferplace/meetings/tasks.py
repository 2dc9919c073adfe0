"""Background tasks of the meetings app: each morning, the next meeting of every series gets its
draft agenda (queued by the worker's schedule, `saferplace.worker.schedule`)."""

from django.tasks import task

from saferplace.meetings.agenda import agendas_prepare_all
from saferplace.partners.viewer import TASK, operator_viewer


@task()
def prepare_agendas() -> dict:
    """Draft the agenda of every active series' next meeting (again, if it was drafted before:
    what is new is added, the chair's changes are kept)."""
    drafted = agendas_prepare_all(viewer=operator_viewer("worker", channel=TASK))
    return {"drafted": [{"meeting": drafted_one.meeting.pk, "added": drafted_one.added} for drafted_one in drafted]}
