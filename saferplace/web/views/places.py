"""The map of the partnership's places, and the reference layers every map draws: place
boundaries, where to write places' names, and streets. None of it is about people: anyone
signed in may have it."""

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotModified, JsonResponse

from saferplace.places.models import PlaceKind
from saferplace.places.selectors import (
    place_counts,
    place_labels_feature_collection,
    place_list,
    places_feature_collection,
    streets_feature_collection,
    streets_fingerprint,
)
from saferplace.web.views.common import page

MAP_KINDS = [PlaceKind.COMMUNITY, PlaceKind.WARD, PlaceKind.LSOA, PlaceKind.LOCAL_AUTHORITY]
# Which places' names the map of each kind of boundary writes, and from which zoom level.
LABEL_ZOOMS = {
    PlaceKind.LOCAL_AUTHORITY: "local_authority:0-20",
    PlaceKind.COMMUNITY: "community:0-20",
    PlaceKind.WARD: "ward:0-20",
    PlaceKind.LSOA: "lsoa:14-20",
}
# How long a browser may keep the streets it was sent (they change only when streets are loaded).
STREETS_MAX_AGE = 3600


@login_required
def map_page(request):
    kind = request.GET.get("kind", PlaceKind.WARD)
    if kind not in PlaceKind.values:
        kind = PlaceKind.WARD
    return page(
        request,
        "places/map.html",
        active="map",
        kind=PlaceKind(kind),
        kinds=MAP_KINDS,
        places=place_list(kind=kind).order_by("name"),
        counts=place_counts(),
        label_zooms=LABEL_ZOOMS.get(PlaceKind(kind), f"{kind}:0-20"),
        tile_url=settings.MAP_TILE_URL,
        tile_attribution=settings.MAP_TILE_ATTRIBUTION,
    )


@login_required
def boundaries(request, kind: str):
    if kind not in PlaceKind.values:
        raise Http404("No such kind of place.")
    return JsonResponse(places_feature_collection(kind=PlaceKind(kind)))


@login_required
def place_labels(request):
    """Where to write places' names: ?kind=community&kind=ward (communities and wards if none)."""
    kinds = [PlaceKind(kind) for kind in request.GET.getlist("kind") if kind in PlaceKind.values]
    return JsonResponse(place_labels_feature_collection(kinds=kinds or [PlaceKind.COMMUNITY, PlaceKind.WARD]))


def _reference_data(response, etag: str):
    """The same for everyone signed in, and about no one: the browser may keep it for a while
    (privately, not in a shared cache) and ask again with the ETag."""
    response["ETag"] = etag
    response["Cache-Control"] = f"private, max-age={STREETS_MAX_AGE}"
    response.reference_data = True  # NoStoreMiddleware leaves its Cache-Control alone
    return response


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "errors": {}}, status=400)


@login_required
def streets(request):
    """Streets as GeoJSON lines for a map: ?bbox=west,south,east,north&zoom=N (both optional;
    below zoom 12 only motorways, A and B roads). A browser may keep the answer for an hour."""
    fingerprint = f"{streets_fingerprint()}?{request.GET.urlencode()}"
    etag = f'"{hashlib.sha256(fingerprint.encode()).hexdigest()[:32]}"'
    if etag in request.headers.get("If-None-Match", ""):
        return _reference_data(HttpResponseNotModified(), etag)
    bbox = None
    if request.GET.get("bbox"):
        try:
            bbox = tuple(float(value) for value in request.GET["bbox"].split(","))
        except ValueError:
            return _bad_request("The bbox must be four numbers: west,south,east,north.")
        if len(bbox) != 4 or not (-180 <= bbox[0] <= bbox[2] <= 180 and -90 <= bbox[1] <= bbox[3] <= 90):
            return _bad_request("The bbox must be four numbers: west,south,east,north, in degrees.")
    zoom = None
    if request.GET.get("zoom"):
        try:
            zoom = int(request.GET["zoom"])
        except ValueError:
            return _bad_request("The zoom must be a whole number.")
        if not 0 <= zoom <= 22:
            return _bad_request("The zoom must be from 0 to 22.")
    return _reference_data(JsonResponse(streets_feature_collection(bbox=bbox, zoom=zoom)), etag)
