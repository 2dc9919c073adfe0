"""What the analysis pages and commands read, always through the access policy: every figure is
computed from the incidents the viewer may see (the count tables, `incidents.selectors`), so an
analysis never counts a record its reader could not open."""

import h3
from django.conf import settings

from saferplace.analysis.getis_ord import ALPHA, gi_star, study_area
from saferplace.incidents.models import IncidentCategory
from saferplace.incidents.selectors import IncidentFilters, incident_hexagons
from saferplace.places.models import Place
from saferplace.places.selectors import cells_describe

MEASURES = ("count", "harm")
METHOD = ("Getis-Ord Gi* (PySAL esda.G_Local, star=True) on H3 cells, each with its six neighbours; "
          "two-sided p values from the normal approximation; Benjamini-Hochberg false discovery rate")


def hotspots_find(*, viewer, filters: IncidentFilters | None = None, resolution: int | None = None,
                  by: str = "count", alpha: float = ALPHA, every_cell: bool = False) -> dict:
    """Where the chosen incidents (categories, place, period) cluster: every cell whose Gi* is
    significant at false discovery rate `alpha` (or, `every_cell`, every cell tested), the
    hottest first, with the numbers behind it and where it is in words. The study area is the
    cells where the viewer may see any incident (in the chosen place, if one is) and their
    neighbours; the cells in it with none of the chosen incidents count as zero."""
    filters = filters or IncidentFilters()
    stored = settings.H3_RESOLUTION
    resolution = stored if resolution is None else resolution
    if not 0 <= resolution <= stored:
        raise ValueError(f"Choose a resolution from 0 to {stored} (the finest the incidents are counted at)")
    if by not in MEASURES:
        raise ValueError(f"Choose a measure of {', '.join(MEASURES)}")
    if not 0 < alpha < 1:
        raise ValueError("Choose a false discovery rate between 0 and 1")
    unknown = sorted(set(filters.categories) - set(IncidentCategory.objects.filter(
        code__in=filters.categories).values_list("code", flat=True)))
    if unknown:
        raise ValueError(f"There is no category {', '.join(unknown)}")
    if filters.place_code and not Place.objects.filter(code=filters.place_code.strip().upper()).exists():
        raise ValueError(f"There is no place with the code {filters.place_code}")
    chosen = {row["cell"]: row for row in incident_hexagons(viewer=viewer, filters=filters, resolution=resolution)}
    everywhere = incident_hexagons(viewer=viewer, filters=IncidentFilters(place_code=filters.place_code),
                                   resolution=resolution)
    area = study_area([row["cell"] for row in everywhere])
    results = gi_star({cell: row[by] for cell, row in chosen.items()}, area)
    reported = [result for result in results if every_cell or result.significant(alpha)]
    reported.sort(key=lambda result: (-result.z, result.cell))
    described = cells_describe([result.cell for result in reported])
    rows = []
    for result in reported:
        latitude, longitude = h3.cell_to_latlng(result.cell)
        row = chosen.get(result.cell, {"count": 0, "harm": 0.0})
        rows.append({
            "h3_cell": result.cell, "latitude": round(latitude, 5), "longitude": round(longitude, 5),
            "count": row["count"], "harm": round(row["harm"], 2), "expected": round(result.expected, 3),
            "neighbourhood": round(result.neighbourhood, 2),
            "neighbourhood_expected": round(result.neighbourhood_expected, 3),
            "z": round(result.z, 4), "p_value": result.p_value, "q_value": result.q_value,
            "kind": result.kind, "significant": result.significant(alpha),
            "places": described.get(result.cell, {}).get("where", ""),
        })
    return {
        "hotspots": rows,
        "parameters": {
            "filters": filters.as_dict(), "resolution": resolution, "by": by, "false_discovery_rate": alpha,
            "cells_tested": len(results), "incidents": sum(row["count"] for row in chosen.values()),
            "method": METHOD,
        },
    }
