"""One way of sending per channel (FixMyStreet's send strategies): Django's email, or GOV.UK
Notify when `NOTIFY_API_KEY` is set. A backend sends one message and returns the reference it
was given, or raises `SendFailed` with a reason a person can read (never the API key)."""

import io
from dataclasses import dataclass
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage


class SendFailed(Exception):  # noqa: N818 - reads as what happened
    """The backend did not take the message; it will be tried again."""


@dataclass(frozen=True)
class Message:
    address: str
    subject: str
    body: str
    attachment: bytes | None = None
    attachment_name: str = ""


class EmailBackend:
    """Django's email (SMTP in production, a file per message in development, memory in tests),
    with the PDF attached."""

    name = "email"

    def send(self, message: Message) -> str:
        reference = make_msgid(domain="saferplace")
        email = EmailMessage(subject=message.subject, body=message.body, to=[message.address],
                             headers={"Message-ID": reference})
        if message.attachment:
            email.attach(message.attachment_name or "attachment.pdf", message.attachment, "application/pdf")
        try:
            sent = email.send(fail_silently=False)
        except Exception as error:  # SMTP, socket and file errors alike: the message was not taken
            raise SendFailed(f"{type(error).__name__}: {error}"[:1000]) from error
        if sent != 1:
            raise SendFailed("The email backend did not take the message.")
        return reference[:100]


class NotifyBackend:
    """GOV.UK Notify: the template `NOTIFY_EMAIL_TEMPLATE_ID` with the placeholders ((subject)),
    ((body)) and ((link_to_file)); a PDF goes through Notify's file sending (`prepare_upload`,
    2 MB at most), and the recipient gets a link to it."""

    name = "notify"

    def __init__(self, api_key: str, template_id: str):
        self.api_key = api_key
        self.template_id = template_id

    def send(self, message: Message) -> str:
        from notifications_python_client.errors import APIError
        from notifications_python_client.notifications import NotificationsAPIClient
        from notifications_python_client.utils import prepare_upload

        personalisation = {"subject": message.subject, "body": message.body, "link_to_file": ""}
        try:
            if message.attachment:
                personalisation["link_to_file"] = prepare_upload(
                    io.BytesIO(message.attachment), filename=message.attachment_name or "attachment.pdf")
            client = NotificationsAPIClient(self.api_key)
            answer = client.send_email_notification(
                email_address=message.address, template_id=self.template_id, personalisation=personalisation)
        except APIError as error:
            raise SendFailed(f"GOV.UK Notify refused it: {error}"[:1000]) from error
        except (ValueError, OSError, AssertionError) as error:  # a file over 2 MB, the network, a malformed key
            raise SendFailed(f"{type(error).__name__}: {error}"[:1000]) from error
        reference = (answer or {}).get("id") if isinstance(answer, dict) else None
        if not reference:
            raise SendFailed("GOV.UK Notify answered without a notification id.")
        return str(reference)[:100]


def backend() -> EmailBackend | NotifyBackend:
    """The backend settings choose: Notify when an API key is set, else email."""
    if settings.NOTIFY_API_KEY:
        return NotifyBackend(settings.NOTIFY_API_KEY, settings.NOTIFY_EMAIL_TEMPLATE_ID)
    return EmailBackend()
