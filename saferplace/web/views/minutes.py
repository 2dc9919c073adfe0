"""The minutes of a meeting (a printable page and a PDF, each as the reader may see it), the
chair's page that sends them to the attendees, and what was sent (administrators)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from saferplace.meetings.minutes import (
    minutes_file_name,
    minutes_find,
    minutes_pdf_find,
    minutes_send_request,
    minutes_sends_find,
)
from saferplace.notifications.models import SendStatus
from saferplace.notifications.selectors import notification_send_get, notification_sends_list
from saferplace.notifications.services import notification_retry
from saferplace.web.views.common import capability_required, page


@login_required
def minutes_page(request, meeting_id: int):
    return page(request, "minutes/minutes.html", active="meetings",
                minutes=minutes_find(viewer=request.viewer, meeting_id=meeting_id))


@login_required
def minutes_download(request, meeting_id: int):
    minutes, pdf = minutes_pdf_find(viewer=request.viewer, meeting_id=meeting_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{minutes_file_name(minutes)}"'
    return response


@login_required
def minutes_send_page(request, meeting_id: int):
    """GET: what sending does, and what was sent so far. POST: send them (the worker makes a PDF
    per attendee and sends it)."""
    if request.method == "POST":
        try:
            minutes_send_request(viewer=request.viewer, meeting_id=meeting_id)
        except ValueError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "The minutes are being sent: each attendee gets their own copy in a minute or two.")
        return redirect("web:minutes-send", meeting_id=meeting_id)
    meeting, sends = minutes_sends_find(viewer=request.viewer, meeting_id=meeting_id)
    return page(request, "minutes/send.html", active="meetings", meeting=meeting, sends=sends)


@capability_required("users.manage")
def notification_list(request):
    status = request.GET.get("status", "")
    if status not in ("", *SendStatus.values):
        return page(request, "minutes/notifications.html", active="partners", status=400, sends=[], chosen="",
                    statuses=SendStatus.choices, error="Choose a status from the list")
    return page(request, "minutes/notifications.html", active="partners", chosen=status, statuses=SendStatus.choices,
                sends=notification_sends_list(viewer=request.viewer, status=status))


@require_POST
@capability_required("users.manage")
def notification_send_again(request, send_id: int):
    send = notification_send_get(viewer=request.viewer, send_id=send_id)
    try:
        notification_retry(viewer=request.viewer, send=send)
    except ValueError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"“{send.subject}” will be sent to {send.recipient.display_name} again.")
    return redirect("web:notification-list")
