"""The JSON API for partners' systems (OpenAPI schema at /api/v1/openapi.json).

Callers authenticate with a bearer token (`saferplace apitoken create`) or, from the browser, a
signed-in session that has passed two-factor sign-in. Every record passes through the access
policy; every list of records is audited as an export and every single record as a view."""

from datetime import date

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Query, Schema, Status
from ninja.security import APIKeyCookie, HttpBearer

from saferplace.incidents.selectors import IncidentFilters, incident_list
from saferplace.incidents.services import incident_open, incidents_export_audit
from saferplace.partners.services import api_token_authenticate
from saferplace.places.models import PlaceKind
from saferplace.places.selectors import place_list


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token=token)
        if user is not None:
            request.user = user
        return user


class VerifiedSession(APIKeyCookie):
    """The browser's session, but only once two-factor sign-in is complete."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key):  # noqa: ARG002 - Django reads the session
        user = request.user
        if user.is_authenticated and user.is_verified():
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


class IncidentOut(Schema):
    id: int
    source: str
    owning_organisation: str
    data_category: str
    external_id: str
    occurred_on: date
    occurred_precision: str
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
    results: list[IncidentOut]


class IncidentQuery(Schema):
    source: str = ""
    category: str = ""
    place: str = ""
    date_from: date | None = None
    date_to: date | None = None
    limit: int = 100
    offset: int = 0


class PlaceOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    population: int | None

    @staticmethod
    def resolve_parent(place) -> str | None:
        return place.parent.code if place.parent else None


class ErrorOut(Schema):
    detail: str


@api.get("/incidents", response=IncidentPage, tags=["incidents"], summary="Incidents you may see")
def list_incidents(request, query: Query[IncidentQuery]):
    limit = max(1, min(query.limit, 1000))
    offset = max(0, query.offset)
    filters = IncidentFilters(
        source=query.source, category=query.category, place_code=query.place,
        date_from=query.date_from, date_to=query.date_to,
    )
    incidents = incident_list(user=request.user, filters=filters)
    count = incidents.count()
    results = list(incidents[offset : offset + limit])
    incidents_export_audit(
        user=request.user, request=request, description=f"{len(results)} incidents through the API",
        filters=filters.as_dict(), rows=len(results), export_format="api", offset=offset,
    )
    return {"count": count, "limit": limit, "offset": offset, "results": results}


@api.get("/incidents/{incident_id}", response={200: IncidentOut, 404: ErrorOut}, tags=["incidents"])
def get_incident(request, incident_id: int):
    try:
        return Status(200, incident_open(user=request.user, incident_id=incident_id, request=request))
    except Http404:
        return Status(404, {"detail": "No incident with that number is available to you."})


@api.get("/places", response=list[PlaceOut], tags=["places"], summary="The partnership's places")
def list_places(request, kind: PlaceKind | None = None):
    return list(place_list(kind=kind))
