"""Creating places: one at a time, from an ONS code alone, or from a GeoJSON file of boundaries;
and loading streets (a GeoJSON file such as an OS Open Roads extract, or the demo city's). The
partnership's places and streets are changed only by a viewer with `places.manage`, and audited."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db import transaction

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.history import record_change
from saferplace.partners import access
from saferplace.places.events import PlaceEventKind
from saferplace.places.models import PLACE_HIERARCHY, Place, PlaceKind, Street
from saferplace.places.streets import kind_for_class, street_geometry_fields

# ONS code prefixes (England and Wales) and the kind of place they name.
ONS_PREFIXES = {
    "E01": PlaceKind.LSOA,
    "W01": PlaceKind.LSOA,
    "E05": PlaceKind.WARD,
    "W05": PlaceKind.WARD,
    "E06": PlaceKind.LOCAL_AUTHORITY,
    "E07": PlaceKind.LOCAL_AUTHORITY,
    "E08": PlaceKind.LOCAL_AUTHORITY,
    "E09": PlaceKind.LOCAL_AUTHORITY,
    "W06": PlaceKind.LOCAL_AUTHORITY,
    "E23": PlaceKind.FORCE,
    "W15": PlaceKind.FORCE,
}


def kind_for_code(code: str) -> PlaceKind | None:
    return ONS_PREFIXES.get(code[:3].upper())


def _geometry_fields(boundary: dict | None) -> dict:
    if not boundary:
        return {}
    geometry = shapely.geometry.shape(boundary)
    if geometry.is_empty or not geometry.is_valid:
        raise ValidationError(f"the boundary is not a valid polygon ({shapely.is_valid_reason(geometry)})")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    centre = geometry.representative_point()
    return {
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        "centre_lat": centre.y,
        "centre_lon": centre.x,
    }


def _check_parent(kind: PlaceKind, parent: Place | None) -> None:
    if parent is None:
        return
    if PLACE_HIERARCHY.index(PlaceKind(parent.kind)) >= PLACE_HIERARCHY.index(kind):
        raise ValidationError(f"a {kind.label.lower()} cannot sit inside a {parent.get_kind_display().lower()}")


@transaction.atomic
def place_create_or_update(
    *,
    viewer,
    kind: PlaceKind,
    code: str,
    name: str,
    parent: Place | None = None,
    population: int | None = None,
    boundary: dict | None = None,
) -> Place:
    access.require(viewer, "places.manage")
    kind = PlaceKind(kind)
    _check_parent(kind, parent)
    values = {"kind": kind, "name": name, "parent": parent, "population": population}
    geometry = {"boundary": boundary, **_geometry_fields(boundary)}
    place = Place.objects.filter(code=code).first()
    created = place is None
    if created:
        place = Place(code=code)
    # A boundary is shown in the history as changed, not as its thousands of coordinates.
    changes = {} if created or place.boundary == boundary else {"boundary": ["(before)", "(changed)"]}
    for field, value in geometry.items():
        setattr(place, field, value)
    record_change(viewer=viewer, record=place, kind=PlaceEventKind.ADDED if created else PlaceEventKind.CHANGED,
                  values=values, changes=changes, created=created, details={"name": name, "kind": str(kind)})
    return place


def place_get_or_create_from_code(*, viewer, code: str, kind: PlaceKind | None = None, name: str = "") -> Place:
    """Many partner files carry only an LSOA code: make the place known without a boundary
    (an import does this for the LSOAs its rows name; recorded in the place's history)."""
    code = code.strip().upper()
    existing = Place.objects.filter(code=code).first()
    if existing is not None:
        return existing
    kind = kind or kind_for_code(code)
    if kind is None:
        raise ValidationError(f"{code!r} is not an ONS code SaferPlace recognises; give the kind of place")
    place = Place(code=code, kind=kind, name=name or code)
    record_change(viewer=viewer, record=place, kind=PlaceEventKind.ADDED, created=True)
    return place


@dataclass(frozen=True)
class BoundaryLoadResult:
    created: int
    updated: int


def places_load_geojson(
    *,
    viewer,
    path: Path,
    kind: PlaceKind,
    code_property: str,
    name_property: str,
    parent_code_property: str | None = None,
    population_property: str | None = None,
) -> BoundaryLoadResult:
    """Load a FeatureCollection of boundaries. Either every feature loads or none does: a
    problem is reported with the feature's number and property, and nothing is changed."""
    try:
        collection = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(f"{path}: not a readable GeoJSON file ({error})") from error
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValidationError(f"{path}: expected a GeoJSON FeatureCollection")
    created = updated = 0
    with transaction.atomic():
        for number, feature in enumerate(collection.get("features", []), start=1):
            properties = feature.get("properties") or {}
            code = str(properties.get(code_property) or "").strip()
            if not code:
                raise ValidationError(f"feature {number}: property {code_property!r} is missing or blank")
            parent = None
            if parent_code_property:
                parent_code = str(properties.get(parent_code_property) or "").strip()
                parent = Place.objects.filter(code=parent_code).first()
                if parent_code and parent is None:
                    raise ValidationError(
                        f"feature {number} ({code}): parent {parent_code!r} in {parent_code_property!r} is not a known place"
                    )
            population = properties.get(population_property) if population_property else None
            try:
                population = int(population) if population not in (None, "") else None
            except (TypeError, ValueError):
                raise ValidationError(
                    f"feature {number} ({code}): {population_property!r} must be a whole number, not {population!r}"
                ) from None
            exists = Place.objects.filter(code=code).exists()
            try:
                place_create_or_update(
                    viewer=viewer,
                    kind=kind,
                    code=code,
                    name=str(properties.get(name_property) or code),
                    parent=parent,
                    population=population,
                    boundary=feature.get("geometry"),
                )
            except ValidationError as error:
                raise ValidationError(f"feature {number} ({code}): {'; '.join(error.messages)}") from error
            updated += exists
            created += not exists
    return BoundaryLoadResult(created=created, updated=updated)


@dataclass(frozen=True)
class StreetLoadResult:
    source: str
    loaded: int
    replaced: int


def _rounded(geometry: dict) -> dict:
    """The line with its coordinates to 6 decimal places (about 10 cm)."""
    line = shapely.transform(shapely.geometry.shape(geometry), lambda xy: np.round(xy, 6))
    return json.loads(json.dumps(shapely.geometry.mapping(line)))


def streets_load(*, viewer, source: str, streets: Iterable[dict]) -> StreetLoadResult:
    """Replace the streets of `source` (a file's name, or the demo's) with `streets`, each a dict
    of `geometry` (a GeoJSON line in WGS84), `name`, `number` and `kind` (a `StreetKind` or a
    source's class, e.g. OS Open Roads' "A Road"). All or nothing: a problem names the street,
    and nothing is changed. One audit entry records the load."""
    access.require(viewer, "places.manage")
    source = str(source or "").strip()
    if not source or len(source) > 100:
        raise ValidationError("Name the streets' source (up to 100 characters), e.g. the file's name.")
    rows = []
    for position, street in enumerate(streets, start=1):
        name = str(street.get("name") or "").strip()[:200]
        number = str(street.get("number") or "").strip()[:20]
        try:
            fields = street_geometry_fields(street.get("geometry"))
        except ValidationError as error:
            named = f" ({name or number})" if name or number else ""
            raise ValidationError(f"feature {position}{named}: {'; '.join(error.messages)}") from error
        rows.append(Street(source=source, name=name, number=number, kind=kind_for_class(street.get("kind")),
                           geometry=_rounded(street["geometry"]), **fields))
    with transaction.atomic():
        replaced = Street.objects.filter(source=source).count()
        Street.objects.filter(source=source).delete()
        Street.objects.bulk_create(rows, batch_size=2000)
        audit_record(
            viewer=viewer, action=AuditAction.CHANGE if replaced else AuditAction.CREATE, object_type="places.street",
            object_repr=f"{len(rows)} streets from {source}"[:300],
            details={"source": source, "loaded": len(rows), "replaced": replaced},
        )
    return StreetLoadResult(source=source, loaded=len(rows), replaced=replaced)


# Where the common sources keep a street's name, road number and class (OS Open Roads as
# GeoPackage or GeoJSON, its older shapefile names, OpenStreetMap).
NAME_PROPERTIES = ("name_1", "name1", "name", "NAME", "road_name")
NUMBER_PROPERTIES = ("road_classification_number", "roadNumber", "number", "ref")
KIND_PROPERTIES = ("road_classification", "class", "roadClassification", "kind", "highway")


def _first(properties: dict, names: tuple[str, ...]):
    return next((properties[name] for name in names if properties.get(name) not in (None, "")), None)


def streets_load_geojson(
    *,
    viewer,
    path: Path,
    source: str | None = None,
    name_property: str | None = None,
    number_property: str | None = None,
    kind_property: str | None = None,
) -> StreetLoadResult:
    """Load a GeoJSON FeatureCollection of streets in WGS84 (e.g. OS Open Roads' road links,
    converted with `ogr2ogr -f GeoJSON -t_srs EPSG:4326 roads.geojson oproad_gb.gpkg road_link`).
    The streets of the same source (by default the file's name) are replaced. Properties are
    found under their usual names unless named."""
    access.require(viewer, "places.manage")
    path = Path(path)
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(f"{path}: not a readable GeoJSON file ({error})") from error
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValidationError(f"{path}: expected a GeoJSON FeatureCollection")
    features = collection.get("features") or []
    if not isinstance(features, list):
        raise ValidationError(f"{path}: its features are not a list")

    def read(feature) -> dict:
        properties = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        return {
            "geometry": feature.get("geometry") if isinstance(feature, dict) else None,
            "name": properties.get(name_property) if name_property else _first(properties, NAME_PROPERTIES),
            "number": properties.get(number_property) if number_property else _first(properties, NUMBER_PROPERTIES),
            "kind": properties.get(kind_property) if kind_property else _first(properties, KIND_PROPERTIES),
        }

    return streets_load(viewer=viewer, source=source or path.name, streets=(read(feature) for feature in features))
