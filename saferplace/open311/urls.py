"""Open311 GeoReport v2 under /open311/v2/ (included from saferplace/urls.py)."""

from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from saferplace.open311 import views_photos, views_requests, views_services, views_updates
from saferplace.open311.formats import errors

app_name = "open311"
FMT = r"\.(?P<fmt>[^/.]{1,10})$"


@csrf_exempt
def _requests(request, fmt):
    """GET lists requests; POST makes one."""
    view = views_requests.request_create if request.method == "POST" else views_requests.requests_list
    return view(request, fmt)


@csrf_exempt
def _updates(request, fmt):
    view = views_updates.update_create if request.method == "POST" else views_updates.updates_list
    return view(request, fmt)


def _not_found(request):
    """Any other address under /open311/v2/ (a code or token with a dot or a slash, a word for an
    id): Open311's error list, as JSON unless it asked for .xml, never Django's HTML page."""
    return errors("xml" if request.path.endswith(".xml") else "json", 404,
                  "There is no such Open311 address: the endpoints are listed at discovery.json")


urlpatterns = [
    path("openapi.json", views_services.openapi_document, name="openapi"),
    path("photos/<int:photo_id>.jpeg", views_photos.photo, name="photo"),
    re_path(r"^discovery" + FMT, views_services.discovery, name="discovery"),
    re_path(r"^services" + FMT, views_services.services, name="services"),
    re_path(r"^services/(?P<code>[^/.]{1,100})" + FMT, views_services.service_definition, name="service"),
    re_path(r"^requests" + FMT, _requests, name="requests"),
    re_path(r"^requests/(?P<report_id>[^/.]{1,40})" + FMT, views_requests.request_get, name="request"),
    re_path(r"^tokens/(?P<token>[^/.]{1,40})" + FMT, views_requests.token_get, name="token"),
    re_path(r"^servicerequestupdates" + FMT, _updates, name="updates"),
    re_path(r"^", _not_found, name="not_found"),
]
