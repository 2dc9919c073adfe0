"""Keeping the counts (`counts.py`) equal to the incidents.

Whatever changes incidents marks the partitions it touched (`counts_mark`): the insert path for
every batch it writes, the delete functions for what they delete, the outcomes importer for the
crimes it updates. The import then recounts them (`counts_refresh_marked`) inside its own
transaction, so the counts change exactly when the incidents do. A partition is recounted
whole: its rows in each count table are deleted and grouped again from its incidents, which are
found through the incident table's partition index: copied once into a temporary table with
what the tables group by worked out (`_stage`), four tables grouped from that, and the hours,
months and cell totals regrouped from the finer tables just recounted (`_regroup`).
`counts_rebuild` recounts everything
(`saferplace incidents recount`), and `counts_differences` is the check the tests run after
every kind of change."""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Min,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.dispatch import Signal
from django.utils import timezone

from saferplace.incidents.counts import (
    COUNT_MODELS,
    CountsVersion,
    IncidentCellCount,
    IncidentCellTotal,
    IncidentCount,
    IncidentHourCount,
    IncidentMonthCount,
    IncidentOutcomeCount,
    IncidentWardHourCount,
)
from saferplace.incidents.models import Incident
from saferplace.incidents.transforms import HourOf, IsoWeekday, MonthStart

CHUNK = 500  # partitions per statement
ON_CELLS = (IncidentCellCount, IncidentCellTotal)


COMMON = ("partition_id", "owning_organisation_id", "data_category_id", "source", "category_id")
PLACES = ("lsoa_id", "ward_id", "community_id")
CELL = Coalesce(F("location__h3_cell"), Value(""))  # none: the incident has no location


def _grouping(model) -> tuple[tuple[str, ...], dict]:
    """The incident fields `model` groups by, and the expressions it groups by (by their
    column's name in `model`)."""
    expressions = {"month_start": MonthStart("occurred_on")}
    located = ExpressionWrapper(Q(location__latitude__isnull=False) & Q(location__longitude__isnull=False),
                                output_field=BooleanField())
    if model is IncidentMonthCount:
        return (*COMMON, "outcome_id"), {**expressions, "is_located": located}
    if model is IncidentOutcomeCount:
        return (*COMMON, "outcome_id", *PLACES), {**expressions, "cell": CELL, "is_located": located}
    if model is IncidentCount:
        return (*COMMON, *PLACES), {**expressions, "is_located": located}
    if model is IncidentCellCount:
        expressions["cell"] = CELL
        return (*COMMON, *PLACES), expressions
    if model is IncidentCellTotal:
        return (*COMMON[:3], *PLACES), {"cell": CELL}
    expressions["day_of_week"] = IsoWeekday("occurred_on")
    expressions["hour_of_day"] = HourOf("occurred_time")
    wards = PLACES[1:] if model is IncidentWardHourCount else ()
    return (*COMMON, "outcome_id", "occurred_precision", *wards), {**expressions, "is_located": located}


RENAMED = {"month_start": "month", "is_located": "located", "cell": "h3_cell", "day_of_week": "weekday",
           "hour_of_day": "hour"}


def _incidents_for(model, partitions: Q):
    incidents = Incident.objects.filter(partitions).order_by()
    if model in ON_CELLS:
        return incidents.exclude(location=None).exclude(location__h3_cell="")
    if model is IncidentOutcomeCount:
        return incidents.exclude(outcome=None)
    return incidents


def _aggregates(model) -> dict:
    if model is IncidentCellTotal:
        return {"number": Count("id"), "weight": Sum("category__harm_weight")}
    return {"number": Count("id"), "first": Min("occurred_on"), "last": Max("occurred_on")}


def _partitions_condition(ids: list) -> Q:
    known = [each for each in ids if each is not None]
    condition = Q(partition_id__in=known) if known else Q(pk__in=[])
    return condition | Q(partition_id__isnull=True) if None in ids else condition


def _grouped(model, condition: Q):
    fields, expressions = _grouping(model)
    return (
        _incidents_for(model, condition).values(*fields, **expressions)
        .annotate(**_aggregates(model))
    )


COLUMNS = {**RENAMED, "first": "first_day", "last": "last_day", "weight": "harm", "total": "number"}


STAGING = "saferplace_recount"
# What each count table's measures are in SQL over the staging table (`_stage`).
MEASURES = {"number": "COUNT(*)", "first": "MIN(s_occurred_on)", "last": "MAX(s_occurred_on)"}
WHERE = {
    IncidentCellCount: "WHERE s_cell <> ''",
    IncidentOutcomeCount: "WHERE s_outcome_id IS NOT NULL",
}


def _stage(condition: Q) -> None:
    """The partitions' incidents, once, into a temporary table with every column any count table
    grouped from it groups by (its month, day of the week, hour, point, cell…): the joins and
    date arithmetic are done once, and each table is then grouped from it alone."""
    columns = {"s_occurred_on": F("occurred_on")}
    for model in FROM_STAGING:
        fields, expressions = _grouping(model)
        columns.update({f"s_{name}": F(name) for name in fields})
        columns.update({f"s_{name}": value for name, value in expressions.items()})
    staged = Incident.objects.filter(condition).order_by().values(**columns)
    select, params = staged.query.get_compiler(using=Incident.objects.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGING} AS {select}", params)


def _recount(model, ids: list) -> None:
    """Delete the partitions' rows of `model` and group them again from the staging table: one
    INSERT … SELECT … GROUP BY (no row goes through Python)."""
    model.objects.filter(_partitions_condition(ids)).delete()
    fields, expressions = _grouping(model)
    groups = [*fields, *expressions]
    staged = [f"s_{name}" for name in groups]
    measures = list(_aggregates(model))
    names = [*groups, *measures]
    columns = [model._meta.get_field(COLUMNS.get(name, name).removesuffix("_id")).column for name in names]
    quote = connection.ops.quote_name
    where = WHERE.get(model, "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
            f"SELECT {', '.join(staged + [MEASURES[name] for name in measures])} FROM {STAGING} {where} "
            f"GROUP BY {', '.join(staged)}"
        )


# Tables grouped again from a finer one once it is recounted: the same groups less some (a few
# thousand rows to group instead of every incident of the partitions).
FROM_FINER = {
    IncidentHourCount: IncidentWardHourCount,  # less the ward and community
    IncidentMonthCount: IncidentHourCount,  # less the precision, day of the week and hour
    IncidentCellTotal: IncidentCellCount,  # less the source, category and month; harm by category
}
FROM_STAGING = tuple(model for model in COUNT_MODELS if model not in FROM_FINER)
ORDER = (*FROM_STAGING, IncidentHourCount, IncidentMonthCount, IncidentCellTotal)


def _regroup(model, ids: list) -> None:
    """Delete the partitions' rows of `model` and group them again from its finer table's."""
    condition = _partitions_condition(ids)
    model.objects.filter(condition).delete()
    fields, expressions = _grouping(model)
    names = [*fields, *(RENAMED[name] for name in expressions)]
    if model is IncidentCellTotal:
        measures = {"total": Sum("number"), "weight": Sum(Cast("number", FloatField()) * F("category__harm_weight"))}
    else:
        measures = {"total": Sum("number"), "first": Min("first_day"), "last": Max("last_day")}
    query = FROM_FINER[model].objects.filter(condition).order_by().values(*names).annotate(**measures).query
    columns = [model._meta.get_field(COLUMNS.get(name, name).removesuffix("_id")).column
               for name in (*query.values_select, *query.annotation_select)]
    select, params = query.get_compiler(using=model.objects.db).as_sql()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) {select}", params)


def counts_refresh(partition_ids: Iterable[int | None]) -> None:
    """Recount these partitions (None: the incidents with no partition) in every count table."""
    ids = sorted(set(partition_ids), key=lambda each: (each is None, each or 0))
    if not ids:
        return
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            _stage(_partitions_condition(chunk))
            try:
                for model in FROM_STAGING:
                    _recount(model, chunk)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE {STAGING}")
            for model in ORDER[len(FROM_STAGING):]:
                _regroup(model, chunk)
        _changed()


counts_changed = Signal()  # sent once a transaction that changed the counts has committed


def _changed() -> None:
    """Raise the counts' version (in the caller's transaction) and, once it commits, say so."""
    if not CountsVersion.objects.filter(pk=1).update(number=F("number") + 1, changed_at=timezone.now()):
        CountsVersion.objects.create(pk=1, number=1, changed_at=timezone.now())
    transaction.on_commit(lambda: counts_changed.send(sender=CountsVersion))


def counts_version() -> int:
    """The counts' version now (0 before anything was ever counted)."""
    return CountsVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def counts_harm_refresh() -> None:
    """Group the cell totals again from the cells (the one count table that sums harm as it
    counts), after a category's harm weight changed: seconds, not a recount of the incidents."""
    ids = list(IncidentCellCount.objects.order_by().values_list("partition_id", flat=True).distinct())
    ids += [each for each in IncidentCellTotal.objects.order_by().values_list("partition_id", flat=True).distinct()
            if each not in ids]
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            _regroup(IncidentCellTotal, ids[start : start + CHUNK])
        _changed()


def _marked() -> set:
    if not hasattr(connection, "saferplace_recount"):
        connection.saferplace_recount = set()
    return connection.saferplace_recount


def counts_mark(partition_ids: Iterable) -> None:
    """Note partitions whose incidents changed, to be recounted by `counts_refresh_marked`
    before the transaction that changed them ends. Ids below 0 mean none (the importers' -1)."""
    _marked().update(None if each is None or int(each) < 0 else int(each) for each in partition_ids)


def counts_refresh_marked() -> None:
    """Recount every partition marked since the last call."""
    marked = _marked()
    ids = list(marked)
    marked.clear()
    counts_refresh(ids)


def counts_rebuild() -> int:
    """Recount every partition; returns how many rows the count tables hold."""
    with transaction.atomic():
        for model in COUNT_MODELS:
            model.objects.all().delete()
        ids = list(Incident.objects.order_by().values_list("partition_id", flat=True).distinct())
        counts_refresh(ids)
    return sum(model.objects.count() for model in COUNT_MODELS)


def _rounded(values) -> tuple:
    return tuple(round(value, 6) if isinstance(value, float) else value for value in values)


def counts_differences() -> list[str]:
    """Where the count tables differ from a count over the incidents (nothing, when they are
    right): each table's groups compared with the same groups counted now."""
    problems = []
    for model in COUNT_MODELS:
        fields, expressions = _grouping(model)
        measures = [name for name in _aggregates(model)]
        expected = {
            tuple(row[name] for name in (*fields, *expressions)): _rounded(row[name] for name in measures)
            for row in _grouped(model, Q())
        }
        names = [RENAMED.get(name, name) for name in (*fields, *expressions)]
        stored: dict = {}
        for row in model.objects.values(*names, *(COLUMNS.get(name, name) for name in measures)):
            key = tuple(row[name] for name in names)
            if key in stored:
                problems.append(f"{model.__name__}: the group {key} is stored twice")
            stored[key] = _rounded(row[COLUMNS.get(name, name)] for name in measures)
        for key in expected.keys() | stored.keys():
            if expected.get(key) != stored.get(key):
                problems.append(f"{model.__name__} {key}: counted {expected.get(key)}, stored {stored.get(key)}")
    return problems
