"""The home page: what a signed-in person does next, depending on what their role can do.

Each role lands on its work (`landing`), by what it may do, never by its name: whoever chairs
meetings lands on today's meeting, or else their next one; a volunteer on the tasks on offer and
their own; whoever works on tasks and assigns none (a practitioner) on their briefing. Everyone
else, and anyone who asks for it (`?overview=1`), has this page."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from saferplace.audit.selectors import audit_entry_count, audit_recent
from saferplace.incidents.selectors import incident_counts_by_category
from saferplace.meetings.selectors import meeting_next, meeting_today
from saferplace.partners.access import can
from saferplace.partners.selectors import (
    agreements_due,
    agreements_granting,
    organisation_list,
    special_categories_withheld,
)
from saferplace.places.selectors import place_counts
from saferplace.web.views.common import page

# Categories the home page lists by name; the rest are added up as "other categories".
CATEGORIES_SHOWN = 8


def top_and_other(rows: list[dict], *, limit: int) -> tuple[list[dict], dict | None]:
    """The first `limit` rows, and the rest added up (their number and count), or None when
    there is no rest. Never an "other" of one row: that row is shown instead."""
    if len(rows) <= limit + 1:
        return rows, None
    rest = rows[limit:]
    return rows[:limit], {"rows": len(rest), "count": sum(row["count"] for row in rest)}


def landing(viewer) -> str | None:
    """Where the viewer's role lands instead of the home page, or None to stay."""
    if can(viewer, "meetings.chair"):
        meeting = meeting_today(viewer=viewer) or meeting_next(viewer=viewer)
        return reverse("web:meeting-detail", args=[meeting.pk]) if meeting is not None else None
    if can(viewer, "tasks.volunteer"):
        return reverse("web:task-list")
    if can(viewer, "tasks.work") and not can(viewer, "tasks.assign"):
        return reverse("web:briefing")
    return None


@login_required
def home(request):
    viewer = request.viewer
    if not request.GET.get("overview") and (address := landing(viewer)):
        return redirect(address)
    agreements = agreements_granting(viewer=viewer)
    context = {
        "place_counts": place_counts(),
        "my_agreements": agreements,
        # What those agreements share that the viewer's role does not open, and who does see it.
        "categories_withheld": special_categories_withheld(viewer=viewer, agreements=agreements),
    }
    if can(viewer, "incidents.view"):
        by_category = incident_counts_by_category(viewer=viewer)
        context["incident_total"] = sum(row["count"] for row in by_category)
        context["by_category"], context["other_categories"] = top_and_other(by_category, limit=CATEGORIES_SHOWN)
    if can(viewer, "agreements.manage"):
        context["agreements_due"] = agreements_due(viewer=viewer)
    if can(viewer, "partners.manage"):
        context["organisation_count"] = organisation_list(viewer=viewer).count()
    if can(viewer, "audit.read"):
        context["audit_count"] = audit_entry_count(viewer=viewer)
        context["recent_audit"] = audit_recent(viewer=viewer, limit=5)
    return page(request, "home.html", active="home", **context)


def healthz(request):
    """For load balancers: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"status": "ok"})
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
