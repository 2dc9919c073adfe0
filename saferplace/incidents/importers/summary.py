"""Whole-store counts of incidents, for checking an import at the terminal
(`saferplace incidents summary`). The command line runs with database rights, so this reads
every incident, but it returns counts only: never a record about anyone."""

from django.db.models import Count
from django.db.models.functions import TruncMonth

from saferplace.incidents.models import Incident

SUMMARY_GROUPS = {
    "category": "category_id",
    "lsoa": "lsoa__code",
    "source": "source",
    "month": "month",
}


def incident_counts_summary(*, by: str) -> list[tuple[str, int]]:
    """(value, number of incidents) for each category, LSOA code, source or month ("" where an
    incident has none), largest group first (months in order)."""
    if by not in SUMMARY_GROUPS:
        raise ValueError(f"Count by one of {', '.join(SUMMARY_GROUPS)}, not {by!r}.")
    incidents = Incident.objects.order_by()
    if by == "month":
        incidents = incidents.annotate(month=TruncMonth("occurred_on"))
    rows = incidents.values(SUMMARY_GROUPS[by]).annotate(count=Count("id")).values_list(SUMMARY_GROUPS[by], "count")
    counts = [(value.strftime("%Y-%m") if by == "month" and value else (value or ""), count) for value, count in rows]
    if by == "month":
        return sorted(counts)
    return sorted(counts, key=lambda item: (-item[1], item[0]))
