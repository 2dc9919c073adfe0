"""Reading incidents. Every list goes through the access policy."""

from dataclasses import asdict, dataclass
from datetime import date

from django.db.models import Count, QuerySet

from saferplace.incidents.models import Incident
from saferplace.partners import access


@dataclass(frozen=True)
class IncidentFilters:
    source: str = ""
    category: str = ""
    place_code: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_dict(self) -> dict:
        return {key: (value.isoformat() if isinstance(value, date) else value) for key, value in asdict(self).items() if value}


def incident_list(*, user, filters: IncidentFilters | None = None) -> QuerySet[Incident]:
    filters = filters or IncidentFilters()
    incidents = access.visible_to(user, Incident.objects.all())
    if filters.source:
        incidents = incidents.filter(source=filters.source)
    if filters.category:
        incidents = incidents.filter(category_id=filters.category)
    if filters.place_code:
        code = filters.place_code.strip().upper()
        incidents = incidents.filter(lsoa__code=code) | incidents.filter(ward__code=code) | incidents.filter(
            community__code=code
        )
    if filters.date_from:
        incidents = incidents.filter(occurred_on__gte=filters.date_from)
    if filters.date_to:
        incidents = incidents.filter(occurred_on__lte=filters.date_to)
    return incidents.select_related("owning_organisation", "data_category", "lsoa", "ward", "community")


def incident_filter_options(*, user) -> dict[str, list[str]]:
    visible = access.visible_to(user, Incident.objects.order_by())
    return {
        "sources": sorted(visible.values_list("source", flat=True).distinct()),
        "categories": sorted(visible.values_list("category_id", flat=True).distinct()),
    }


def incident_counts_by_category(*, user) -> list[dict]:
    return list(
        access.visible_to(user, Incident.objects.all())
        .values("category")
        .annotate(count=Count("id"))
        .order_by("-count")
    )
