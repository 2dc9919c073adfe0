"""Reading what was sent: an administrator sees the messages sent to the people of their own
organisation, with each one's outcome (never the message's body or attachment)."""

from django.db.models import QuerySet

from saferplace.errors import NotFound
from saferplace.notifications.models import NotificationSend, SendStatus
from saferplace.partners import access

SENDS_SHOWN = 200


def _own_sends(viewer) -> QuerySet[NotificationSend]:
    access.require(viewer, "users.manage")
    sends = NotificationSend.objects.select_related("recipient", "recipient__organisation").defer("attachment", "body")
    if viewer.is_operator:
        return sends
    return sends.filter(recipient__organisation_id=viewer.organisation_id, recipient__isnull=False)


def notification_sends_list(*, viewer, status: str = "") -> list[NotificationSend]:
    """The newest messages sent to the viewer's organisation's people, of one status if given."""
    sends = _own_sends(viewer)
    if status:
        if status not in SendStatus.values:
            raise ValueError(f"Status must be one of {', '.join(SendStatus.values)}.")
        sends = sends.filter(status=status)
    return list(sends.order_by("-created_at", "-id")[:SENDS_SHOWN])


def notification_send_get(*, viewer, send_id: int) -> NotificationSend:
    """One message sent to a person of the viewer's organisation; anyone else's is not found."""
    send = _own_sends(viewer).filter(pk=send_id).first()
    if send is None:
        raise NotFound("No such message is available to you.", record_type="notifications.notificationsend",
                       record_id=send_id)
    return send
