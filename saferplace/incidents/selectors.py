"""Reading incidents. Every list and every figure goes through the access policy: the explorer's
counts, hexagons and points all start from `incident_list`, so nobody counts what they may not
see, and every one needs the `incidents.view` capability, whichever interface asks."""

import math
import re
from dataclasses import asdict, dataclass
from datetime import date
from functools import reduce
from operator import or_

import h3
from django.conf import settings
from django.db.models import Count, ExpressionWrapper, F, FloatField, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from saferplace.history import record_timeline, timeline_for_outsider
from saferplace.incidents import tallies
from saferplace.incidents.counts import (
    IncidentCellCount,
    IncidentCellTotal,
    IncidentCount,
    IncidentHourCount,
    IncidentMonthCount,
    IncidentOutcomeCount,
    IncidentWardHourCount,
)
from saferplace.incidents.models import (
    CategoryGroup,
    DatePrecision,
    Incident,
    IncidentCategory,
    IncidentPerson,
    Location,
    LocationPrecision,
    PostcodeCentroid,
    SourceLabel,
)
from saferplace.incidents.pages import incident_page
from saferplace.incidents.source_blocks import source_record
from saferplace.incidents.tallies import count_rows
from saferplace.incidents.transforms import HourOf, IsoWeekday, MonthStart, WeekStart
from saferplace.partners import access
from saferplace.partners.models import Organisation
from saferplace.places.models import Place, PlaceKind
from saferplace.places.selectors import cells_describe

# The kinds of place an incident is assigned to, from the largest.
INCIDENT_PLACE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.WARD, PlaceKind.LSOA)
# Points returned at once when drilling down into the map.
POINTS_LIMIT = 500
# Longest run of months a chart shows when the filters leave the period open.
MONTHS_LIMIT = 120
# How many resolutions coarser than the stored one a hexagon may be and still be drilled into.
DRILL_DOWN_LEVELS = 4


# The orders a list can be sorted in: name → the order_by of it.
SORTS = {
    "newest": (F("occurred_on").desc(), F("occurred_time").desc(nulls_last=True), F("id").desc()),
    "oldest": (F("occurred_on").asc(), F("occurred_time").asc(nulls_last=True), F("id").asc()),
    "category": (F("category__name").asc(), F("occurred_on").desc(), F("id").desc()),
}
# ISO days of the week, as Django's iso_week_day counts them.
WEEKDAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday", 7: "Sunday"}
# Near a point: how far, in metres, a filter may reach.
RADII = (250, 500, 1000, 2000)
# The shortest edge of an H3 cell, as a share of the average at its resolution (cells vary in
# size by about a third across the globe's faces; this leaves room to spare).
SMALLEST_EDGE = 0.6
MOST_RINGS = 30  # 2,791 cells
METRES_PER_DEGREE = 111_320.0  # of latitude; of longitude, times the cosine of the latitude
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


@dataclass(frozen=True)
class IncidentFilters:
    source: str = ""
    category: str = ""
    categories: tuple[str, ...] = ()  # any of these (with `category`, when both are given)
    place_code: str = ""
    date_from: date | None = None
    date_to: date | None = None
    owner: str = ""  # the owning organisation's name
    outcome: str = ""  # the outcome's text, as the source wrote it
    # Hours of the day, from `hour_from`:00 up to `hour_to`:00 (not included), wrapping past
    # midnight when `hour_to` is the smaller (22 to 4: 22:00–03:59). One alone runs from or to
    # midnight; the same hour twice is the whole day. Only records with a time of day match.
    hour_from: int | None = None
    hour_to: int | None = None
    weekdays: tuple[int, ...] = ()  # ISO days: 1 Monday … 7 Sunday; only records dated to the day match
    search: str = ""  # in the reference or the location's description (the street)
    near: tuple[float, float, int] | None = None  # latitude, longitude, radius in metres
    sort: str = ""  # a key of SORTS; newest first when empty

    def as_dict(self) -> dict:
        result = {}
        for key, value in asdict(self).items():
            if value is not None and value != "" and value != ():
                result[key] = value.isoformat() if isinstance(value, date) else list(value) if isinstance(value, tuple) else value
        return result


def _filter_lookups(filters: IncidentFilters) -> tuple[dict, list[list[dict]]] | None:
    """The filters as lookups every record must match, and groups of which each record must
    match one term (the place: its LSOA, ward or community). None when nothing can match (a
    place that does not exist)."""
    lookups: dict = {}
    groups: list[list[dict]] = []
    if filters.source:
        lookups["source"] = filters.source
    codes = {code for code in (filters.category, *filters.categories) if code}
    if codes:
        lookups["category_id__in"] = sorted(codes)
    if filters.place_code:
        place_id = Place.objects.filter(code=filters.place_code.strip().upper()).values_list("id", flat=True).first()
        if place_id is None:
            return None
        groups.append([{"lsoa_id": place_id}, {"ward_id": place_id}, {"community_id": place_id}])
    if filters.date_from:
        lookups["occurred_on__gte"] = filters.date_from.isoformat()
    if filters.date_to:
        lookups["occurred_on__lte"] = filters.date_to.isoformat()
    if filters.owner:
        lookups["owning_organisation__name"] = filters.owner
    if filters.outcome:
        lookups["outcome__text"] = filters.outcome
    hours, hour_groups = tallies.hours_terms(filters, hour="occurred_time__hour_of", timed="occurred_time",
                                             weekday="occurred_on__weekday_of")
    lookups.update(hours)
    groups.extend(hour_groups)
    if filters.search:
        groups.append([{"external_id__icontains": filters.search},
                       {"location__description__icontains": filters.search}])
    if filters.near:
        latitude, longitude, radius = filters.near
        reach_latitude = radius / METRES_PER_DEGREE
        reach_longitude = radius / (METRES_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
        lookups["location__latitude__gte"] = latitude - reach_latitude
        lookups["location__latitude__lte"] = latitude + reach_latitude
        lookups["location__longitude__gte"] = longitude - reach_longitude
        lookups["location__longitude__lte"] = longitude + reach_longitude
        cells = cells_within(latitude, longitude, radius)
        if cells is not None:
            lookups["location__h3_cell__in"] = cells
    return lookups, groups


def cells_within(latitude: float, longitude: float, radius: int) -> list[str] | None:
    """The H3 cells (at the stored resolution) that together cover every point within `radius`
    metres of the point: the cell it is in and rings of its neighbours, enough rings that the
    outermost starts beyond the radius even where cells are smallest (a cell's centre is at
    least √3 × its shortest edge from its neighbours'). With the locations' index on their cell,
    the database reads only the incidents near the point. None when it would take more than
    `MOST_RINGS` rings (a fine stored resolution): then the square around the circle does."""
    resolution = settings.H3_RESOLUTION
    shortest_edge = h3.average_hexagon_edge_length(resolution, unit="m") * SMALLEST_EDGE
    rings = math.ceil(radius / (shortest_edge * math.sqrt(3))) + 1
    if rings > MOST_RINGS:
        return None
    return sorted(h3.grid_disk(h3.latlng_to_cell(latitude, longitude, resolution), rings))


def _within(incidents: QuerySet[Incident], near: tuple[float, float, int]) -> QuerySet[Incident]:
    """The incidents within `radius` metres of the point (on a flat earth: near enough over a few
    kilometres), after the bounding box `_filter_lookups` has already narrowed them to."""
    latitude, longitude, radius = near
    north = (F("location__latitude") - latitude) * METRES_PER_DEGREE
    east = (F("location__longitude") - longitude) * (METRES_PER_DEGREE * math.cos(math.radians(latitude)))
    squared = ExpressionWrapper(north * north + east * east, output_field=FloatField())
    return incidents.alias(distance_squared=squared).filter(distance_squared__lte=float(radius) ** 2)


def _visible(viewer) -> QuerySet[Incident]:
    access.require(viewer, "incidents.view")
    return access.visible_to(viewer, Incident.objects.all())


def _counts(model, *, viewer, filters: IncidentFilters | None) -> QuerySet | None:
    """The rows of a count table for the viewer and filters (`tallies.count_rows`), or None when
    only the incidents can answer."""
    return _first_counts((model,), viewer=viewer, filters=filters)[0]


def _first_counts(models, *, viewer, filters: IncidentFilters | None) -> tuple[QuerySet | None, object]:
    """The rows of the first of `models` that can answer (the smallest first), and which it is;
    (None, None) when only the incidents can."""
    access.require(viewer, "incidents.view")
    filters = filters or IncidentFilters()
    found = _filter_lookups(filters)
    if found is None:
        return models[0].objects.none(), models[0]
    for model in models:
        rows = count_rows(model, viewer=viewer, filters=filters, lookups=found[0], groups=found[1])
        if rows is not None:
            return rows, model
    return None, None


# Count tables for each kind of read, the smallest first. Together they answer every filter but
# a search and a distance, and the combinations none of them keeps (hours with an LSOA, or with
# an outcome and a place; for the busiest places and hexagons, hours).
TOTALS = (IncidentMonthCount, IncidentHourCount, IncidentCount, IncidentWardHourCount, IncidentOutcomeCount)
HOURS = (IncidentHourCount, IncidentWardHourCount)
CELLS = (IncidentCellTotal, IncidentCellCount, IncidentOutcomeCount)
LSOAS = (IncidentCount, IncidentOutcomeCount)


def _totals(*, viewer, filters: IncidentFilters | None) -> QuerySet | None:
    return _first_counts(TOTALS, viewer=viewer, filters=filters)[0]


def _cell_rows(*, viewer, filters: IncidentFilters | None) -> tuple[QuerySet | None, object]:
    """Count rows by H3 cell, and the model they are of: the totals by cell when the filters
    allow, else the cells by month and category (None when only the incidents can answer)."""
    rows, model = _first_counts(CELLS, viewer=viewer, filters=filters)
    if model is IncidentOutcomeCount:  # it keeps the incidents with no point too
        rows = rows.exclude(h3_cell="")
    return rows, model


def incident_list(*, viewer, filters: IncidentFilters | None = None) -> QuerySet[Incident]:
    """The incidents `viewer` may see that match the filters."""
    incidents = _filtered(_visible(viewer), filters or IncidentFilters())
    if filters and filters.sort in SORTS:
        incidents = incidents.order_by(*SORTS[filters.sort])
    return incidents.select_related(
        "owning_organisation", "data_category", "category", "lsoa", "ward", "community", "location", "source_category",
        "outcome",
    )


def _matching(*, viewer, filters: IncidentFilters | None) -> QuerySet[Incident]:
    """The incidents `viewer` may see that match the filters, unordered, to be counted or grouped
    in full (the figures the count tables cannot give)."""
    return _filtered(_visible(viewer), filters or IncidentFilters(), every=True)


def _filtered(incidents: QuerySet[Incident], filters: IncidentFilters, *, every: bool = False) -> QuerySet[Incident]:
    """`incidents` narrowed by the filters. With `every` (every match is to be read), a term on
    the location's fields (the search's street) is a subquery of the locations, read once: as a
    join, every incident's location is read, and the reference's `OR` keeps the database from
    using either table's index (3.4 times slower at ten million). Without it the join stays:
    a page walks the list's index and reads only the locations of the incidents it meets."""
    found = _filter_lookups(filters)
    if found is None:
        return incidents.none()
    lookups, groups = found
    incidents = incidents.filter(**lookups)
    term = _term_subquery if every else lambda term: Q(**term)
    for group in groups:
        incidents = incidents.filter(reduce(or_, map(term, group), Q(pk__in=[])))
    incidents = _within(incidents, filters.near) if filters.near else incidents
    return incidents.order_by() if every else incidents


def _term_subquery(term: dict) -> Q:
    through = {key.removeprefix("location__"): value for key, value in term.items() if key.startswith("location__")}
    if not through:
        return Q(**term)
    rest = {key: value for key, value in term.items() if not key.startswith("location__")}
    return Q(location__in=Location.objects.filter(**through).values("id"), **rest)


def incident_list_page(*, viewer, filters: IncidentFilters | None = None, offset: int = 0, limit: int = 50,
                       after=None) -> list[Incident]:
    """One page of `incident_list(viewer, filters)`, in its order (`pages.incident_page`), walking
    only the (owner, data category) pairs that the counts say have a matching record."""
    filters = filters or IncidentFilters()
    counted = _totals(viewer=viewer, filters=filters)
    matching = None if counted is None else set(
        counted.values_list("owning_organisation_id", "data_category_id").distinct())
    return incident_page(
        viewer=viewer, filtered=lambda incidents: _filtered(incidents, filters),
        unlimited=incident_list(viewer=viewer, filters=filters), sort=filters.sort,
        order=SORTS.get(filters.sort, ("-occurred_on", "-id")), offset=offset, limit=limit, after=after,
        matching=matching,
    )


def incident_scope(*, viewer, filters: IncidentFilters | None = None) -> dict:
    """What a bulk export of `incident_list(viewer, filters)` could include, as data: the
    filters' lookups, the reading rule's terms for the viewer now, and the highest incident id
    now. The audit trail keeps it, so an auditor searching for one record finds the export. (For
    `near`, the scope is the square around the circle: what the export could include.)"""
    found = _filter_lookups(filters or IncidentFilters())
    lookups, groups = found if found is not None else ({"pk__in": []}, [])
    terms = access.grant_terms(viewer)
    if terms is not None:
        groups = [*groups, terms]
    up_to = Incident.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return {"filters": lookups, "groups": groups, "up_to_id": up_to}


def incident_filter_options(*, viewer) -> dict:
    """The explorer's choices, from the incidents the viewer may see: their sources, categories,
    owning organisations (names) and outcomes (texts); and whether partners share records with
    the viewer's organisation under an agreement in force (`shared`)."""
    # One pass over the records for every choice: a few dozen sources, categories, owners and
    # outcomes make a few thousand combinations at most.
    combinations = _counts(IncidentMonthCount, viewer=viewer, filters=None).values_list(
        "source", "category_id", "owning_organisation_id", "outcome_id"
    ).distinct()
    sources, categories, owner_ids, outcome_ids = set(), set(), set(), set()
    for source, category, owner_id, outcome_id in combinations:
        sources.add(source)
        categories.add(category)
        owner_ids.add(owner_id)
        if outcome_id is not None:
            outcome_ids.add(outcome_id)
    owners = Organisation.objects.filter(pk__in=owner_ids).order_by("name").values_list("name", flat=True)
    outcomes = SourceLabel.objects.filter(pk__in=outcome_ids).order_by("text").values_list("text", flat=True)
    grants = viewer.grants
    return {
        "sources": sorted(sources),
        "categories": sorted(categories),
        "owners": list(owners) if owner_ids else [],
        "outcomes": list(outcomes) if outcome_ids else [],
        "shared": bool(grants.everything or grants.owners_by_category),
    }


def postcode_find(*, text: str) -> PostcodeCentroid | None:
    """The loaded centre of the postcode `text` (any case and spacing), or None when `text` is
    not a postcode or the lookup does not have it."""
    code = postcode_normalised(text)
    if not code:
        return None
    return PostcodeCentroid.objects.filter(postcode=code).first()


def postcode_normalised(text: str) -> str:
    """`text` as a postcode is stored (upper case, no spaces), or "" if it does not look like one."""
    code = "".join(text.split()).upper()
    return code if POSTCODE.match(code) else ""


@dataclass(frozen=True)
class CategoryOption:
    code: str
    name: str


@dataclass(frozen=True)
class CategoryGroupOptions:
    group: str
    label: str
    categories: list[CategoryOption]


def incident_category_groups(*, codes: list[str] | None = None) -> list[CategoryGroupOptions]:
    """The taxonomy's categories grouped by `CategoryGroup`, in the groups' order; only `codes`
    when given (for example the categories a user has records of)."""
    categories = IncidentCategory.objects.order_by("name")
    if codes is not None:
        categories = categories.filter(code__in=codes)
    by_group: dict[str, list[CategoryOption]] = {}
    for category in categories:
        by_group.setdefault(category.group, []).append(CategoryOption(category.code, category.name))
    return [
        CategoryGroupOptions(group=value, label=label, categories=by_group[value])
        for value, label in CategoryGroup.choices
        if value in by_group
    ]


def incident_place_options() -> list[Place]:
    """The places an incident can be filtered by (communities, wards and LSOAs), largest first."""
    order = {kind: position for position, kind in enumerate(INCIDENT_PLACE_KINDS)}
    # Not the boundaries: a filter's choices need only the names.
    places = list(Place.objects.filter(kind__in=INCIDENT_PLACE_KINDS).only("kind", "code", "name").order_by("name", "code"))
    return sorted(places, key=lambda place: (order[PlaceKind(place.kind)], place.name, place.code))


def place_find(*, text: str) -> tuple[Place | None, list[Place]]:
    """The community, ward or LSOA `text` names: its code, its name, or "Name (CODE)" as the
    explorer suggests. Returns the place, or None and the places the name could mean."""
    text = " ".join(text.split())
    if not text:
        return None, []
    candidates = Place.objects.filter(kind__in=INCIDENT_PLACE_KINDS)
    code = text.upper()
    if text.endswith(")") and "(" in text:
        code = text.rsplit("(", 1)[1].rstrip(")").strip().upper()
    by_code = candidates.filter(code=code).first()
    if by_code is not None:
        return by_code, []
    by_name = list(candidates.filter(name__iexact=text).order_by("code"))
    if len(by_name) == 1:
        return by_name[0], []
    return None, by_name


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return month.replace(year=month.year + 1, month=1) if month.month == 12 else month.replace(month=month.month + 1)


def incident_counts_by_month(*, viewer, filters: IncidentFilters | None = None) -> list[dict]:
    """Incidents (and their harm) in each calendar month, every month from the period's start to
    its end included, months with none as zero. The period is the filters' dates, or else the
    first and last month with records."""
    filters = filters or IncidentFilters()
    rows = _totals(viewer=viewer, filters=filters)
    if rows is not None:
        grouped = rows.values("month").annotate(count=tallies.total(), harm=tallies.harm())
    else:
        grouped = (
            _matching(viewer=viewer, filters=filters).annotate(month=MonthStart("occurred_on"))
            .values("month").annotate(count=Count("id"), harm=Coalesce(Sum("category__harm_weight"), 0.0))
        )
    found = {_as_date(row["month"]): row for row in grouped}
    if not found and not (filters.date_from and filters.date_to):
        return []
    first = _month(filters.date_from) if filters.date_from else min(found)
    last = _month(filters.date_to) if filters.date_to else max(found)
    if found and _months_between(first, last) > MONTHS_LIMIT:  # an open-ended period: keep to the data
        first, last = max(first, min(found)), min(last, max(found))
    months = []
    month = first
    while month <= last and len(months) < MONTHS_LIMIT * 2:
        row = found.get(month)
        months.append({"month": month, "count": row["count"] if row else 0, "harm": round(row["harm"], 2) if row else 0.0})
        month = _next_month(month)
    return months


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _by_cell(*, viewer, filters: IncidentFilters | None, by: tuple[str, ...] = ()):
    """Count and harm of the incidents by stored H3 cell (and by the fields `by`), from the
    counts when they can answer, else from the incidents. Incidents with no location are not in
    any cell."""
    counted, model = _cell_rows(viewer=viewer, filters=filters)
    if counted is not None:
        return counted.values(*by, cell=F("h3_cell")).annotate(count=tallies.total(), harm=tallies.harm(model))
    return (
        _matching(viewer=viewer, filters=filters).exclude(location=None).exclude(location__h3_cell="")
        .values(*by, cell=F("location__h3_cell"))
        .annotate(count=Count("id"), harm=Coalesce(Sum("category__harm_weight"), 0.0))
    )


def _cell_totals(rows, resolution: int) -> list[dict]:
    """The rows' count and harm added up by cell, a cell finer than `resolution` into its parent."""
    cells: dict[str, dict] = {}
    for row in rows:
        cell = row["cell"]
        if h3.get_resolution(cell) > resolution:
            cell = h3.cell_to_parent(cell, resolution)
        total = cells.setdefault(cell, {"cell": cell, "count": 0, "harm": 0.0})
        total["count"] += row["count"]
        total["harm"] += row["harm"]
    for total in cells.values():
        total["harm"] = round(total["harm"], 2)
    return list(cells.values())


INTERVALS = ("week", "month")
BY_MONTH = (IncidentCellCount, IncidentOutcomeCount)  # the count tables that keep a cell and a month


def incident_counts_by_cell_and_period(*, viewer, filters: IncidentFilters | None = None, interval: str = "month",
                                       resolution: int | None = None) -> list[dict]:
    """Count and harm of the incidents by H3 cell (at `resolution`: a finer stored cell adds
    into its parent) and by `interval`, each period named by its first day (a month's 1st, a
    week's Monday): the bins of a space-time cube. By month from the counts when they can
    answer; by week from the incidents dated to the day (one dated only to its month, as
    police.uk's are, is in no week). Incidents with no location are in no cell."""
    if interval not in INTERVALS:
        raise ValueError(f"Choose an interval of {', '.join(INTERVALS)}")
    stored = settings.H3_RESOLUTION
    resolution = stored if resolution is None else max(0, min(resolution, stored))
    counted, model = (None, None) if interval == "week" else _first_counts(BY_MONTH, viewer=viewer, filters=filters)
    if counted is not None:
        rows = counted.exclude(h3_cell="").values("h3_cell", "month").annotate(
            count=tallies.total(), harm=tallies.harm(model)).values_list("h3_cell", "month", "count", "harm")
    else:
        incidents = _matching(viewer=viewer, filters=filters).exclude(location=None).exclude(location__h3_cell="")
        if interval == "week":
            incidents = incidents.filter(occurred_precision=DatePrecision.DAY)
        start = WeekStart("occurred_on") if interval == "week" else MonthStart("occurred_on")
        rows = incidents.values(cell=F("location__h3_cell"), period=start).annotate(
            count=Count("id"), harm=Coalesce(Sum("category__harm_weight"), 0.0)).values_list("cell", "period", "count", "harm")
    bins: dict[tuple[str, date], dict] = {}
    for cell, period, count, harm in rows:
        if h3.get_resolution(cell) > resolution:
            cell = h3.cell_to_parent(cell, resolution)
        period = _as_date(period)
        total = bins.setdefault((cell, period), {"cell": cell, "period": period, "count": 0, "harm": 0.0})
        total["count"] += count
        total["harm"] += harm
    return sorted(bins.values(), key=lambda row: (row["cell"], row["period"]))


def incident_counts_by_ward_and_day(*, viewer, filters: IncidentFilters | None = None) -> list[tuple[int, str, date, int]]:
    """(ward id, category, day, count) of the incidents dated to the day, for the exceedance
    check (by day, so from the incidents: the count tables keep months)."""
    rows = (_matching(viewer=viewer, filters=filters).filter(occurred_precision=DatePrecision.DAY).exclude(ward=None)
            .values_list("ward_id", "category_id", "occurred_on").annotate(count=Count("id")))
    return [(ward, category, _as_date(day), count) for ward, category, day, count in rows]


def incident_last_day(*, viewer, filters: IncidentFilters | None = None) -> date | None:
    """The latest day of an incident dated to the day that the viewer may see."""
    last = _matching(viewer=viewer, filters=filters).filter(occurred_precision=DatePrecision.DAY).aggregate(
        last=Max("occurred_on"))["last"]
    return _as_date(last) if last else None


def incident_points_dated(*, viewer, filters: IncidentFilters | None = None) -> list[tuple[float, float, date]]:
    """(latitude, longitude, day) of the incidents at an exact point and dated to the day: what a
    near-repeat test can use (snapped police.uk points and months would make false repeats)."""
    rows = (_matching(viewer=viewer, filters=filters).filter(occurred_precision=DatePrecision.DAY,
                                                             location__precision=LocationPrecision.EXACT)
            .values_list("location__latitude", "location__longitude", "occurred_on"))
    return [(latitude, longitude, _as_date(day)) for latitude, longitude, day in rows if latitude is not None]


def _repeated(matching, key: str, least: int, *also: str) -> list[dict]:
    """The matching incidents' counts by `key` (and `also`) and category, first and last day, for
    the values of `key` with at least `least` incidents of any category between them."""
    repeated = matching.values(key).annotate(total=Count("id")).filter(total__gte=least).values(key)
    rows = (matching.filter(**{f"{key}__in": repeated}).values(key, *also, "category_id")
            .annotate(count=Count("id"), first=Min("occurred_on"), last=Max("occurred_on")))
    return [{**row, "first": _as_date(row["first"]), "last": _as_date(row["last"])} for row in rows]


def incident_counts_by_location(*, viewer, filters: IncidentFilters | None = None, least: int = 2) -> list[dict]:
    """The locations (exact points, or a source's own address) with at least `least` of the
    matching incidents, by category: repeat locations. Snapped points (police.uk's, shared by
    every crime near them) are not locations of their own and are left out."""
    matching = (_matching(viewer=viewer, filters=filters).exclude(location=None)
                .exclude(location__precision=LocationPrecision.SNAPPED))
    rows = _repeated(matching, "location_id", least)
    places = {location.pk: location for location in Location.objects.filter(pk__in={row["location_id"] for row in rows})}
    return [{**row, "description": places[row["location_id"]].description, "latitude": places[row["location_id"]].latitude,
             "longitude": places[row["location_id"]].longitude, "h3_cell": places[row["location_id"]].h3_cell}
            for row in rows]


def incident_counts_by_person(*, viewer, filters: IncidentFilters | None = None, least: int = 2) -> list[dict]:
    """The people (by pseudonym: `pseudonyms.py`) with at least `least` of the matching incidents,
    by category: repeat victims. Only partners' files whose mapping profile names a person column
    say who an incident happened to; a pseudonym is one partner's (`owner`). With each person's
    incidents (ids, all categories), for the partner to find the person in its own records."""
    matching = _matching(viewer=viewer, filters=filters).filter(people__isnull=False)
    rows = [{"person": row.pop("people__person"), "owner": row.pop("owning_organisation_id"), **row}
            for row in _repeated(matching, "people__person", least, "owning_organisation_id")]
    incidents: dict[str, list[int]] = {}
    links = IncidentPerson.objects.filter(person__in={row["person"] for row in rows},
                                          incident__in=matching.order_by().values("pk"))
    for person, incident in links.order_by("incident_id").values_list("person", "incident_id"):
        incidents.setdefault(person, []).append(incident)
    return [{**row, "incidents": incidents.get(row["person"], [])} for row in rows]


def incident_hexagons(*, viewer, filters: IncidentFilters | None = None, resolution: int | None = None) -> list[dict]:
    """Count and harm (the sum of the categories' harm weights) of the incidents in each H3 cell,
    grouped in the database on the stored cell; for a coarser `resolution`, the stored cells'
    counts are added up into their parent cells. Incidents with no location are not in any cell."""
    stored = settings.H3_RESOLUTION
    resolution = stored if resolution is None else max(0, min(resolution, stored))
    cells = _cell_totals(_by_cell(viewer=viewer, filters=filters), resolution)
    return sorted(cells, key=lambda total: (-total["count"], total["cell"]))


def incident_top_lsoas(*, viewer, filters: IncidentFilters | None = None, limit: int = 10, order_by: str = "count") -> list[dict]:
    """The LSOAs with the most incidents (or the most harm), with both figures."""
    return _top_lsoas(list(_by_lsoa(viewer=viewer, filters=filters)), limit=limit, order_by=order_by)


def _by_lsoa(*, viewer, filters: IncidentFilters | None):
    counted, _ = _first_counts(LSOAS, viewer=viewer, filters=filters)
    if counted is not None:
        return counted.exclude(lsoa=None).values("lsoa_id").annotate(count=tallies.total(), harm=tallies.harm())
    return _matching(viewer=viewer, filters=filters).exclude(lsoa=None).values("lsoa_id").annotate(
        count=Count("id"), harm=Coalesce(Sum("category__harm_weight"), 0.0))


def _top_lsoas(grouped: list[dict], *, limit: int, order_by: str) -> list[dict]:
    """The busiest of rows by LSOA id (by id, named after: a join to the places for every row costs more)."""
    names = _place_names({row["lsoa_id"] for row in grouped})
    rows = [{"code": names[row["lsoa_id"]][0], "name": names[row["lsoa_id"]][1], "count": row["count"],
             "harm": round(row["harm"], 2)} for row in grouped]
    key = "harm" if order_by == "harm" else "count"
    return sorted(rows, key=lambda row: (-row[key], row["code"]))[:limit]


def _place_names(ids: set[int]) -> dict[int, tuple[str, str]]:
    return {pk: (code, name) for pk, code, name in Place.objects.filter(pk__in=ids).values_list("id", "code", "name")}


def incident_top_hexagons(*, viewer, filters: IncidentFilters | None = None, limit: int = 10, order_by: str = "count") -> list[dict]:
    """The H3 cells (at the stored resolution) with the most incidents or harm, each with the
    LSOA most of its incidents are in (`place`), its main street and `where` it is in words
    (`places.selectors.cells_describe`), so a reader knows where it is without its id."""
    # One pass, by cell and LSOA, for both the busiest cells and the place each is mostly in.
    return _top_hexagons(list(_by_cell(viewer=viewer, filters=filters, by=("lsoa_id",))), limit=limit, order_by=order_by)


def _top_hexagons(grouped: list[dict], *, limit: int, order_by: str) -> list[dict]:
    """The busiest of rows by cell and LSOA id."""
    key = "harm" if order_by == "harm" else "count"
    cells = _cell_totals(grouped, settings.H3_RESOLUTION)
    top = sorted(cells, key=lambda row: (-row[key], row["cell"]))[:limit]
    if not top:
        return []
    chosen = {row["cell"] for row in top}
    lsoas = _place_names({row["lsoa_id"] for row in grouped if row["cell"] in chosen})
    commonest: dict[str, tuple[int, str]] = {}
    for row in grouped:
        if row["lsoa_id"] not in lsoas:
            continue
        name = lsoas[row["lsoa_id"]][1]
        best = commonest.get(row["cell"])
        if best is None or (row["count"], name) > best:
            commonest[row["cell"]] = (row["count"], name)
    described = cells_describe([row["cell"] for row in top])  # where each is, for people: never the cell id
    for row in top:
        row["place"] = commonest.get(row["cell"], (0, ""))[1]
        row["latitude"], row["longitude"] = (round(value, 5) for value in h3.cell_to_latlng(row["cell"]))
        names = described.get(row["cell"], {})
        row["street"] = names.get("street", "")
        row["area"] = names.get("area", "")
        row["where"] = names.get("where") or row["place"]
    return top


def incident_points(*, viewer, filters: IncidentFilters | None = None, cell: str = "", limit: int = POINTS_LIMIT) -> dict:
    """The located incidents of one H3 cell (of any resolution up to the stored one), at most
    `limit` of them, newest first, with how many there are in all."""
    incidents = incident_list(viewer=viewer, filters=filters).exclude(location__latitude=None).exclude(location__longitude=None)
    if cell:
        stored = settings.H3_RESOLUTION
        if not h3.is_valid_cell(cell):
            raise ValueError(f"{cell!r} is not an H3 cell")
        resolution = h3.get_resolution(cell)
        if resolution < stored - DRILL_DOWN_LEVELS:
            raise ValueError(f"Choose a cell of resolution {stored - DRILL_DOWN_LEVELS} or finer")
        if resolution >= stored:
            incidents = incidents.filter(location__h3_cell=h3.cell_to_parent(cell, stored) if resolution > stored else cell)
        else:
            incidents = incidents.filter(location__h3_cell__in=list(h3.cell_to_children(cell, stored)))
    total = incidents.count()
    rows = list(
        incidents.values(
            "id", "occurred_on", "occurred_precision", "external_id",
            latitude=F("location__latitude"), longitude=F("location__longitude"),
            category_code=F("category__code"), category_name=F("category__name"),
        )[:limit]
    )
    return {"total": total, "rows": rows, "capped": total > len(rows)}


def incident_count(*, viewer, filters: IncidentFilters | None = None) -> int:
    """How many incidents the viewer may see match the filters (from the counts when they can say)."""
    counted = _totals(viewer=viewer, filters=filters)
    if counted is not None:
        return counted.aggregate(count=tallies.total())["count"]
    return _matching(viewer=viewer, filters=filters).count()


def incident_summary(*, viewer, filters: IncidentFilters | None = None) -> dict:
    """How many incidents match, how many have no location, their harm, first and last date."""
    counted = _totals(viewer=viewer, filters=filters)
    if counted is not None:
        return counted.aggregate(
            count=tallies.total(), without_location=Coalesce(Sum("number", filter=Q(located=False)), 0),
            harm=tallies.harm(), first=Min("first_day"), last=Max("last_day"),
        )
    return _matching(viewer=viewer, filters=filters).aggregate(
        count=Count("id"),
        without_location=Count("id", filter=Q(location__latitude=None) | Q(location__longitude=None)),
        harm=Coalesce(Sum("category__harm_weight"), 0.0),
        first=Min("occurred_on"),
        last=Max("occurred_on"),
    )


def incident_counts_by_category(*, viewer, filters: IncidentFilters | None = None) -> list[dict]:
    """How many incidents the viewer may see in each category (of those matching the filters),
    with the category's name (the home page's tiles), the most first."""
    counted = _totals(viewer=viewer, filters=filters)
    if counted is not None:
        rows = counted.values("category", name=F("category__name")).annotate(count=tallies.total())
    else:
        rows = _matching(viewer=viewer, filters=filters).values("category", name=F("category__name")).annotate(
            count=Count("id"))
    return list(rows.order_by("-count", "name"))


def incident_counts_by_hour_and_weekday(*, viewer, filters: IncidentFilters | None = None) -> dict:
    """Incidents at each hour of the day on each day of the week (the night-time economy's
    questions), counted from the records with a time of day and a date to the day: `grid[hour]`
    is the counts Monday to Sunday; with the total, the busiest hour's count and every hour of
    the week that had it (Monday first)."""
    counted, _ = _first_counts(HOURS, viewer=viewer, filters=filters)
    if counted is not None:
        rows = counted.filter(hour__isnull=False, occurred_precision=DatePrecision.DAY).values(
            "hour", "weekday").annotate(count=tallies.total())
    else:
        rows = (
            _matching(viewer=viewer, filters=filters)
            .filter(occurred_time__isnull=False, occurred_precision=DatePrecision.DAY)
            .annotate(hour=HourOf("occurred_time"), weekday=IsoWeekday("occurred_on"))
            .values("hour", "weekday").annotate(count=Count("id"))
        )
    grid = [[0] * 7 for _ in range(24)]
    for row in rows:
        grid[row["hour"]][row["weekday"] - 1] += row["count"]
    peak = max(map(max, grid))
    busiest = [{"hour": hour, "weekday": WEEKDAYS[day + 1]}
               for day in range(7) for hour in range(24) if peak and grid[hour][day] == peak]
    return {"grid": grid, "total": sum(map(sum, grid)), "peak": peak, "busiest": busiest,
            "weekdays": list(WEEKDAYS.values())}


def incident_explorer(*, viewer, filters: IncidentFilters | None = None, order_by: str = "count") -> dict:
    """Everything the explorer page shows for one set of filters: the summary, the months, the
    hours of the week, the busiest hexagons and LSOAs, and the list itself (a queryset, for paging; the page of it
    shown is recorded by `incidents_shown_audit`)."""
    summary = incident_summary(viewer=viewer, filters=filters)
    hours = incident_counts_by_hour_and_weekday(viewer=viewer, filters=filters)
    by_cell, by_lsoa = _places(viewer=viewer, filters=filters)
    return {
        "summary": summary,
        "months": incident_counts_by_month(viewer=viewer, filters=filters),
        "hours": {**hours, "without_time": summary["count"] - hours["total"]},
        "top_hexagons": _top_hexagons(by_cell, limit=10, order_by=order_by),
        "top_lsoas": _top_lsoas(by_lsoa, limit=10, order_by=order_by),
        "incidents": incident_list(viewer=viewer, filters=filters),
    }


def _places(*, viewer, filters: IncidentFilters | None) -> tuple[list[dict], list[dict]]:
    """The incidents by cell and LSOA (`_by_cell`) and by LSOA (`_by_lsoa`). When no count table
    can give either (hours, a search, a distance), both come from one pass over the incidents."""
    if _cell_rows(viewer=viewer, filters=filters)[0] is None and _first_counts(
            LSOAS, viewer=viewer, filters=filters)[0] is None:
        rows = list(_matching(viewer=viewer, filters=filters).values("lsoa_id", cell=F("location__h3_cell")).annotate(
            count=Count("id"), harm=Coalesce(Sum("category__harm_weight"), 0.0)))
        by_lsoa: dict[int, dict] = {}
        for row in rows:
            if row["lsoa_id"] is not None:
                total = by_lsoa.setdefault(row["lsoa_id"], {"lsoa_id": row["lsoa_id"], "count": 0, "harm": 0.0})
                total["count"] += row["count"]
                total["harm"] += row["harm"]
        return [row for row in rows if row["cell"]], list(by_lsoa.values())
    return list(_by_cell(viewer=viewer, filters=filters, by=("lsoa_id",))), list(_by_lsoa(viewer=viewer, filters=filters))


def incident_source_record(incident: Incident) -> dict[str, str] | None:  # noqa: D401
    """The incident as its source recorded it: the row of the imported file (read from the
    run's source blocks), or the record kept with an incident that came from no file. Only for
    an incident the caller has already opened through the access policy."""
    if incident.raw is not None:
        return {str(key): str(value) for key, value in incident.raw.items()}
    if incident.import_run_id is None or incident.source_row is None:
        return None
    return source_record(run_id=incident.import_run_id, row_number=incident.source_row)


def incident_history(*, viewer, incident: Incident):
    """The incident's timeline (each later outcome, with the one before it), oldest first, for a
    viewer the policy lets see the incident."""
    access.require(viewer, "incidents.view", incident)
    events = record_timeline(incident)
    if viewer.is_operator or viewer.organisation_id == incident.owning_organisation_id:
        return list(events)
    return timeline_for_outsider(events)  # a partner sees the change, not the owner's staff or notes


# Counts of incidents, for checking an import at the terminal (`saferplace incidents summary`):
# through the access policy like every read, so the operator counts the whole store.
SUMMARY_GROUPS = {
    "category": "category_id",
    "lsoa": "lsoa__code",
    "source": "source",
    "month": "month",
}


def incident_counts_summary(*, viewer, by: str) -> list[tuple[str, int]]:
    """(value, number of incidents) for each category, LSOA code, source or month ("" where an
    incident has none), largest group first (months in order)."""
    if by not in SUMMARY_GROUPS:
        raise ValueError(f"Count by one of {', '.join(SUMMARY_GROUPS)}, not {by!r}.")
    counted = access.visible_to(viewer, (IncidentCount if by == "lsoa" else IncidentMonthCount).objects.order_by())
    rows = counted.values(SUMMARY_GROUPS[by]).annotate(count=tallies.total()).values_list(SUMMARY_GROUPS[by], "count")
    counts = [(value.strftime("%Y-%m") if by == "month" and value else (value or ""), count) for value, count in rows]
    if by == "month":
        return sorted(counts)
    return sorted(counts, key=lambda item: (-item[1], item[0]))
