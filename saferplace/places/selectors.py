"""Reading places: lists and GeoJSON for maps. Places are not personal data."""

from django.db.models import QuerySet

from saferplace.places.models import Place, PlaceKind


def place_list(*, kind: PlaceKind | None = None) -> QuerySet[Place]:
    places = Place.objects.select_related("parent")
    return places.filter(kind=kind) if kind else places


def places_feature_collection(*, kind: PlaceKind) -> dict:
    features = [
        {
            "type": "Feature",
            "geometry": place.boundary,
            "properties": {
                "code": place.code,
                "name": place.name,
                "kind": place.kind,
                "population": place.population,
                "parent_code": place.parent.code if place.parent else None,
                "parent_name": place.parent.name if place.parent else None,
            },
        }
        for place in place_list(kind=kind).filter(boundary__isnull=False)
    ]
    return {"type": "FeatureCollection", "features": features}


def place_counts() -> dict[str, int]:
    return {kind.value: Place.objects.filter(kind=kind).count() for kind in PlaceKind}
