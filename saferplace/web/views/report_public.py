"""The public "report a problem" journey, for residents with no account (GOV.UK's one thing per
page, with a back link): where, what, the service's questions with a description and photos,
open reports of the same kind nearby, about you, check your answers, sent. What the resident
has given so far is kept in their session (`DRAFT`); photos are kept there as the cleaned JPEG
bytes, and checked again when the report is made.

Each page reads the draft, parses its form and calls one selector or service. A private service
(a safeguarding concern) is never listed: it has a start page of its own (`private_start`) and
goes through the same steps without "what" and without the nearby reports. No page of the
journey names a report of someone else's but the public ones shown nearby."""

import base64
import secrets
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from saferplace.errors import NotFound
from saferplace.interfaces import client_address
from saferplace.places.selectors import point_describe
from saferplace.reports import limits
from saferplace.reports.public import resident_viewer
from saferplace.reports.search import area_bounds, places_matching, point_in_area
from saferplace.reports.selectors import (
    nearby_open,
    public_report_get,
    service_for_report,
    service_public_get,
    services_listed,
    services_private,
)
from saferplace.reports.services import (
    PHOTOS_MOST,
    TOKEN_ALPHABET,
    TOKEN_LENGTH,
    report_create,
    report_support,
)
from saferplace.web.report_forms import (
    AboutForm,
    DetailsForm,
    PlaceSearchForm,
    SendForm,
    ServiceForm,
    WhereForm,
)
from saferplace.web.views.common import page

DRAFT, SENT, SUPPORTED = "report_draft", "report_sent", "report_supported"
TEMPLATES = "reports_public"


def resident(request):
    """The viewer of a member of the public on the website: signed in or not, the same."""
    return resident_viewer(address=client_address(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])


def public_page(request, template: str, *, status: int = 200, active: str = "report", **context):
    return page(request, f"{TEMPLATES}/{template}", status=status, active=active, **context)


# The map's streets and the place search cost more than a page: a map asks a few times as it is
# panned and zoomed, a person searches a few times; a tenth of the reads allowed is plenty.
COSTLY_SHARE = 10


def may_search(request) -> bool:
    return limits.allow(f"costly:{client_address(request)}",
                        most=max(settings.PUBLIC_READS_PER_MINUTE_PER_ADDRESS // COSTLY_SHARE, 1), seconds=60)


def too_many(request):
    return public_page(request, "too_many.html", status=429)


def public_view(*methods: str):
    """A public page: answers `methods` only (405 otherwise), and a `NotFound` is the public
    "page not found" page (not the partners' one, which speaks of organisations)."""

    def decorator(view):
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                return public_page(request, "not_found.html", status=404)

        return wrapped

    return decorator


READ, FORM = ("GET", "HEAD"), ("GET", "HEAD", "POST")


def _posted(request):
    """The form's data when the page is sent (even empty: an empty form is a form with errors)."""
    return request.POST if request.method == "POST" else None


def _draft(request) -> dict:
    return dict(request.session.get(DRAFT) or {})


def _save(request, **values) -> None:
    draft = _draft(request)
    draft.update(values)
    request.session[DRAFT] = draft


def _service(draft: dict):
    """The draft's service: a listed one, or the private one the resident started from."""
    code = draft.get("service")
    if not code:
        return None
    try:
        return service_for_report(code) if draft.get("private") else service_public_get(code)
    except NotFound:
        return None


def _missing(draft: dict, step: str):
    """Where the resident must go first if an earlier step of the journey is not done, or None."""
    order = ["where", "what", "details", "about"]
    done = {"where": "latitude" in draft, "what": bool(_service(draft)), "details": "description" in draft,
            "about": "anonymous" in draft}
    for earlier in order[:order.index(step)] if step in order else order:
        if not done[earlier]:
            return redirect(f"web:report-{earlier}")
    return None


def _next(request, default: str):
    """After a step: back to check your answers if that is where the resident came from."""
    if request.GET.get("change") == "check" and _missing(_draft(request), "check") is None:
        return redirect("web:report-check")
    return redirect(default)


@public_view(*READ)
def start(request):
    """What can be reported; "Start now" begins a new report (`begin`)."""
    return public_page(request, "start.html", private_services=sorted(services_private(), key=lambda s: (s.order, s.name)))


@public_view(*READ)
def begin(request):
    """A new report: whatever was begun before is forgotten."""
    request.session.pop(DRAFT, None)
    return redirect("web:report-where")


@public_view(*FORM)
def private_start(request, code: str):
    """The start of a private service's report (a safeguarding concern): never listed, reached
    from the start page. A public service's code here starts the ordinary journey."""
    service = service_for_report(code)
    if not service.private:
        return redirect("web:report-where")
    if request.method == "POST":
        request.session[DRAFT] = {"service": service.code, "private": True}
        return redirect("web:report-where")
    return public_page(request, "private_start.html", service=service)



@public_view(*FORM)
def where(request):
    draft = _draft(request)
    search = PlaceSearchForm(request.GET if "q" in request.GET else None)
    if search.is_bound and not may_search(request):
        return too_many(request)
    matches = places_matching(search.cleaned_data["q"]) if search.is_bound and search.is_valid() else None
    initial = {key: draft.get(key, "") for key in ("latitude", "longitude", "address")}
    if request.method == "POST":
        form = WhereForm(request.POST, in_area=point_in_area)
        if form.is_valid():
            data = form.cleaned_data
            _save(request, latitude=data["latitude"], longitude=data["longitude"], address=data["address"].strip())
            return _next(request, "web:report-details" if draft.get("private") else "web:report-what")
    else:
        form = WhereForm(initial=initial, in_area=point_in_area)
    chosen = point_describe(draft["latitude"], draft["longitude"]) if "latitude" in draft else None
    return public_page(request, "where.html", status=400 if form.errors or search.errors else 200, form=form,
                       search=search, matches=matches, bounds=area_bounds(), chosen=chosen, draft=draft,
                       back=reverse("web:report-private-start", args=[draft["service"]]) if draft.get("private")
                       else reverse("web:report-start"), change=request.GET.get("change", ""))


@public_view(*FORM)
def what(request):
    draft = _draft(request)
    if draft.get("private"):
        return redirect("web:report-details")
    if (missing := _missing(draft, "what")) is not None:
        return missing
    services = services_listed()
    form = ServiceForm(_posted(request), services=services, initial={"service": draft.get("service")})
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["service"]
        if code != draft.get("service"):  # another service asks other questions
            _save(request, service=code, answers={})
            return redirect("web:report-details")
        return _next(request, "web:report-details")
    groups: dict[str, list] = {}
    for service in services:
        groups.setdefault(service.group or "Other problems", []).append(service)
    return public_page(request, "what.html", status=400 if form.errors else 200, form=form, groups=groups,
                       change=request.GET.get("change", ""))


def _photos_kept(draft: dict) -> list[str]:
    return list(draft.get("photos") or [])


def _photos_allowed(request) -> bool:
    """Photos are kept in the session (in the database) until it expires: as many an hour from
    one address as its reports may carry."""
    uploads = [upload for upload in request.FILES.getlist("photos") if upload]
    return all(limits.allow(f"photo:{client_address(request)}", most=settings.REPORTS_PER_HOUR_PER_ADDRESS * PHOTOS_MOST,
                            seconds=3600) for _ in uploads[:PHOTOS_MOST + 1])


@public_view(*FORM)
def details(request):
    draft = _draft(request)
    if (missing := _missing(draft, "details")) is not None:
        return missing
    service = _service(draft)
    kept = _photos_kept(draft)
    if request.method == "POST" and not _photos_allowed(request):
        return too_many(request)
    form = DetailsForm(_posted(request), request.FILES if request.method == "POST" else None, service=service, kept_photos=len(kept),
                       answers=draft.get("answers") or {}, initial={"description": draft.get("description", "")})
    if request.method == "POST" and form.is_valid():
        photos = [] if form.cleaned_data["remove_photos"] else kept
        photos += [base64.b64encode(content).decode("ascii") for content in form.cleaned_photos]
        _save(request, answers=form.answers, description=form.cleaned_data["description"].strip(), photos=photos)
        if draft.get("private"):
            return _next(request, "web:report-about")
        return redirect(reverse("web:report-nearby") + ("?change=check" if request.GET.get("change") == "check" else ""))
    return public_page(request, "details.html", status=400 if form.errors else 200, form=form, service=service,
                       kept=len(kept), private=draft.get("private", False), change=request.GET.get("change", ""))


@public_view(*FORM)
def nearby(request):
    """Open reports of the same kind near the point: add your voice to one, or go on."""
    draft = _draft(request)
    if (missing := _missing(draft, "about")) is not None:
        return missing
    service = _service(draft)
    found = [] if draft.get("private") else nearby_open(service=service, latitude=draft["latitude"],
                                                         longitude=draft["longitude"])
    if request.method == "POST":
        if "support" in request.POST:
            chosen = next((report for report in found if str(report.pk) == request.POST["support"]), None)
            if chosen is not None:
                return support(request, chosen, thanks="Thank you: your voice is added to this report. Follow it here.",
                               instead_of_draft=True)
        else:
            _save(request, nearby_seen=bool(found))
            return _next(request, "web:report-about")
    if not found:
        _save(request, nearby_seen=False)
        return _next(request, "web:report-about")
    return public_page(request, "nearby.html", reports=found, service=service)


def support(request, report, *, thanks: str = "Thank you: your voice is added to this report.",
            instead_of_draft: bool = False):
    """Add my voice, once per browser (the session remembers) and within the address's limit;
    `instead_of_draft`: the report being made is this one, so it is forgotten."""
    supported = request.session.get(SUPPORTED, [])
    if report.pk in supported:
        messages.info(request, "You have already added your voice to this report.")
        return redirect("web:report-detail", report_id=report.pk)
    if not limits.allow(f"report:{client_address(request)}", most=settings.REPORTS_PER_HOUR_PER_ADDRESS, seconds=3600):
        return too_many(request)
    try:
        report_support(viewer=resident(request), report=report)
    except ValueError as refused:
        messages.error(request, str(refused))
    else:
        request.session[SUPPORTED] = [*supported, report.pk][-100:]
        if instead_of_draft:
            request.session.pop(DRAFT, None)
        messages.success(request, thanks)
    return redirect("web:report-detail", report_id=report.pk)


@public_view(*FORM)
def about(request):
    draft = _draft(request)
    if (missing := _missing(draft, "about")) is not None:
        return missing
    initial = {"anonymous": "yes" if draft.get("anonymous") else ("no" if "anonymous" in draft else None),
               "name": draft.get("name", ""), "email": draft.get("email", ""), "phone": draft.get("phone", "")}
    form = AboutForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _save(request, anonymous=data["anonymous"] == "yes", name=data["name"].strip(), email=data["email"],
              phone=data["phone"])
        return redirect("web:report-check")
    back = reverse("web:report-nearby") if draft.get("nearby_seen") else reverse("web:report-details")
    return public_page(request, "about.html", status=400 if form.errors else 200, form=form, back=back)


def _summary(draft: dict, service) -> dict:
    answers = draft.get("answers") or {}
    questions = []
    for attribute in service.attributes.all():
        if attribute.code not in answers:
            continue
        names = {str(value.get("key")): str(value.get("name") or value.get("key")) for value in attribute.values}
        answer = answers[attribute.code]
        shown = ", ".join(names.get(each, each) for each in answer) if isinstance(answer, list) else names.get(answer, answer)
        questions.append((attribute, shown))
    return {"service": service, "questions": questions, "photos": len(_photos_kept(draft)),
            "described": point_describe(draft["latitude"], draft["longitude"])}


@public_view(*FORM)
def check(request):
    draft = _draft(request)
    if (missing := _missing(draft, "check")) is not None:
        return missing
    service = _service(draft)
    form = SendForm(_posted(request))
    problem = ""
    if request.method == "POST" and form.is_valid():
        if not limits.allow(f"report:{client_address(request)}", most=settings.REPORTS_PER_HOUR_PER_ADDRESS,
                            seconds=3600):
            return too_many(request)
        if form.cleaned_data["website"]:  # a robot: answered as if sent, nothing kept
            request.session.pop(DRAFT, None)
            request.session[SENT] = {"token": "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH)),
                                     "id": None, "public": False}
            return redirect("web:report-sent")
        try:
            report = report_create(
                viewer=resident(request), service=service, latitude=draft["latitude"], longitude=draft["longitude"],
                description=draft["description"], address=draft.get("address", ""), answers=draft.get("answers") or {},
                name=draft.get("name", ""), email=draft.get("email", ""), phone=draft.get("phone", ""),
                anonymous=draft.get("anonymous", False),
                photos=[ContentFile(base64.b64decode(each), name=f"photo-{number}.jpg")
                        for number, each in enumerate(_photos_kept(draft), start=1)])
        except (ValueError, NotFound) as refused:
            problem = str(refused)
        else:
            request.session.pop(DRAFT, None)
            request.session[SENT] = {"token": report.token, "id": report.pk, "public": report.is_public}
            return redirect("web:report-sent")
    return public_page(request, "check.html", status=400 if problem else 200, form=form, draft=draft,
                       problem=problem, private=draft.get("private", False), **_summary(draft, service))


@public_view(*READ)
def sent(request):
    done = request.session.pop(SENT, None)  # shown once: the next person at a shared computer does not see it
    if not done:
        return redirect("web:report-start")
    report = None
    if done.get("id") and done.get("public"):
        try:
            report = public_report_get(done["id"])
        except NotFound:
            report = None
    return public_page(request, "sent.html", token=done["token"], report=report)


