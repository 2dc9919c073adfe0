"""The map of the partnership's places."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse

from saferplace.places.models import PlaceKind
from saferplace.places.selectors import place_counts, place_list, places_feature_collection
from saferplace.web.views.common import page

MAP_KINDS = [PlaceKind.COMMUNITY, PlaceKind.WARD, PlaceKind.LSOA, PlaceKind.LOCAL_AUTHORITY]


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
        tile_url=settings.MAP_TILE_URL,
        tile_attribution=settings.MAP_TILE_ATTRIBUTION,
    )


@login_required
def boundaries(request, kind: str):
    if kind not in PlaceKind.values:
        raise Http404("No such kind of place.")
    return JsonResponse(places_feature_collection(kind=PlaceKind(kind)))
