"""The home page: what a signed-in person does next, depending on their role."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse

from saferplace.audit.selectors import AuditSearch, audit_entry_search, audit_recent
from saferplace.incidents.selectors import incident_counts_by_category, incident_list
from saferplace.partners.access import agreements_in_force
from saferplace.partners.selectors import organisation_list
from saferplace.places.selectors import place_counts
from saferplace.web.views.common import page


@login_required
def home(request):
    user = request.user
    context = {"place_counts": place_counts()}
    if user.role in ("analyst", "chair", "practitioner", "administrator"):
        context["incident_total"] = incident_list(user=user).count()
        context["by_category"] = incident_counts_by_category(user=user)[:8]
    if user.organisation_id:
        context["my_agreements"] = agreements_in_force().filter(parties=user.organisation_id).distinct()
    if user.role == "administrator":
        context["organisation_count"] = organisation_list().count()
    if user.role == "auditor":
        context["audit_count"] = audit_entry_search(search=AuditSearch()).count()
        context["recent_audit"] = audit_recent(limit=5)
    return page(request, "home.html", active="home", **context)


def healthz(request):
    """For load balancers: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"status": "ok"})
    return HttpResponse("ok", content_type="text/plain")
