"""Discovery, the service list and a service's definition (its questions), and this API's
OpenAPI document. A private service (safeguarding) is never listed nor defined."""

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse

from saferplace.open311 import serialise
from saferplace.open311.common import endpoint
from saferplace.open311.formats import CONTENT_TYPES, render
from saferplace.open311.schema import openapi
from saferplace.reports.selectors import service_public_get, services_listed

CHANGESET = "2026-11-28T00:00:00+00:00"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


@endpoint()
def discovery(request, fmt):
    url = settings.PUBLIC_URL + reverse("open311:discovery", kwargs={"fmt": fmt}).rsplit("/", 1)[0]
    contact = f"The partnership's administrators issue API keys; the API is described at {url}/openapi.json"
    return render(fmt, "discovery", {
        "changeset": CHANGESET, "contact": contact, "key_service": contact,
        "jurisdiction_id": settings.OPEN311_JURISDICTION, "max_requests": 1000,
        "endpoints": [{"specification": SPECIFICATION, "url": url, "changeset": CHANGESET, "type": "production",
                       "formats": [CONTENT_TYPES["xml"].split(";")[0], CONTENT_TYPES["json"].split(";")[0]]}],
    })


@endpoint()
def services(request, fmt):
    return render(fmt, "services", [serialise.service(service) for service in services_listed()])


@endpoint()
def service_definition(request, fmt, code):
    return render(fmt, "service_definition", serialise.definition(service_public_get(code)))


def openapi_document(request):
    return JsonResponse(openapi(reverse("open311:openapi").rsplit("/", 1)[0]), json_dumps_params={"indent": 1})
