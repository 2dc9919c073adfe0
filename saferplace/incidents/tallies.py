"""Reading the counts (`counts.py`) instead of the incidents, when they can answer exactly.

`count_rows(model, viewer=…, filters=…)` gives the rows of one count table that the access
policy lets the viewer see (the same `access.visible_to` as the incidents: the counts keep the
owner and data category) and that match the filters, or None when a filter needs the incidents
themselves or something the table does not keep: a search or a distance always; hours and days
of the week outside the hours tables; an outcome outside those with outcomes; a place outside
the tables with places (and an LSOA outside those with LSOAs); without an outcome, the table
of the incidents with one; anything but the owner and the place in `IncidentCellTotal`.
A period is answered from the rows' first and last days: a row is in the period when its first
day is on or before the end and its last day on or after the start, which is exact unless a
row's days run across the start or the end, and then the incidents answer. Each selector falls
back to the incidents on None, so a result never depends on which answered."""

from datetime import date, timedelta

from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, Coalesce

from saferplace.incidents.counts import (
    IncidentCellCount,
    IncidentCellTotal,
    IncidentCount,
    IncidentHourCount,
    IncidentMonthCount,
    IncidentOutcomeCount,
    IncidentWardHourCount,
)
from saferplace.incidents.models import DatePrecision
from saferplace.partners import access
from saferplace.places.models import Place, PlaceKind

# The incident lookups that mean the same on a count table.
SAME = {"source", "category_id__in", "owning_organisation__name"}
WITH_PLACES = (IncidentCount, IncidentCellCount, IncidentCellTotal, IncidentWardHourCount, IncidentOutcomeCount)
WITH_HOURS = (IncidentHourCount, IncidentWardHourCount)
WITH_OUTCOMES = (IncidentMonthCount, IncidentHourCount, IncidentWardHourCount, IncidentOutcomeCount)
PLACE_KEYS = ("lsoa_id", "ward_id", "community_id")


def _month(day: date) -> date:
    return day.replace(day=1)


def _answerable(model, filters) -> bool:
    if filters.search or filters.near:
        return False
    if hours_chosen(filters) and model not in WITH_HOURS:
        return False
    if filters.place_code and model not in WITH_PLACES:
        return False
    if filters.outcome and model not in WITH_OUTCOMES:
        return False
    if model is IncidentOutcomeCount:  # only the incidents with an outcome
        return bool(filters.outcome)
    if model is IncidentCellTotal:
        return not (filters.source or filters.category or filters.categories or filters.date_from or filters.date_to)
    return True


def hours_chosen(filters) -> bool:
    """Whether the filters choose hours of the day or days of the week."""
    return bool(filters.weekdays) or filters.hour_from is not None or filters.hour_to is not None


def hours_terms(filters, *, hour: str, timed: str, weekday: str) -> tuple[dict, list[list[dict]]]:
    """The hours of the day and days of the week chosen, as lookups every record must match and
    groups of which it must match one term, by the names of the hour (`hour`), of what is null
    without a time (`timed`) and of the day of the week (`weekday`): on the incidents for the
    selectors, on the hours tables here. Hours run from `hour_from`:00 to `hour_to`:00 (not
    included), past midnight when `hour_to` is the smaller; only dates to the day have a day."""
    lookups: dict = {}
    groups: list[list[dict]] = []
    if filters.hour_from is not None or filters.hour_to is not None:
        start, end = filters.hour_from or 0, filters.hour_to or 24  # "to 0" is to midnight
        lookups[f"{timed}__isnull"] = False
        if start < end:
            if start:
                lookups[f"{hour}__gte"] = start
            if end < 24:
                lookups[f"{hour}__lt"] = end
        elif start > end:  # past midnight
            groups.append([{f"{hour}__gte": start}, {f"{hour}__lt": end}])
    if filters.weekdays:
        lookups["occurred_precision"] = DatePrecision.DAY.value
        lookups[f"{weekday}__in"] = sorted(set(filters.weekdays))
    return lookups, groups


def _hours(filters) -> Q:
    """The hours filter on the hours tables."""
    lookups, groups = hours_terms(filters, hour="hour", timed="hour", weekday="weekday")
    condition = Q(**lookups)
    for group in groups:
        condition &= access.terms_condition(group)
    return condition


def count_rows(model, *, viewer, filters, lookups: dict, groups: list[list[dict]]) -> QuerySet | None:
    """The rows of `model` for these filters (already turned into incident `lookups` and
    `groups` by the selectors), or None when only the incidents can answer."""
    if not _answerable(model, filters):
        return None
    rows = access.visible_to(viewer, model.objects.all())
    rows = rows.filter(**{key: value for key, value in lookups.items() if key in SAME})
    if "outcome__text" in lookups:
        rows = rows.filter(outcome__text=lookups["outcome__text"])
    for group in groups:  # the place: its LSOA, ward or community (the other groups: hours, above)
        if any(key in PLACE_KEYS for term in group for key in term):
            if model is IncidentWardHourCount:
                if Place.objects.filter(code=filters.place_code.strip().upper(), kind=PlaceKind.LSOA).exists():
                    return None
                group = [term for term in group if "lsoa_id" not in term]
            rows = rows.filter(access.terms_condition(group))
    if model in WITH_HOURS:
        rows = rows.filter(_hours(filters))
    start, end = filters.date_from, filters.date_to
    # Rows whose days run across the period's start or end, in the month it falls in: none can
    # when the period starts on a month's first day or ends on its last. Counted rather than
    # EXISTS (with LIMIT 1 PostgreSQL expects to meet one soon and reads the whole table), and
    # one edge a query (together, SQLite reads every visible row).
    edges = []
    if start is not None and start.day != 1:
        edges.append(Q(month=_month(start), first_day__lt=start, last_day__gte=start))
    if end is not None and end < date.max and (end + timedelta(days=1)).day != 1:
        edges.append(Q(month=_month(end), first_day__lte=end, last_day__gt=end))
    if any(rows.filter(edge).aggregate(found=Count("pk"))["found"] for edge in edges):
        return None
    if start is not None:
        rows = rows.filter(last_day__gte=start, month__gte=_month(start))  # the month: for the indexes
    if end is not None:
        rows = rows.filter(first_day__lte=end, month__lte=_month(end))
    return rows.order_by()


def total() -> Coalesce:
    return Coalesce(Sum("number"), 0)


def harm(model=None) -> Coalesce:
    """The harm of the rows' incidents: each row's count times its category's weight (or, in
    `IncidentCellTotal`, the harm summed when it was counted)."""
    if model is IncidentCellTotal:
        return Coalesce(Sum("harm"), 0.0)
    return Coalesce(Sum(Cast("number", FloatField()) * F("category__harm_weight")), 0.0)
