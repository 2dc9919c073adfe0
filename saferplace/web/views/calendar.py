"""A person's calendar (`.ics`): downloaded when signed in, or read by a calendar app through a
private link the person makes on the calendar page (shown once)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from saferplace.interfaces import client_address
from saferplace.meetings.calendar import (
    calendar_feed_get,
    calendar_feed_ics,
    calendar_feed_make,
    calendar_feed_remove,
    calendar_ics,
)
from saferplace.web.views.common import page

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _ics(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = 'inline; filename="saferplace.ics"'
    return response


@login_required
def calendar_page(request):
    return page(request, "minutes/calendar.html", active="calendar", feed=calendar_feed_get(viewer=request.viewer))


@login_required
def calendar_download(request):
    return _ics(calendar_ics(viewer=request.viewer))


def calendar_feed(request, token: str):
    """A calendar app's request: no session, the secret in the link is the person's."""
    return _ics(calendar_feed_ics(token=token, address=client_address(request),
                                  user_agent=request.META.get("HTTP_USER_AGENT", "")[:300]))


@require_POST
@login_required
def calendar_link_make(request):
    feed, token = calendar_feed_make(viewer=request.viewer)
    link = request.build_absolute_uri(f"/calendar/{token}.ics")
    return page(request, "minutes/calendar_made.html", active="calendar", feed=feed, link=link)


@require_POST
@login_required
def calendar_link_remove(request):
    if calendar_feed_remove(viewer=request.viewer):
        messages.success(request, "Your private calendar link no longer works.")
    return redirect("web:calendar")
