"""The demo city's postcodes: a few synthetic postcode centres inside each LSOA (RV1 1AA, RV1 1AB…,
the district numbered by LSOA in nines), stored as a loaded postcode lookup stores them
(`PostcodeCentroid`), so that searching by postcode works in the demo as it does for a
partnership that has loaded the ONS Postcode Directory. Made-up postcodes of a made-up city."""

import numpy as np
import shapely

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.demo.geography import CityPlan
from saferplace.incidents.models import PostcodeCentroid

OUTWARD = "RV"
PER_LSOA = 4
UNITS = ["AA", "AB", "AD", "AE", "AF", "AG", "AH", "AJ"]
SEED = 311


def _inside(generator: np.random.Generator, area: shapely.Geometry) -> tuple[float, float]:
    west, south, east, north = area.bounds
    for _ in range(100):
        point = shapely.Point(generator.uniform(west, east), generator.uniform(south, north))
        if area.contains(point):
            return point.y, point.x
    inside = shapely.point_on_surface(area)
    return inside.y, inside.x


def demo_postcodes(plan: CityPlan) -> list[tuple[str, float, float]]:
    """(postcode without its space, latitude, longitude) for each made-up postcode."""
    generator = np.random.default_rng(SEED)
    rows = []
    for number, lsoa in enumerate(plan.lsoas):
        district, sector = 1 + number // 9, 1 + number % 9
        for unit in UNITS[:PER_LSOA]:
            latitude, longitude = _inside(generator, lsoa.geometry)
            rows.append((f"{OUTWARD}{district}{sector}{unit}", round(latitude, 6), round(longitude, 6)))
    return rows


def demo_postcodes_create(*, viewer, plan: CityPlan) -> int:
    rows = demo_postcodes(plan)
    PostcodeCentroid.objects.bulk_create(
        [PostcodeCentroid(postcode=code, latitude=latitude, longitude=longitude) for code, latitude, longitude in rows])
    audit_record(viewer=viewer, action=AuditAction.CREATE, object_type="incidents.postcodecentroid",
                 object_repr=f"{len(rows)} made-up postcodes of the demo city", details={"postcodes": len(rows)})
    return len(rows)


def demo_postcodes_delete() -> None:
    PostcodeCentroid.objects.filter(postcode__regex=rf"^{OUTWARD}[0-9]").delete()
