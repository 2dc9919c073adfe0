"""The ranked list of issues (`saferplace issues`, and the daily meeting's agenda to come): for
the categories with the most incidents the viewer may see in the period, their hotspots and
emerging hot spots, each scored with its reasons (`priority.py`). Through the access policy, as
every analysis: the statistics count only what the viewer may read."""

import h3

from saferplace.analysis.getis_ord import ALPHA
from saferplace.analysis.models import CategoryRisk, PriorityWeight
from saferplace.analysis.priority import (
    DIMENSIONS,
    RISK_FIELDS,
    STARTING_WEIGHTS,
    Candidate,
    exceedance_likelihood,
    hotspot_likelihood,
    pattern_likelihood,
    repeat_likelihood,
    scale_level,
    score,
    starting_levels,
)
from saferplace.analysis.repeat_selectors import repeats_find
from saferplace.analysis.selectors import (
    _checked,
    emerging_find,
    exceedances_find,
    hotspots_find,
)
from saferplace.incidents.models import IncidentCategory
from saferplace.incidents.selectors import IncidentFilters, incident_counts_by_category
from saferplace.places.models import Place

CATEGORIES = 8  # the busiest categories looked at
PER_CATEGORY = 3  # the strongest hotspots of each


def _weights() -> dict[str, float]:
    weights = {dimension: weight for dimension, (weight, _) in STARTING_WEIGHTS.items()}
    weights.update(PriorityWeight.objects.filter(dimension__in=DIMENSIONS).values_list("dimension", "weight"))
    return weights


def _risk(category: IncidentCategory, rows: dict[str, dict]) -> dict[str, int]:
    if category.code in rows:
        return rows[category.code]
    return starting_levels(category.code, category.group)


def _add(found: dict, category: IncidentCategory, row: dict, kind: str, evidence: dict, likelihood: tuple[int, str]):
    """A hotspot or emerging hot spot as a candidate issue, or as more evidence for one already
    found in the same cell for the same category (the likelihood the stronger, with both reasons)."""
    key = (category.code, row["h3_cell"])
    candidate = found.get(key)
    if candidate is None:
        found[key] = Candidate(kind=kind, category=category.code, category_name=category.name, h3_cell=row["h3_cell"],
                               where=row["places"], count=row["count"], evidence=evidence, likelihood=likelihood[0],
                               likelihood_why=likelihood[1])
        return
    candidate.kind = f"{candidate.kind} and {kind}"
    candidate.evidence = {**candidate.evidence, **evidence}
    candidate.likelihood = min(4, max(candidate.likelihood, likelihood[0]) + 1)
    candidate.likelihood_why = f"{candidate.likelihood_why}, and {likelihood[1]}"


def issues_rank(*, viewer, filters: IncidentFilters | None = None, resolution: int | None = None,
                limit: int = 20) -> dict:
    """The candidate issues, the highest score first: the strongest significant hotspots of each
    of the busiest categories, their emerging hot spots that are new, consecutive, intensifying
    or persistent (monthly, when the period has ten months or more), their wards whose last
    week exceeds its seasonal expectation, and the repeat locations of those categories."""
    filters = filters or IncidentFilters()
    resolution = _checked(filters, resolution=resolution, by="count", alpha=ALPHA)
    busiest = incident_counts_by_category(viewer=viewer, filters=filters)[:CATEGORIES]
    codes = [row["category"] for row in busiest]
    categories = {category.code: category for category in IncidentCategory.objects.filter(code__in=codes)}
    risks = {row["category_id"]: {name: row[name] for name in RISK_FIELDS}
             for row in CategoryRisk.objects.filter(category_id__in=list(categories)).values("category_id", *RISK_FIELDS)}
    weights = _weights()
    found: dict[tuple[str, str], Candidate] = {}  # one issue per category and cell, with all its evidence
    for row in busiest:
        category = categories[row["category"]]
        chosen = IncidentFilters(categories=(category.code,), place_code=filters.place_code, date_from=filters.date_from,
                                 date_to=filters.date_to)
        spots = hotspots_find(viewer=viewer, filters=chosen, resolution=resolution)["hotspots"]
        for spot in [spot for spot in spots if spot["kind"] == "hot"][:PER_CATEGORY]:
            _add(found, category, spot, "hotspot", {"z": spot["z"], "q_value": spot["q_value"]},
                 hotspot_likelihood(spot["z"]))
        try:
            locations = emerging_find(viewer=viewer, filters=chosen, resolution=resolution)["locations"]
        except ValueError:  # fewer than ten months: no trend to speak of
            continue
        for location in locations:
            # A cell with none of its own is carried by its neighbours, which are issues of their own.
            if location["count"] and location["pattern"].removesuffix(" hot spot") in (
                    "new", "consecutive", "intensifying", "persistent"):
                _add(found, category, location, location["pattern"],
                     {"pattern": location["pattern"], "trend_z": location["trend_z"]},
                     pattern_likelihood(location["pattern"], location["trend_z"]))
    flagged = exceedances_find(viewer=viewer, filters=IncidentFilters(categories=tuple(categories),
                                                                      place_code=filters.place_code)) if categories else {}
    for test in flagged.get("exceedances", []):
        row = {"h3_cell": f"ward:{test['place_code']}", "places": test["place"], "count": test["observed"]}
        _add(found, categories[test["category"]], row, "exceedance",
             {"observed": test["observed"], "expected": test["expected"], "exceedance_q": test["q_value"]},
             exceedance_likelihood(test))
    repeated = repeats_find(viewer=viewer, filters=IncidentFilters(categories=tuple(categories),
                                                                   place_code=filters.place_code)) if categories else {}
    for place in repeated.get("repeat_locations", [])[:PER_CATEGORY * CATEGORIES]:
        commonest = max(place["categories"], key=lambda code: (place["categories"][code], code))
        if commonest not in categories:  # a rule of its own category, not among the busiest
            continue
        row = {"h3_cell": f"location:{place['latitude']},{place['longitude']}", "places": place["place"],
               "count": place["count"]}
        _add(found, categories[commonest], row, "repeat location",
             {"repeats": place["count"], "rule": place["rule"], "first": place["first"], "last": place["last"]},
             repeat_likelihood(place))
    busiest_count = max((candidate.count for candidate in found.values()), default=0)
    candidates = []
    for candidate in found.values():
        candidate.scale, candidate.scale_why = scale_level(candidate.count, busiest_count)
        category = categories[candidate.category]
        candidates.append(score(candidate, _risk(category, risks), weights))
    candidates.sort(key=lambda candidate: (-candidate.score, -candidate.count, candidate.h3_cell))
    return {
        "issues": [{"title": f"{candidate.category_name} at {candidate.where or candidate.h3_cell}: {candidate.kind}",
                    "kind": candidate.kind, "category": candidate.category, "h3_cell": candidate.h3_cell,
                    "place": candidate.where, "count": candidate.count, "score": candidate.score,
                    "reasons": candidate.reasons, "evidence": candidate.evidence} for candidate in candidates[:limit]],
        "parameters": {"filters": filters.as_dict(), "categories": [row["category"] for row in busiest],
                       "weights": weights, "candidates": len(candidates)},
    }


def issue_point(issue: dict) -> tuple[float, float] | None:
    """Where an issue is: the centre of its H3 cell, its repeat location, or its ward's centre."""
    cell = str(issue.get("h3_cell") or "")
    if cell.startswith("location:"):
        try:
            latitude, longitude = (float(part) for part in cell.removeprefix("location:").split(","))
        except ValueError:
            return None
        return latitude, longitude
    if cell.startswith("ward:"):
        ward = Place.objects.filter(code=cell.removeprefix("ward:")).first()
        return (ward.centre_lat, ward.centre_lon) if ward and ward.centre_lat is not None else None
    if cell and h3.is_valid_cell(cell):
        return h3.cell_to_latlng(cell)
    return None
