"""The public pages of reports: one public report (its status history, photos, "add my voice",
and "is it still there?" for a fixed one), its photos (served through the app, only while the
report is public), the list of recent public reports, and the streets the journey's map draws.
Nobody needs to sign in; a signed-in partner sees the same pages, with nothing more.

A report's page never names who made it (not even a name given without asking to stay
anonymous), nor their email or phone number. Reading is limited per network address
(PUBLIC_READS_PER_MINUTE_PER_ADDRESS), as the Open311 API is."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect

from saferplace.errors import NotAllowed, NotFound
from saferplace.interfaces import client_address
from saferplace.reports import limits
from saferplace.reports.models import StateKind
from saferplace.reports.selectors import (
    PublicFilters,
    public_report_get,
    public_reports,
    public_updates,
    services_listed,
)
from saferplace.reports.services import report_reopen
from saferplace.tasking.photos import photo_open
from saferplace.web.report_forms import ListForm, ReopenForm
from saferplace.web.views import places
from saferplace.web.views.report_public import (
    READ,
    may_search,
    public_page,
    public_view,
    resident,
    support,
    too_many,
)

PER_PAGE = 50


def _may_read(request) -> bool:
    return limits.allow(f"read:{client_address(request)}", most=settings.PUBLIC_READS_PER_MINUTE_PER_ADDRESS, seconds=60)


def _may_write(request) -> bool:
    return limits.allow(f"report:{client_address(request)}", most=settings.REPORTS_PER_HOUR_PER_ADDRESS, seconds=3600)


def _detail(request, report, *, reopen_form=None, status: int = 200):
    return public_page(request, "report.html", status=status, report=report, updates=public_updates(report),
                       photos=list(report.photos.order_by("at", "id")),
                       reopen_form=reopen_form or ReopenForm(), is_open=report.state.kind == StateKind.OPEN,
                       is_fixed=report.state.kind == StateKind.FIXED)


@public_view(*READ)
def report_detail(request, report_id: int):
    if not _may_read(request):
        return too_many(request)
    return _detail(request, public_report_get(report_id))


@public_view(*READ)
def report_photo(request, report_id: int, photo_id: int):
    """A photo of a public report, as the JPEG SaferPlace re-encoded; a private or hidden
    report's photos are not found, like the report."""
    if not _may_read(request):
        return too_many(request)
    photo = public_report_get(report_id).photos.filter(pk=photo_id).first()
    if photo is None:
        raise NotFound("There is no such photo.", record_type="reports.photo", record_id=photo_id)
    response = FileResponse(photo_open(photo.file), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="report-{report_id}-photo-{photo_id}.jpg"'
    return response


@public_view("POST")
def report_support_view(request, report_id: int):
    """Add my voice: one more resident has the problem."""
    return support(request, public_report_get(report_id))


@public_view("POST")
def report_reopen_view(request, report_id: int):
    """Is it still there? The resident who made a fixed report (they hold its reference) says so."""
    report = public_report_get(report_id)
    if not _may_write(request):
        return too_many(request)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            report_reopen(viewer=resident(request), report=report, token=form.cleaned_data["reference"],
                          text=form.cleaned_data["text"])
        except NotAllowed:
            form.add_error("reference", "That is not this report's reference: check it and try again")
        except ValueError as refused:
            form.add_error("text", str(refused))
        else:
            messages.success(request, "Thank you: the report is open again, with what you said.")
            return redirect("web:report-detail", report_id=report.pk)
    return _detail(request, public_report_get(report_id), reopen_form=form, status=400)


@public_view(*READ)
def report_list(request):
    """Recent public reports (the last 90 days), newest first, 50 a page."""
    if not _may_read(request):
        return too_many(request)
    services = services_listed()
    form = ListForm(request.GET, services=services)
    data = form.cleaned_data if form.is_valid() else {}
    service, status, number = data.get("service") or "", data.get("status") or "", data.get("page") or 1
    filters = PublicFilters(service_codes=(service,) if service else (), statuses=(status,) if status else ())
    found = public_reports(filters, offset=(number - 1) * PER_PAGE, limit=PER_PAGE + 1)
    query = urlencode([(key, value) for key, value in (("service", service), ("status", status)) if value])
    return public_page(request, "list.html", active="list", form=form, reports=found[:PER_PAGE], page_number=number,
                       has_next=len(found) > PER_PAGE, query=query, filtered=bool(service or status))


@public_view(*READ)
def streets(request):
    """The streets the journey's map draws: reference data about no one, the same answer the
    partners' maps have (`places.streets`, without its sign-in)."""
    if not may_search(request):
        return too_many(request)
    return places.streets.__wrapped__(request)
