"""Repeats: the same place again and again (repeat locations), and the houses around a burglary
at raised risk for a while after it (near repeats, `knox.py`).

A repeat location is a location with `times` incidents or more within `days` days (`RepeatRule`,
data; by default three in 28 days, of any category): the place's incidents are counted in the
window to the period's end. A repeat victim is the same for a person (by default two in a year),
where a partner's file says who an incident happened to (by pseudonym: incidents/pseudonyms.py). Near repeats come from the Knox test over the chosen categories'
incidents at exact points and dated to the day; where the near bands stand out (ratio above 1,
p ≤ `alpha`, for the nearest distance band and the shortest time band at least), every incident
in the last significant time band makes a live risk area: a circle of the significant distance
around it until the time band ends."""

from datetime import date, timedelta

STARTING_RULES = [(None, 3, 28, "Three incidents or more at the same place within four weeks")]
# The Home Office's repeat victim: a victim of more than one crime in twelve months.
STARTING_PERSON_RULES = [(None, 2, 365, "Two incidents or more to the same person within a year")]
DISTANCE_EDGES = [0.0, 100.0, 200.0, 300.0, 400.0]  # metres: the same place, then bands of 100 m
TIME_EDGES = [7, 14, 21, 28]  # days


def risk_areas(table, points: list[tuple[float, float, date]], *, end: date, alpha: float) -> tuple[float, int, list[dict]]:
    """The distance and time within which near repeats stand out (both bands from the nearest,
    as far as every cell inside is significant with a ratio above 1), and the live risk areas
    they make around the incidents of that time before `end`: (metres, days, areas)."""
    significant = (table.p_values <= alpha) & (table.ratios > 1)
    rows, columns = 0, 0
    while rows < len(table.distance_edges) and significant[: rows + 1, :1].all():
        rows += 1
    while rows and columns < len(table.time_edges) and significant[:rows, : columns + 1].all():
        columns += 1
    if not rows or not columns:
        return 0.0, 0, []
    metres, days = table.distance_edges[rows - 1], table.time_edges[columns - 1]
    areas = [{"latitude": latitude, "longitude": longitude, "from": day.isoformat(),
              "until": (day + timedelta(days=days)).isoformat(), "radius_m": metres}
             for latitude, longitude, day in points if end - timedelta(days=days) < day <= end]
    return metres, days, sorted(areas, key=lambda area: area["from"], reverse=True)
