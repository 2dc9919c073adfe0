"""Creating places: one at a time, from an ONS code alone, or from a GeoJSON file of boundaries.
The partnership's places are changed only by a viewer with `places.manage`, and audited."""

import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from django.core.exceptions import ValidationError
from django.db import transaction

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.partners import access
from saferplace.places.models import PLACE_HIERARCHY, Place, PlaceKind

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
    values = {"kind": kind, "name": name, "parent": parent, "population": population, "boundary": boundary}
    values.update(_geometry_fields(boundary))
    place, created = Place.objects.update_or_create(code=code, defaults=values)
    audit_record(viewer=viewer, action=AuditAction.CREATE if created else AuditAction.CHANGE, obj=place,
                 details={"name": name, "kind": str(kind)})
    return place


def place_get_or_create_from_code(*, code: str, kind: PlaceKind | None = None, name: str = "") -> Place:
    """Many partner files carry only an LSOA code: make the place known without a boundary."""
    code = code.strip().upper()
    existing = Place.objects.filter(code=code).first()
    if existing is not None:
        return existing
    kind = kind or kind_for_code(code)
    if kind is None:
        raise ValidationError(f"{code!r} is not an ONS code SaferPlace recognises; give the kind of place")
    return Place.objects.create(code=code, kind=kind, name=name or code)


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
