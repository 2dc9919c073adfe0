"""The JSON API for partners' systems (OpenAPI schema at /api/v1/openapi.json).

Callers authenticate with a bearer token (`saferplace apitoken create`: limited in time and to
its scopes) or, from the browser, a signed-in session that has passed two-factor sign-in. The
API applies the same gates as the pages, because they are in the selectors and services it
calls: a list needs `incidents.export` (it is audited as an export, with the ids of the page),
one incident `incidents.view` (audited as a view). Refusals answer 404 (a record not available
to the caller) or 403 (a capability the caller lacks) and are audited; bad input answers 400."""

import re
from datetime import date, time
from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record, audit_refusal
from saferplace.errors import NotAllowed, NotFound
from saferplace.incidents.pages import CURSOR
from saferplace.incidents.selectors import RADII, IncidentFilters
from saferplace.incidents.services import incident_api_page, incident_open
from saferplace.interfaces import request_viewer
from saferplace.partners.services import api_token_authenticate
from saferplace.places.models import PlaceKind
from saferplace.places.selectors import place_list

# The largest offset a page may start at: far beyond any store, and small enough for every database.
MAX_OFFSET = 2**31 - 1


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = api_token_authenticate(token=token)
        if found is None:
            # Recorded, like a wrong password (the token itself is not: it may be a real one mistyped).
            audit_record(viewer=request_viewer(request, None, channel="api"), action=AuditAction.SIGN_IN_FAILED,
                         details={"method": "api token", "reason": "not a token in use (unknown, expired or revoked)"})
            return None
        user, scopes = found
        request.user = user
        request.viewer = request_viewer(request, user, channel="api", scopes=scopes)
        return user


class VerifiedSession(APIKeyCookie):
    """The browser's session, but only once two-factor sign-in is complete."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key):  # noqa: ARG002 - Django reads the session
        user = request.user
        if user.is_authenticated and user.is_verified() and not user.must_change_password:
            return user
        return None


api = NinjaAPI(
    title="SaferPlace API",
    version="1",
    description="Records shared between Community Safety Partnership members, under their sharing agreements.",
    urls_namespace="api-v1",
    docs_url=None,
    auth=[BearerToken(), VerifiedSession()],
)


class ErrorOut(Schema):
    detail: str


class ProblemOut(Schema):
    field: str
    problem: str


class BadRequestOut(ErrorOut):
    errors: list[ProblemOut] = []


def _refused(request, exception, status: int):
    viewer = getattr(request, "viewer", None)
    if viewer is not None and viewer.is_authenticated:
        audit_refusal(viewer=viewer, what=f"{request.method} {request.path}"[:300],
                      record_type=exception.record_type, record_id=exception.record_id,
                      details={"status": status, "capability": getattr(exception, "capability", "")})
    return api.create_response(request, {"detail": str(exception)}, status=status)


@api.exception_handler(NotFound)
def not_found(request, exception):
    return _refused(request, exception, 404)


@api.exception_handler(NotAllowed)
def not_allowed(request, exception):
    return _refused(request, exception, 403)


def _problem(error: dict) -> str:
    if error.get("type") == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == NO_NUL:
        return "Remove the NUL character (\\x00): no text here can hold one"
    return error.get("msg", "")


@api.exception_handler(NinjaValidationError)
def bad_request(request, exception):
    """Input that is not what the schema says (a date that is not a date, an offset beyond any
    store): 400, naming each field."""
    problems = [
        {"field": ".".join(str(part) for part in error.get("loc", [])[1:]) or "request", "problem": _problem(error)}
        for error in exception.errors
    ]
    detail = "; ".join(f"{item['field']}: {item['problem']}" for item in problems)
    return api.create_response(request, {"detail": f"Check the request. {detail}", "errors": problems}, status=400)


class IncidentOut(Schema):
    id: int
    source: str
    owning_organisation: str
    data_category: str
    external_id: str
    occurred_on: date
    occurred_precision: str
    occurred_time: time | None
    category: str
    source_category: str
    latitude: float | None
    longitude: float | None
    location_precision: str
    lsoa: str | None
    ward: str | None
    community: str | None
    h3_cell: str
    outcome: str

    @staticmethod
    def resolve_owning_organisation(incident) -> str:
        return incident.owning_organisation.name

    @staticmethod
    def resolve_data_category(incident) -> str:
        return incident.data_category.code

    @staticmethod
    def resolve_category(incident) -> str:
        return incident.category_id

    @staticmethod
    def resolve_source_category(incident) -> str:
        return incident.source_category_text

    @staticmethod
    def resolve_outcome(incident) -> str:
        return incident.outcome_text

    @staticmethod
    def resolve_lsoa(incident) -> str | None:
        return incident.lsoa.code if incident.lsoa else None

    @staticmethod
    def resolve_ward(incident) -> str | None:
        return incident.ward.code if incident.ward else None

    @staticmethod
    def resolve_community(incident) -> str | None:
        return incident.community.code if incident.community else None


class IncidentPage(Schema):
    count: int
    limit: int
    offset: int
    next: str | None = Field(None, description=(
        "With sort=date: the cursor of the next page (pass it as `after`), or null on the last page"))
    results: list[IncidentOut]


def _calendar_date(value):
    """A date as the schema says (YYYY-MM-DD) and nothing else: pydantic would also take a
    number of seconds since 1970 ('0', '86400') or a date and time, and filter by a date the
    caller never meant."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, flags=re.ASCII):
        raise PydanticCustomError("date_format", "Enter a date as YYYY-MM-DD, like 2026-01-31")
    return value


CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]


# Text without a NUL character: PostgreSQL cannot hold one, so a filter with one could match
# nothing and would fail in the database instead (the pages' forms refuse them the same way).
NO_NUL = r"^[^\x00]*$"


# A point as "latitude,longitude", in range, with at most 6 decimals: every value the schema
# allows is one the API answers (the fuzz test holds it to that).
_LATITUDE = r"-?(?:90(?:\.0{1,6})?|[1-8]?\d(?:\.\d{1,6})?)"
_LONGITUDE = r"-?(?:180(?:\.0{1,6})?|(?:1[0-7]\d|[1-9]?\d)(?:\.\d{1,6})?)"
NEAR_PATTERN = rf"^(?:{_LATITUDE},{_LONGITUDE})?$"


class IncidentQuery(Schema):
    source: str = Field("", max_length=60, pattern=NO_NUL)
    category: str = Field("", max_length=60, pattern=NO_NUL)
    place: str = Field("", max_length=200, pattern=NO_NUL)
    date_from: CalendarDate | None = None
    date_to: CalendarDate | None = None
    owner: str = Field("", max_length=200, pattern=NO_NUL, description="The owning organisation's name")
    outcome: str = Field("", max_length=200, pattern=NO_NUL, description="The outcome, as the source wrote it")
    hour_from: int | None = Field(None, ge=0, le=23, description=(
        "Incidents with a time of day from this hour (0–23); with hour_to, up to that hour, past midnight "
        "when it is the smaller (22 to 4: 22:00–03:59); the same hour twice is the whole day"))
    hour_to: int | None = Field(None, ge=0, le=23, description="Up to this hour, not included (0 is midnight)")
    weekday: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        default_factory=list, max_length=7, description="Days of the week, 1 Monday to 7 Sunday (repeat for several)")
    q: str = Field("", max_length=200, pattern=NO_NUL, description="In the reference or the street (location)")
    near: str = Field("", pattern=NEAR_PATTERN, description=(
        "Near a point: latitude,longitude in degrees (e.g. 52.4512,-0.9531), within `radius` metres"))
    radius: int = Field(500, ge=min(RADII), le=max(RADII), description="Metres from the point")
    sort: Literal["date", "newest", "oldest", "category"] = Field("date", description=(
        "date: newest day first (records of one day in the order they were stored), fast at any depth with `after`; "
        "newest/oldest: by day and time of day; category: by category name"))
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    after: str = Field("", pattern=f"^(?:{CURSOR[1:-1]})?$", description=(
        "With sort=date: the `next` cursor of the previous page; the page starts after it (use instead of offset)"))


class PlaceOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    population: int | None

    @staticmethod
    def resolve_parent(place) -> str | None:
        return place.parent.code if place.parent else None


ERRORS = {400: BadRequestOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _near(query: IncidentQuery) -> tuple[float, float, int] | None:
    if not query.near:
        return None
    latitude, longitude = (float(part) for part in query.near.split(","))
    return (latitude, longitude, query.radius)


@api.get("/incidents", response={200: IncidentPage, **ERRORS}, tags=["incidents"], summary="Incidents you may see")
def list_incidents(request, query: Query[IncidentQuery]):
    if query.after and query.sort != "date":
        problem = "a cursor is only for sort=date (the order it was made in)"
        return Status(400, {"detail": f"Check the request. after: {problem}",
                            "errors": [{"field": "after", "problem": problem}]})
    filters = IncidentFilters(
        source=query.source, category=query.category, place_code=query.place,
        date_from=query.date_from, date_to=query.date_to, owner=query.owner, outcome=query.outcome,
        hour_from=query.hour_from, hour_to=query.hour_to, weekdays=tuple(query.weekday),
        sort="" if query.sort == "date" else query.sort, search=query.q.strip(), near=_near(query),
    )
    return incident_api_page(viewer=request.viewer, filters=filters, limit=query.limit, offset=query.offset,
                             after=query.after)


@api.get("/incidents/{incident_id}", response={200: IncidentOut, **ERRORS}, tags=["incidents"])
def get_incident(request, incident_id: int = Path(..., ge=1, le=2**63 - 1)):
    return incident_open(viewer=request.viewer, incident_id=incident_id)


@api.get("/places", response={200: list[PlaceOut], 400: BadRequestOut, 401: ErrorOut}, tags=["places"],
         summary="The partnership's places")
def list_places(request, kind: PlaceKind | None = None):
    return list(place_list(kind=kind))
