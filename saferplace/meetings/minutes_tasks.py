"""The background task that sends a meeting's minutes: a PDF is made per attendee, as that
person, so it runs in the worker and never in a web request (`minutes.minutes_send_request`
queues it). It acts as the chair who asked, whose capability is checked again when it runs."""

from django.tasks import task

from saferplace.meetings.minutes import minutes_send
from saferplace.meetings.models import Meeting
from saferplace.partners.models import User
from saferplace.partners.viewer import TASK, AuditContext, viewer_for


@task()
def send_minutes_task(meeting_id: int, user_id: int) -> dict:
    chair = User.objects.select_related("organisation").get(pk=user_id)
    meeting = Meeting.objects.select_related("series", "series__chair").get(pk=meeting_id)
    sends = minutes_send(viewer=viewer_for(chair, context=AuditContext(channel=TASK)), meeting=meeting)
    return {"queued": len(sends)}
