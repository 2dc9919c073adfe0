"""Counts of incidents, for checking an import at the terminal (`saferplace incidents summary`):
through the access policy like every read, so the operator (the command line) counts the whole
store. It returns counts only: never a record about anyone."""

from django.db.models import Count
from django.db.models.functions import TruncMonth

from saferplace.incidents.models import Incident
from saferplace.partners import access

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
    incidents = access.visible_to(viewer, Incident.objects.order_by())
    if by == "month":
        incidents = incidents.annotate(month=TruncMonth("occurred_on"))
    rows = incidents.values(SUMMARY_GROUPS[by]).annotate(count=Count("id")).values_list(SUMMARY_GROUPS[by], "count")
    counts = [(value.strftime("%Y-%m") if by == "month" and value else (value or ""), count) for value, count in rows]
    if by == "month":
        return sorted(counts)
    return sorted(counts, key=lambda item: (-item[1], item[0]))
