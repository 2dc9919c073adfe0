"""The audited ways of reading incidents: one at a time, a page of a list, and every kind of
export. Each records in the audit trail what it disclosed before it discloses it: the record,
the ids of the records a page shows, or, for a bulk export, the scope that chose its records
(`incident_scope`), so that an auditor searching for one record finds every disclosure of it.
(Incidents are written by the importers, `saferplace.incidents.importers`.)"""

import math
from collections.abc import Iterable

from django.core.paginator import Paginator
from django.db import transaction

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotAllowed, NotFound
from saferplace.history import event_write
from saferplace.incidents.events import CategoryEventKind
from saferplace.incidents.models import Incident, IncidentCategory
from saferplace.incidents.pages import cursor_of, cursor_parse
from saferplace.incidents.planner import planner_statistics_refresh
from saferplace.incidents.recount import counts_harm_refresh, counts_rebuild
from saferplace.incidents.selectors import (
    IncidentFilters,
    incident_count,
    incident_explorer,
    incident_list_page,
    incident_scope,
)
from saferplace.partners import access
from saferplace.words import count_of

OBJECT_TYPE = "incidents.incident"


def incident_open(*, viewer, incident_id: int) -> Incident:
    """One incident, for a viewer the access policy allows; every opening is audited. A viewer
    who may not see it is told it does not exist, the same as for a missing id."""
    access.require(viewer, "incidents.view")
    incident = Incident.objects.select_related(
        "owning_organisation", "data_category", "category", "lsoa", "ward", "community", "location",
        "source_category", "outcome", "import_run",
    ).filter(pk=incident_id).first()
    if incident is None or not access.allows(viewer, incident):
        raise NotFound("No incident with that number is available to you.", record_type=OBJECT_TYPE,
                       record_id=incident_id)
    audit_record(viewer=viewer, action=AuditAction.VIEW, obj=incident)
    return incident


def incidents_shown_audit(*, viewer, incidents: Iterable[Incident], filters: IncidentFilters, where: str,
                          action: AuditAction = AuditAction.VIEW, **details) -> list[Incident]:
    """Record that these incidents (a page of a list, the points of a map hexagon, a page of the
    API) were shown to `viewer`, with their ids and the filters that chose them. Returns them as
    a list, to show."""
    shown = list(incidents)
    audit_record(
        viewer=viewer, action=action, object_type=OBJECT_TYPE,
        object_repr=f"{count_of(len(shown), 'incident')} {where}"[:300],
        details={"filters": filters.as_dict(), "rows": len(shown), **details},
        record_ids=[incident.pk if isinstance(incident, Incident) else incident["id"] for incident in shown],
    )
    return shown


def incidents_export_audit(*, viewer, description: str, filters: IncidentFilters, rows: int, export_format: str,
                           **details) -> None:
    """Record that `viewer` took `rows` incidents out of SaferPlace in bulk, with the filters
    and the scope that chose them. Called before any row is sent."""
    access.require(viewer, "incidents.export")
    audit_record(
        viewer=viewer, action=AuditAction.EXPORT, object_type=OBJECT_TYPE, object_repr=description,
        details={"filters": filters.as_dict(), "rows": rows, "format": export_format,
                 "scope": incident_scope(viewer=viewer, filters=filters), **details},
    )


LIST_PAGE_SIZE = 50


def incident_explorer_open(*, viewer, filters: IncidentFilters, order_by: str = "count", page: str | int | None = 1) -> dict:
    """The explorer for one set of filters (`incident_explorer`) with one page of its list, that
    page's records recorded in the audit trail as shown."""
    explorer = incident_explorer(viewer=viewer, filters=filters, order_by=order_by)
    paginator = Paginator(explorer["incidents"], LIST_PAGE_SIZE)
    paginator.count = explorer["summary"]["count"]  # already counted: not a second count of the list
    current = paginator.get_page(page)
    current.object_list = incident_list_page(  # read off the index, not by sorting the whole list
        viewer=viewer, filters=filters, offset=current.start_index() - 1 if paginator.count else 0, limit=LIST_PAGE_SIZE)
    current.object_list = incidents_shown_audit(
        viewer=viewer, incidents=current.object_list, filters=filters,
        where=f"listed on the explorer (page {current.number})",
    )
    return {**explorer, "page": current}


def incident_api_page(*, viewer, filters: IncidentFilters, limit: int, offset: int, after: str = "") -> dict:
    """One page of the incidents the viewer may see, for the API: needs `incidents.export` (a
    system paging through the list takes the records out of SaferPlace), and is audited as an
    export with the ids of the page. In date order (`filters.sort` empty), `after` (a cursor) starts
    the page after the record it names, and the answer's `next` is the cursor of the next page."""
    access.require(viewer, "incidents.export")
    cursor = cursor_parse(after) if after else None
    if after and (cursor is None or filters.sort):
        raise ValueError("A cursor (after) is only for sort=date, as the `next` of a page gave it")
    page = incident_list_page(viewer=viewer, filters=filters, offset=0 if cursor else offset, limit=limit, after=cursor)
    results = incidents_shown_audit(
        viewer=viewer, incidents=page, filters=filters, where="through the API",
        action=AuditAction.EXPORT, format="api", offset=offset,
    )
    following = cursor_of(results[-1]) if len(results) == limit and not filters.sort else None
    return {"count": incident_count(viewer=viewer, filters=filters), "limit": limit, "offset": offset,
            "next": following, "results": results}


def incident_counts_rebuild(*, viewer) -> int:
    """Count every incident again into the count tables (`recount.counts_rebuild`): the
    operator's, since the counts are every organisation's. Returns the rows the tables hold."""
    if not viewer.is_operator:
        raise NotAllowed(capability="operator", record_type="incidents.incidentcount")
    rows = counts_rebuild()
    planner_statistics_refresh()
    return rows


HARM_LIMIT = 1_000_000.0  # more than any published weight (the Crime Severity Score's homicide: about 7,000)


@transaction.atomic
def categories_harm_set(*, viewer, weights: dict[str, tuple[float, str]]) -> list[str]:
    """Set categories' harm weights: {category code: (weight, why)}, each change an event of the
    category with its reason (a derivation, or a person's words), and the map's harm by cell
    regrouped once. Needs `harm.manage`. Returns the codes whose weight changed."""
    access.require(viewer, "harm.manage")
    categories = {category.code: category for category in IncidentCategory.objects.filter(code__in=list(weights))}
    missing = sorted(set(weights) - set(categories))
    if missing:
        raise ValueError(f"There is no category {', '.join(missing)}")
    changed = []
    for code, (weight, why) in sorted(weights.items()):
        if not isinstance(weight, int | float) or not math.isfinite(weight) or not 0 <= weight <= HARM_LIMIT:
            raise ValueError(f"{code}: a harm weight is a number from 0 to {HARM_LIMIT:,.0f}, not {weight!r}")
        if not why.strip():
            raise ValueError(f"{code}: say why the weight changes")
        category = categories[code]
        if category.harm_weight == float(weight):
            continue
        event_write(viewer=viewer, record=category, kind=CategoryEventKind.HARM_WEIGHT,
                    changes={"harm_weight": [category.harm_weight, float(weight)]}, note=why.strip())
        category.harm_weight = float(weight)
        category.save(update_fields=["harm_weight"])
        changed.append(code)
    if changed:
        audit_record(viewer=viewer, action=AuditAction.CHANGE, object_type="incidents.incidentcategory",
                     object_repr="Harm weights", details={"changed": {code: weights[code][0] for code in changed}})
        counts_harm_refresh()
    return changed
