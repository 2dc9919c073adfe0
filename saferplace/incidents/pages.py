"""One page of the incident list in its own order (newest day first, then newest stored first),
without sorting every record the viewer may see.

The reading rule grants a viewer a few (owner, data category) pairs. The incident table's index
`(owning_organisation, data_category, occurred_on)` (with the id after it, as every index
entry) lists each pair's incidents in date order, so each pair's first `offset + limit`
matching incidents are read straight off the index (for one category, off the index with the
category before the date), and the pairs' lists are merged in one statement. A page costs a few
index walks whatever the size of the store, instead of a sort of every visible record. A cursor
(`after`: the date and id of the last record of the previous page) continues from where a page
ended, so deep pages cost no more than the first (keyset pagination).

Newest and oldest first (by time of day within a day too) are walked the same way, the
database sorting each day's few records by time as it goes. The sort by category, and the
operator (whom no pair limits), are read the ordinary way."""

import calendar
import re
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q

from saferplace.incidents.models import Incident


def _pairs(viewer) -> list[tuple[int, int]] | None:
    """The (owner, data category) pairs the viewer may read; None for every record."""
    grants = viewer.grants
    if grants.everything:
        return None
    pairs = set()
    if grants.organisation_id is not None:
        pairs.update((grants.organisation_id, category) for category in grants.allowed_category_ids)
    for category, owners in grants.owners_by_category.items():
        if category in grants.allowed_category_ids:
            pairs.update((owner, category) for owner in owners)
    return sorted(pairs)


CURSOR = r"^((?:[1-9]\d{3}|0[1-9]\d{2}|00[1-9]\d|000[1-9])-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))\.(\d{1,18})$"
LAST_ID = 2**63 - 1


def cursor_parse(text: str) -> tuple[date, int] | None:
    """The (date, id) of a cursor "YYYY-MM-DD.ID", or None when `text` is not one. A day the
    month does not have (the 31st of June) is a place in the order all the same: after every
    record of the month's last day, which it becomes."""
    found = re.match(CURSOR, text or "")
    if found is None:
        return None
    year, month, day = (int(part) for part in found.group(1).split("-"))
    last = calendar.monthrange(year, month)[1]
    if day > last:
        return date(year, month, last), LAST_ID
    return date(year, month, day), int(found.group(2))


def cursor_of(incident: Incident) -> str:
    return f"{incident.occurred_on.isoformat()}.{incident.pk}"


def _after(cursor: tuple[date, int], newest_first: bool) -> Q:
    day, number = cursor
    if newest_first:
        return Q(occurred_on__lt=day) | Q(occurred_on=day, pk__lt=number)
    return Q(occurred_on__gt=day) | Q(occurred_on=day, pk__gt=number)


# How the pairs' walks are merged, for each order they can be walked in: the ORDER BY of the
# columns (date, time of day, id), as the selectors' orders (`selectors.SORTS`) have them.
MERGED = {
    "": "1 DESC, 3 DESC",
    "newest": "1 DESC, 2 DESC NULLS LAST, 3 DESC",
    "oldest": "1 ASC, 2 ASC NULLS LAST, 3 ASC",
}


def incident_page(*, viewer, filtered, unlimited, sort: str, order: tuple, offset: int, limit: int,
                  after: tuple[date, int] | None = None, matching: set[tuple[int, int]] | None = None) -> list[Incident]:
    """`limit` incidents from `offset` (or after the cursor) of the viewer's list in its order
    (`order`, the list's order_by, named `sort`). `filtered(queryset)` applies the filters to a
    queryset of incidents; `unlimited` is the whole list (policy and filters applied, ordered),
    read the ordinary way when no pair can. The cursor is for the date order (`sort` empty).
    `matching`, when known (from the counts), is the pairs with any record the filters match:
    the others are not walked (a walk that finds nothing reads the whole pair)."""
    pairs = _pairs(viewer)
    if pairs is not None and matching is not None:
        pairs = [pair for pair in pairs if pair in matching]
    if pairs is None or sort not in MERGED or (after and sort):
        rows = unlimited.filter(_after(after, True)) if after else unlimited
        return list(rows[offset : offset + limit])
    if not pairs:
        return []
    wanted = offset + limit
    parts, params = [], []
    for owner, category in pairs:
        rows = filtered(Incident.objects.filter(owning_organisation_id=owner, data_category_id=category))
        if after:
            rows = rows.filter(_after(after, True))
        try:
            sql, part_params = (rows.order_by(*order).values_list("occurred_on", "occurred_time", "id")[:wanted]
                                .query.sql_with_params())
        except EmptyResultSet:  # a filter nothing can match (a place that does not exist)
            continue
        parts.append(f"SELECT * FROM ({sql}) AS pair_{len(parts)}")  # noqa: S608 (SQL from the ORM)
        params.extend(part_params)
    if not parts:
        return []
    with connection.cursor() as cursor:  # one statement: each pair's walk of the index, merged
        cursor.execute(f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS pairs ORDER BY {MERGED[sort]} "  # noqa: S608
                       f"LIMIT {int(limit)} OFFSET {int(offset)}", params)
        ids = [number for _, _, number in cursor.fetchall()]
    found = {incident.pk: incident for incident in unlimited.order_by().filter(pk__in=ids)}
    return [found[number] for number in ids if number in found]
