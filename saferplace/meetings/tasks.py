"""Background tasks of the meetings app: each morning, the next meeting of every series gets its
draft agenda (queued by the worker's schedule, `saferplace.worker.schedule`); and a meeting's
minutes are sent, a PDF made per attendee as that person, in the worker and never in a web
request (`minutes.minutes_send_request` queues it), acting as the chair who asked, whose
capability is checked again when it runs."""

from django.tasks import task

from saferplace.meetings.agenda import agendas_prepare_all
from saferplace.meetings.minutes import minutes_send
from saferplace.meetings.models import Meeting
from saferplace.partners.models import User
from saferplace.partners.viewer import TASK, AuditContext, operator_viewer, viewer_for


@task()
def prepare_agendas() -> dict:
    """Draft the agenda of every active series' next meeting (again, if it was drafted before:
    what is new is added, the chair's changes are kept)."""
    drafted = agendas_prepare_all(viewer=operator_viewer("worker", channel=TASK))
    return {"drafted": [{"meeting": drafted_one.meeting.pk, "added": drafted_one.added} for drafted_one in drafted]}


@task()
def send_minutes_task(meeting_id: int, user_id: int) -> dict:
    chair = User.objects.select_related("organisation").get(pk=user_id)
    meeting = Meeting.objects.select_related("series", "series__chair").get(pk=meeting_id)
    sends = minutes_send(viewer=viewer_for(chair, context=AuditContext(channel=TASK)), meeting=meeting)
    return {"queued": len(sends)}
