"""The home page: what a signed-in person does next, depending on what their role can do."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse

from saferplace.audit.selectors import audit_entry_count, audit_recent
from saferplace.incidents.selectors import incident_counts_by_category
from saferplace.partners.access import can
from saferplace.partners.selectors import agreements_granting, organisation_list
from saferplace.places.selectors import place_counts
from saferplace.web.views.common import page


@login_required
def home(request):
    viewer = request.viewer
    context = {"place_counts": place_counts(), "my_agreements": agreements_granting(viewer=viewer)}
    if can(viewer, "incidents.view"):
        by_category = incident_counts_by_category(viewer=viewer)
        context["incident_total"] = sum(row["count"] for row in by_category)
        context["by_category"] = by_category[:8]
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
