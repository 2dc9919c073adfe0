"""Incidents as GeoJSON for the explorer's map.

* `hexagon_feature_collection`: H3 cells with their counts and harm, as polygons (aggregates:
  not audited, they carry no record about a person).
* `incident_points_open`: the individual incidents of one hexagon, for drilling down on the
  explorer's map. Record-level data, so every call is audited with the ids it shows.

The GeoJSON export of the whole filtered set, streamed, is `incidents_export_geojson` in
`saferplace.incidents.exports`, beside the CSV export.
"""

import h3

from saferplace.incidents.selectors import (
    POINTS_LIMIT,
    IncidentFilters,
    incident_points,
)
from saferplace.incidents.services import incidents_shown_audit
from saferplace.places.selectors import cells_describe
from saferplace.words import count_of

MEASURES = {"count": "Number of incidents", "harm": "Harm (the sum of the categories' harm weights)"}


def hexagon_polygon(cell: str) -> dict:
    ring = [[round(lng, 6), round(lat, 6)] for lat, lng in h3.cell_to_boundary(cell)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def hexagon_feature_collection(hexagons: list[dict], *, measure: str, resolution: int) -> dict:
    """The hexagons as polygons with their figures and, for people, where each is (`where`: its
    main street, ward and LSOA, from the geography alone); the cell id is only for the map to
    ask for the hexagon's points, and is never shown."""
    described = cells_describe([row["cell"] for row in hexagons])
    features = [
        {
            "type": "Feature",
            "geometry": hexagon_polygon(row["cell"]),
            "properties": {"cell": row["cell"], "count": row["count"], "harm": row["harm"], "value": row[measure],
                           **described.get(row["cell"], {})},
        }
        for row in hexagons
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "metadata": {
            "measure": measure,
            "measure_label": MEASURES[measure],
            "resolution": resolution,
            "hexagons": len(features),
            "incidents": sum(row["count"] for row in hexagons),
            "harm": round(sum(row["harm"] for row in hexagons), 2),
            "max": max((row[measure] for row in hexagons), default=0),
        },
    }


def incident_points_open(*, viewer, filters: IncidentFilters, cell: str, limit: int = POINTS_LIMIT) -> dict:
    """The located incidents of one hexagon, at most `limit`, as GeoJSON points (the caller adds
    the link to each record's page); audited with the ids shown and the filters used."""
    points = incident_points(viewer=viewer, filters=filters, cell=cell, limit=limit)
    place = cells_describe([cell]).get(cell, {}).get("where") if h3.is_valid_cell(cell) else ""
    rows = incidents_shown_audit(viewer=viewer, incidents=points["rows"], filters=filters,
                                 where=f"on the map (the hexagon {'at ' + place if place else 'chosen'})", cell=cell,
                                 total=points["total"])
    if points["capped"]:
        message = (f"Showing the newest {len(rows):,} of the {points['total']:,} incidents in this hexagon. "
                   "Narrow the filters, or export them, to see them all.")
    elif len(rows) == 1:
        message = "Showing the only incident in this hexagon."
    else:
        message = f"Showing all {count_of(len(rows), 'incident')} in this hexagon."
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": {
                "id": row["id"],
                "reference": row["external_id"] or f"#{row['id']}",
                "category": row["category_name"],
                "category_code": row["category_code"],
                "occurred_on": row["occurred_on"].isoformat(),
                "occurred_precision": row["occurred_precision"],
            },
        }
        for row in rows
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "metadata": {"cell": cell, "total": points["total"], "shown": len(rows), "capped": points["capped"],
                     "limit": limit, "message": message},
    }
