"""Background task of the notifications app: sending what is due, every minute (the worker's
schedule, `saferplace.worker.schedule`) and as soon as a message is queued."""

from django.tasks import task

from saferplace.notifications.services import notifications_send_due


@task()
def send_notifications() -> dict:
    """Send the waiting and failed messages whose time has come; returns how many were sent,
    failed and given up."""
    return notifications_send_due()
