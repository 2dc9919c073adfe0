"""The field briefing: what a practitioner or volunteer needs today, on a phone.

For whoever works on tasks (`tasks.work`) or takes volunteer tasks (`tasks.volunteer`):

- **their areas**: their working areas (`WorkingArea`); with none, the whole partnership's area;
- **today's priorities** (only for a role that may read incidents, never a volunteer's): the
  ranked issues the worker has worked out (`analysis.results`, the same kept result as the
  "What matters most" page opened without choices, so one is worked out for both), narrowed to
  the areas (`issue_in_areas`). A page never works an analysis out: when none is current, the
  briefing says so (and asks the worker for one, as the analysis pages do);
- **their tasks** (`tasks_mine`), and for a volunteer the tasks offered in their areas
  (`tasks_offered`): both read through the tasks' own selectors, so the tasks' rules apply;
- **what changed since yesterday**: the events of those tasks in the last 24 hours (new tasks
  and every change), as their timelines record them. The analysis keeps only its latest
  result, so new issues cannot be told from old ones: the briefing does not pretend to.

Opening it is audited like other pages that show records: the tasks shown, by id, and the
analysis result read."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import h3
import shapely
from django.utils import timezone

from saferplace.analysis.models import AnalysisResult, ResultStatus
from saferplace.analysis.ranking import issue_point
from saferplace.analysis.results import (
    TooManyWaiting,
    analysis_current,
    analysis_kept,
    analysis_request,
)
from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotAllowed
from saferplace.incidents.geojson import hexagon_polygon
from saferplace.incidents.recount import counts_version
from saferplace.incidents.selectors import IncidentFilters
from saferplace.partners import access
from saferplace.places.geometry import assign_places
from saferplace.places.models import Place
from saferplace.tasking import policy
from saferplace.tasking import selectors as task_selectors
from saferplace.tasking.models import (
    FINISHED,
    Task,
    TaskEvent,
    TaskEventKind,
    TaskStatus,
    WorkingArea,
)

# The choices of the "What matters most" page opened without any: the same kept result.
ISSUE_CHOICES = {"filters": IncidentFilters(), "resolution": 9}
ISSUES_SHOWN = 10
CHANGES_SINCE = timedelta(hours=24)
CHANGES_SHOWN = 30
OBJECT_TYPE = "tasking.task"


def may_open(viewer) -> bool:
    return viewer.is_active_person and (access.can(viewer, "tasks.work") or access.can(viewer, "tasks.volunteer"))


def shows_analysis(viewer) -> bool:
    """A volunteer never sees analysis (nor incidents); others only if they may read incidents."""
    return not access.can(viewer, "tasks.volunteer") and access.can(viewer, "incidents.view")


@dataclass
class Change:
    at: datetime
    task: Task
    what: str  # the kind of event, in words
    by: str  # who, for staff; empty for a volunteer


@dataclass
class Priorities:
    """Today's ranked issues in the viewer's areas, or why there are none to show."""

    state: str  # "current", "waiting", "refused", "busy"
    message: str = ""
    issues: list[dict] = field(default_factory=list)
    in_partnership: int = 0  # the issues before narrowing to the areas
    worked_out_at: datetime | None = None
    result: AnalysisResult | None = None


@dataclass
class Briefing:
    at: datetime
    areas: list[Place]
    volunteer: bool
    priorities: Priorities | None  # None: not for this role
    mine: list[Task]
    offered: list[Task]
    changes: list[Change]
    may: dict[int, dict[str, bool]] = field(default_factory=dict)  # per task: accept, take, work

    @property
    def tasks(self) -> list[Task]:
        return [*self.mine, *self.offered]


def _areas(viewer) -> list[Place]:
    return [area.place for area in WorkingArea.objects.filter(user_id=viewer.user_id).select_related("place")
            .order_by("place__name")]


def _ancestors_and_self(place: Place) -> set[int]:
    found, node, seen = set(), place, 0
    while node is not None and seen < 10:  # the hierarchy has five levels; never a loop
        found.add(node.pk)
        node, seen = node.parent, seen + 1
    return found


def issue_in_areas(issue: dict, areas: list[Place]) -> bool:
    """Whether an issue is in one of the areas. A ward's issue (a short-term exceedance): when the
    ward is one of the areas, inside one, or holds one. Any other (a hexagon, a repeat
    location): when its point (the hexagon's centre) is inside an area, by the place hierarchy
    (the smallest place holding the point, and the places above it) or the area's own boundary."""
    area_ids = {area.pk for area in areas}
    cell = str(issue.get("h3_cell") or "")
    if cell.startswith("ward:"):
        ward = Place.objects.filter(code=cell.removeprefix("ward:")).select_related("parent").first()
        if ward is None:
            return False
        return bool(_ancestors_and_self(ward) & area_ids) or any(
            ward.pk in _ancestors_and_self(area) for area in areas)
    point = issue_point(issue)
    if point is None:
        return False
    latitude, longitude = point
    holding = {int(ids[0]) for ids in assign_places([latitude], [longitude]).values() if int(ids[0]) >= 0}
    if holding & area_ids:
        return True
    spot = shapely.Point(longitude, latitude)
    return any(area.boundary and shapely.geometry.shape(area.boundary).covers(spot) for area in areas)


def _priorities(viewer, areas: list[Place], *, ask: bool) -> Priorities:
    """The kept ranked issues, narrowed to the areas. `ask`: queue the analysis when none is
    current (the page does; its map only reads)."""
    if ask:
        try:
            result = analysis_request(viewer=viewer, kind="issues", choices=ISSUE_CHOICES)
        except TooManyWaiting as busy:
            return Priorities(state="busy", message=str(busy))
        if not analysis_current(result, counts_version()):
            return Priorities(state="waiting", result=result)
        if result.status == ResultStatus.REFUSED:
            return Priorities(state="refused", message=result.message, result=result)
    else:
        result = analysis_kept(viewer=viewer, kind="issues", choices=ISSUE_CHOICES)
        if result is None:
            return Priorities(state="waiting")
    issues = list((result.result or {}).get("issues") or [])
    chosen = [issue for issue in issues if issue_in_areas(issue, areas)] if areas else issues
    return Priorities(state="current", issues=chosen[:ISSUES_SHOWN], in_partnership=len(issues),
                      worked_out_at=result.finished_at, result=result)


def _changes(viewer, tasks: list[Task], *, volunteer: bool) -> list[Change]:
    by_id = {task.pk: task for task in tasks}
    since = timezone.now() - CHANGES_SINCE
    events = TaskEvent.objects.filter(record_id__in=list(by_id), at__gte=since).order_by("-at", "-id")[:CHANGES_SHOWN]
    kinds = dict(TaskEventKind.choices)
    return [Change(at=event.at, task=by_id[event.record_id],
                   what="New task" if event.kind == TaskEventKind.CREATED else kinds.get(event.kind, event.kind),
                   by="" if volunteer else event.actor_name) for event in events]


def _tasks(viewer) -> tuple[list[Task], list[Task], bool]:
    volunteer = access.can(viewer, "tasks.volunteer")
    mine = list(task_selectors.tasks_mine(viewer=viewer))
    offered = list(task_selectors.tasks_offered(viewer=viewer)) if volunteer else []
    mine_ids = {task.pk for task in mine}
    return mine, [task for task in offered if task.pk not in mine_ids], volunteer


def _may(viewer, task: Task) -> dict[str, bool]:
    """What the viewer may do to the task from the briefing, by the tasks' own rules."""
    work = task.status not in FINISHED and policy.may_work(viewer, task)
    return {"accept": work and not policy.is_volunteer(viewer) and task.status != TaskStatus.ACCEPTED
            and task.assignee_id in (None, viewer.user_id),
            "take": task.status not in FINISHED and policy.is_offered_to(viewer, task), "work": work}


def briefing_open(*, viewer) -> Briefing:
    """Today's briefing for `viewer` (see the module's docstring), audited: the tasks shown and
    the analysis result read. `NotAllowed` for anyone who neither works on tasks nor volunteers."""
    if not may_open(viewer):
        raise NotAllowed("The briefing is for people who work on tasks or volunteer.", capability="tasks.work")
    areas = _areas(viewer)
    mine, offered, volunteer = _tasks(viewer)
    priorities = _priorities(viewer, areas, ask=True) if shows_analysis(viewer) else None
    briefing = Briefing(at=timezone.now(), areas=areas, volunteer=volunteer, priorities=priorities, mine=mine,
                        offered=offered, changes=_changes(viewer, [*mine, *offered], volunteer=volunteer),
                        may={task.pk: _may(viewer, task) for task in [*mine, *offered]})
    _audit(viewer, briefing, where="on the briefing")
    return briefing


def _audit(viewer, briefing: Briefing, *, where: str) -> None:
    result = briefing.priorities.result if briefing.priorities else None
    audit_record(viewer=viewer, action=AuditAction.VIEW, object_type=OBJECT_TYPE,
                 object_repr=f"{len(briefing.tasks)} tasks {where}"[:300],
                 details={"areas": [area.code for area in briefing.areas],
                          "issues": len(briefing.priorities.issues) if briefing.priorities else None,
                          "analysis_result": result.pk if result else None,
                          "analysis_version": result.version if result else None},
                 record_ids=[task.pk for task in briefing.tasks])


def _point(longitude: float, latitude: float, properties: dict) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": properties}


def _issue_feature(rank: int, issue: dict) -> dict | None:
    cell = str(issue.get("h3_cell") or "")
    properties = {"kind": "issue", "rank": rank, "title": issue.get("title", ""), "where": issue.get("place", ""),
                  "count": issue.get("count", 0), "score": issue.get("score", 0)}
    if cell and not cell.startswith(("location:", "ward:")) and h3.is_valid_cell(cell):
        return {"type": "Feature", "geometry": hexagon_polygon(cell), "properties": properties}
    point = issue_point(issue)
    if point is None:
        return None
    return _point(point[1], point[0], {**properties, "kind": "flagged"})


def briefing_map(*, viewer) -> dict:
    """The briefing's map as GeoJSON: the outlines of the viewer's areas, today's issues in them
    (a hexagon for a hotspot, a point for a flagged location or a ward's exceedance) for a role
    that may see analysis, and the viewer's tasks (and those on offer) that have a point.
    Read only: the analysis is the kept one, never asked for. Audited like the page."""
    if not may_open(viewer):
        raise NotAllowed("The briefing is for people who work on tasks or volunteer.", capability="tasks.work")
    areas = _areas(viewer)
    mine, offered, volunteer = _tasks(viewer)
    priorities = _priorities(viewer, areas, ask=False) if shows_analysis(viewer) else None
    features = [{"type": "Feature", "geometry": area.boundary,
                 "properties": {"kind": "area", "where": area.name}} for area in areas if area.boundary]
    if priorities is not None:
        features += [feature for rank, issue in enumerate(priorities.issues, start=1)
                     if (feature := _issue_feature(rank, issue)) is not None]
    features += [_point(task.longitude, task.latitude, {
        "kind": "task", "title": task.title, "where": task.where, "status": task.get_status_display(),
        "offered": task in offered}) for task in [*mine, *offered]
        if task.latitude is not None and task.longitude is not None]
    briefing = Briefing(at=timezone.now(), areas=areas, volunteer=volunteer, priorities=priorities, mine=mine,
                        offered=offered, changes=[])
    _audit(viewer, briefing, where="on the briefing's map")
    return {"type": "FeatureCollection", "features": features, "metadata": {
        "areas": len(areas), "issues": len(priorities.issues) if priorities else 0,
        "tasks": sum(1 for feature in features if feature["properties"]["kind"] == "task"),
        "analysis": priorities.state if priorities else None}}
