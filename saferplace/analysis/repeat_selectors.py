"""Repeats (`repeats.py`): repeat locations and repeat victims by the partnership's rules, and
near repeats (the Knox test, `knox.py`) with their live risk areas, over the incidents the
viewer may see."""

from datetime import date, timedelta

import h3
import numpy as np
from django.conf import settings

from saferplace.analysis import repeats
from saferplace.analysis.getis_ord import ALPHA
from saferplace.analysis.knox import knox
from saferplace.analysis.models import RepeatRule, RepeatSubject
from saferplace.analysis.selectors import _checked
from saferplace.incidents.selectors import (
    IncidentFilters,
    incident_counts_by_location,
    incident_counts_by_person,
    incident_last_day,
    incident_points_dated,
)
from saferplace.partners.models import Organisation
from saferplace.places.selectors import cells_describe


def _rounded(degrees: float | None) -> float | None:
    return None if degrees is None else round(degrees, 5)


def _window(filters: IncidentFilters, rule: RepeatRule, end: date) -> IncidentFilters:
    return IncidentFilters(**{**filters.__dict__, "date_from": end - timedelta(days=rule.days - 1), "date_to": end,
                              "categories": (rule.category_id,) if rule.category_id else filters.categories})


def _together(rows: list[dict], key: str) -> list[dict]:
    """Rows by `key` and category added up by `key`: the count, each category's, first and last."""
    by_key: dict = {}
    for row in rows:
        one = by_key.setdefault(row[key], {**row, "count": 0, "categories": {}})
        one["count"] += row["count"]
        one["categories"][row["category_id"]] = row["count"]
        one["first"], one["last"] = min(one["first"], row["first"]), max(one["last"], row["last"])
    return list(by_key.values())


def _places(*, viewer, filters: IncidentFilters, rule: RepeatRule) -> list[dict]:
    return [{"rule": str(rule), "place": place["description"], "latitude": _rounded(place["latitude"]),
             "longitude": _rounded(place["longitude"]), "h3_cell": place["h3_cell"], "count": place["count"],
             "categories": place["categories"], "first": place["first"].isoformat(), "last": place["last"].isoformat()}
            for place in _together(incident_counts_by_location(viewer=viewer, filters=filters, least=rule.times),
                                   "location_id")]


def _people(*, viewer, filters: IncidentFilters, rule: RepeatRule) -> list[dict]:
    people = _together(incident_counts_by_person(viewer=viewer, filters=filters, least=rule.times), "person")
    names = dict(Organisation.objects.filter(pk__in={person["owner"] for person in people}).values_list("pk", "name"))
    return [{"rule": str(rule), "person": person["person"], "organisation": names[person["owner"]],
             "count": person["count"], "categories": person["categories"], "first": person["first"].isoformat(),
             "last": person["last"].isoformat(), "incidents": person["incidents"]} for person in people]


def _describe(areas: list[dict]) -> None:
    """Say where each risk area is, in words: the main street, ward and LSOA of the cell its
    incident is in (`cells_describe`: geography only, never the cell)."""
    cells = [h3.latlng_to_cell(area["latitude"], area["longitude"], settings.H3_RESOLUTION) for area in areas]
    described = cells_describe(cells)
    for area, cell in zip(areas, cells, strict=True):
        area["where"] = described.get(cell, {}).get("where", "")


def repeats_find(*, viewer, filters: IncidentFilters | None = None, end: date | None = None) -> dict:
    """Repeat locations and repeat victims: for each rule (`RepeatRule`), the places (or people)
    with at least its number of the matching incidents (of its category, or any) in its days to
    `end` (default: the latest day of a matching incident dated to the day), the most first. A
    person is a pseudonym (incidents/pseudonyms.py), with the incidents that name them, so that
    the partner whose reference it is can find them in its own records."""
    filters = filters or IncidentFilters()
    _checked(filters, resolution=None, by="count", alpha=ALPHA)
    end = end or incident_last_day(viewer=viewer, filters=filters)
    rules = list(RepeatRule.objects.order_by("days", "times", "pk")) if end else []
    places = [place for rule in rules if rule.subject == RepeatSubject.PLACE
              for place in _places(viewer=viewer, filters=_window(filters, rule, end), rule=rule)]
    people = [person for rule in rules if rule.subject == RepeatSubject.PERSON
              for person in _people(viewer=viewer, filters=_window(filters, rule, end), rule=rule)]
    places.sort(key=lambda row: (-row["count"], row["place"]))
    people.sort(key=lambda row: (-row["count"], row["person"]))
    return {"repeat_locations": places, "repeat_victims": people,
            "parameters": {"filters": filters.as_dict(), "end": end.isoformat() if end else None,
                           "rules": [str(rule) for rule in RepeatRule.objects.all()]}}


def near_repeat_find(*, viewer, filters: IncidentFilters | None = None, permutations: int = 99,
                     alpha: float = ALPHA) -> dict:
    """The Knox test (`knox.py`) over the matching incidents at exact points and dated to the
    day, as the Near Repeat Calculator's table (observed, expected, ratio and p value of every
    distance and time band), and the live risk areas it makes (`repeats.risk_areas`)."""
    filters = filters or IncidentFilters()
    _checked(filters, resolution=None, by="count", alpha=alpha)
    if not 9 <= permutations <= 999:
        raise ValueError("Choose from 9 to 999 permutations")
    points = incident_points_dated(viewer=viewer, filters=filters)
    if len(points) < 10:
        raise ValueError(f"A near-repeat test needs 10 incidents at exact points dated to the day at least, "
                         f"and these choices have {len(points)}")
    first = min(day for _, _, day in points)
    table = knox([point[0] for point in points], [point[1] for point in points],
                 [(day - first).days for _, _, day in points], distance_edges=repeats.DISTANCE_EDGES,
                 time_edges=repeats.TIME_EDGES, permutations=permutations)
    end = max(day for _, _, day in points)
    metres, days, areas = repeats.risk_areas(table, points, end=end, alpha=alpha)
    _describe(areas)

    def label(edges: list, index: int, unit: str) -> str:
        if index == len(edges):
            return f"more than {edges[-1]:g} {unit}"
        if index == 0:
            return "the same place" if edges[0] == 0 else f"up to {edges[0]:g} {unit}"
        return f"{edges[index - 1]:g} to {edges[index]:g} {unit}"

    cells = [{"distance": label(table.distance_edges, row, "m"), "time": label(table.time_edges, column, "days"),
              "observed": int(table.observed[row, column]), "expected": round(float(table.expected[row, column]), 2),
              "ratio": None if np.isnan(table.ratios[row, column]) else round(float(table.ratios[row, column]), 2),
              "p_value": float(table.p_values[row, column])}
             for row in range(table.observed.shape[0]) for column in range(table.observed.shape[1])]
    return {"knox": cells, "near_repeat": {"metres": metres, "days": days}, "risk_areas": areas,
            "parameters": {"filters": filters.as_dict(), "incidents": len(points), "permutations": permutations,
                           "significance": alpha, "end": end.isoformat(),
                           "method": "Knox test with Monte Carlo permutations of the dates (the Near Repeat Calculator's)"}}
