"""Who may see a task, and who may work on it: the rules the tasks' selectors and services share.

- The **operator** (the command line, the worker) sees and may do everything.
- A person holding `tasks.work` or `tasks.assign` sees every task of their own organisation, and
  the tasks they created for another organisation (a chair follows what the meeting asked for).
- A **volunteer** (`tasks.volunteer`) sees the tasks they took, and the tasks on offer: for
  volunteers, nobody's yet, not finished, at a place in one of their working areas (or a place
  inside one). Nothing else: not other people's tasks, nor tasks not offered to volunteers.
- Anyone else (another organisation, a role with none of these capabilities) sees none: a task
  they may not see is "not found", so its existence is not revealed.

Working on a task (accept, decline, notes, photos, answers, complete): its assignee; a member
of its organisation holding `tasks.work` when it is for their team, or for no team and nobody
yet; the team's lead; whoever holds `tasks.assign` in its organisation. A volunteer works only
on a task they took."""

from django.db.models import Q, QuerySet

from saferplace.errors import NotAllowed, NotFound
from saferplace.partners import access
from saferplace.places.models import Place
from saferplace.tasking.models import FINISHED, Task, TaskStatus, WorkingArea

STAFF = ("tasks.work", "tasks.assign")
OPEN_TO_TAKE = (TaskStatus.OPEN, TaskStatus.DECLINED)
OBJECT_TYPE = "tasking.task"


def is_volunteer(viewer) -> bool:
    return not viewer.is_operator and access.can(viewer, "tasks.volunteer")


def is_staff(viewer) -> bool:
    return viewer.is_operator or any(access.can(viewer, capability) for capability in STAFF)


def require_any(viewer) -> None:
    """Refuse (403) a viewer whose role holds none of the tasks' capabilities."""
    if not (is_staff(viewer) or is_volunteer(viewer)):
        raise NotAllowed("Your role does not work on tasks.", capability="tasks.work")


def area_place_ids(user) -> set[int]:
    """The places of `user`'s working areas, and every place inside them (through `Place.parent`)."""
    found = set(WorkingArea.objects.filter(user=user).values_list("place_id", flat=True))
    frontier = set(found)
    while frontier:
        children = set(Place.objects.filter(parent__in=frontier).values_list("id", flat=True)) - found
        found |= children
        frontier = children
    return found


def offered_condition(viewer) -> Q:
    """The tasks on offer to this volunteer."""
    return Q(for_volunteers=True, assignee__isnull=True, status__in=OPEN_TO_TAKE,
             place_id__in=area_place_ids(viewer.user))


def visible_tasks(viewer, queryset: QuerySet | None = None) -> QuerySet:
    """`queryset` (every task by default) narrowed to those `viewer` may see."""
    queryset = Task.objects.all() if queryset is None else queryset
    if viewer.is_operator:
        return queryset
    if not viewer.is_active_person:
        return queryset.none()
    condition = Q(pk__in=[])
    if is_staff(viewer):
        condition |= Q(organisation_id=viewer.organisation_id) | Q(created_by_id=viewer.user_id)
    if is_volunteer(viewer):
        condition |= Q(for_volunteers=True, assignee_id=viewer.user_id) | offered_condition(viewer)
    return queryset.filter(condition)


def record_number(text) -> int | None:
    """A record's number from what a person gave, or None when it cannot be one (not a number,
    or past what the database stores)."""
    try:
        number = int(text)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def task_visible(viewer, task_id, *, lock: bool = False) -> Task:
    """The task, if `viewer` may see it; else `NotFound` (403 for a role with no task capability).
    `lock` holds its row until the transaction ends (a service about to change it)."""
    require_any(viewer)
    number = record_number(task_id)
    tasks = visible_tasks(viewer).select_related("organisation", "team", "assignee", "place", "created_by")
    if lock:
        tasks = tasks.select_for_update(of=("self",))
    task = tasks.filter(pk=number).first() if number is not None else None
    if task is None:
        raise NotFound("No task with that number is available to you.", record_type=OBJECT_TYPE, record_id=task_id)
    return task


def is_offered_to(viewer, task: Task) -> bool:
    return (is_volunteer(viewer) and task.for_volunteers and task.assignee_id is None
            and task.status in OPEN_TO_TAKE and task.place_id in area_place_ids(viewer.user))


def is_own_volunteer_task(viewer, task: Task) -> bool:
    return is_volunteer(viewer) and task.for_volunteers and task.assignee_id == viewer.user_id


def leads_team(viewer, task: Task) -> bool:
    return task.team_id is not None and viewer.user_id is not None and task.team.lead_id == viewer.user_id


def may_assign(viewer, task: Task) -> bool:
    """Reassign within the task's organisation: `tasks.assign` there, or the lead of its team."""
    return access.can(viewer, "tasks.assign", task) or (access.can(viewer, "tasks.work", task) and leads_team(viewer, task))


def may_work(viewer, task: Task) -> bool:
    """Whether `viewer` may accept, decline, add notes and photos, answer and complete `task`."""
    if viewer.is_operator:
        return True
    if is_own_volunteer_task(viewer, task):
        return True
    if not access.can(viewer, "tasks.work", task):
        return access.can(viewer, "tasks.assign", task)
    user = viewer.user
    if task.assignee_id == user.pk:
        return True
    if task.team_id is not None and task.team_id == user.team_id:
        return True
    if task.team_id is None and task.assignee_id is None:
        return True
    return leads_team(viewer, task) or access.can(viewer, "tasks.assign", task)


def may_cancel(viewer, task: Task) -> bool:
    return access.can(viewer, "tasks.assign", task) or (
        task.created_by_id is not None and task.created_by_id == viewer.user_id and access.can(viewer, "tasks.assign"))


def require_visible(viewer, task: Task) -> Task:
    """The same task, read again as `viewer` may see it (NotFound otherwise): a service is given
    a task object, and must not trust that the caller was allowed to hold it."""
    return task_visible(viewer, task.pk, lock=True)


def require_work(viewer, task: Task) -> Task:
    task = require_visible(viewer, task)
    if not may_work(viewer, task):
        raise NotAllowed("Only the person it is with, their team, or whoever assigns the organisation's tasks may "
                         "work on this task.", capability="tasks.work", record_type=OBJECT_TYPE, record_id=task.pk)
    require_unfinished(task)
    return task


def require_unfinished(task: Task) -> None:
    if task.status in FINISHED:
        raise ValueError(f"This task is {task.get_status_display().lower()}: nothing more can be done to it.")
