"""Reading tasks, always as the viewer may (`policy.visible_tasks`): a person of the task's
organisation holding `tasks.work` or `tasks.assign` sees its tasks; who set a task for another
organisation follows it; a volunteer sees only what is on offer in their areas and what they
took. A task someone may not see is "not found"."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from saferplace.errors import NotFound
from saferplace.history import record_timeline, timeline_for_outsider
from saferplace.partners import access
from saferplace.partners.models import Organisation, RoleCapability, Team, User
from saferplace.places.models import Place, PlaceKind
from saferplace.tasking import policy
from saferplace.tasking.models import (
    FINISHED,
    EscalationTo,
    Task,
    TaskEventKind,
    TaskPhoto,
    TaskStatus,
    WorkingArea,
)
from saferplace.tasking.photos import photo_open

RELATED = ("organisation", "team", "assignee", "place")


def _listed(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(*RELATED).order_by("due_date", "-id")


def _unfinished(queryset: QuerySet) -> QuerySet:
    return queryset.exclude(status__in=FINISHED)


def task_get(*, viewer, task_id) -> Task:
    """One task, if the viewer may see it (`NotFound` otherwise; 403 for a role with no task capability)."""
    return policy.task_visible(viewer, task_id)


def tasks_mine(*, viewer) -> list[Task]:
    """The tasks with the viewer, not finished (none for a role that does not work on tasks)."""
    if viewer.user is None:
        return []
    return list(_listed(_unfinished(policy.visible_tasks(viewer).filter(assignee_id=viewer.user_id))))


def tasks_team_queue(*, viewer) -> list[Task]:
    """Nobody's tasks the viewer's team or organisation may take: their team's, and their
    organisation's with no team (declined ones too, back in the queue). Not the volunteer pool's."""
    if viewer.user is None or not access.can(viewer, "tasks.work"):
        return []
    team_id = viewer.user.team_id
    queue = Q(team__isnull=True) | (Q(team_id=team_id) if team_id else Q(pk__in=[]))
    if access.can(viewer, "tasks.assign"):
        queue = Q()  # whoever assigns sees every team's waiting tasks
    tasks = policy.visible_tasks(viewer).filter(organisation_id=viewer.organisation_id, assignee__isnull=True,
                                                for_volunteers=False).filter(queue)
    return list(_listed(_unfinished(tasks)))


def tasks_offered(*, viewer) -> list[Task]:
    """For a volunteer: the tasks on offer in their working areas (or places inside them)."""
    if viewer.user is None or not policy.is_volunteer(viewer):
        return []
    return list(_listed(Task.objects.filter(policy.offered_condition(viewer))))


def tasks_overdue(*, viewer, on: date | None = None) -> list[Task]:
    """Tasks due before `on` (today by default) and not finished: every one for the operator, the
    viewer's organisation's (and those they set) for a person, a volunteer's own."""
    on = on or timezone.localdate()
    tasks = policy.visible_tasks(viewer).filter(due_date__lt=on)
    if policy.is_volunteer(viewer) and not policy.is_staff(viewer):
        tasks = tasks.filter(assignee_id=viewer.user_id)
    return list(_listed(_unfinished(tasks)).order_by("due_date", "organisation__name", "id"))


def tasks_for_agenda(*, viewer, organisation_ids=None, on: date | None = None) -> list[Task]:
    """Overdue tasks an "agenda" escalation rule has put on the next meeting's agenda, not yet
    finished: of `organisation_ids` when given (the series' member organisations, which the
    meetings app works out), else every one for the operator and the viewer's organisation's
    (and those they set) for a person holding `tasks.assign`."""
    on = on or timezone.localdate()
    if viewer.is_operator:
        tasks = Task.objects.all()
    else:
        access.require(viewer, "tasks.assign")
        tasks = Task.objects.all() if organisation_ids is not None else policy.visible_tasks(viewer)
    if organisation_ids is not None:
        tasks = tasks.filter(organisation_id__in=list(organisation_ids))
    tasks = tasks.filter(escalations__rule__to=EscalationTo.AGENDA, due_date__lt=on).distinct()
    return list(_listed(_unfinished(tasks)))


def task_timeline(*, viewer, task: Task) -> list:
    """The task's events as the viewer may read them: whole for its organisation (and the
    operator); as an outsider (which organisation, not who nor their notes) for who set it from
    another; for a volunteer, only on a task they took, their own events and its creation."""
    task = policy.task_visible(viewer, task.pk)
    events = list(record_timeline(task))
    if viewer.is_operator or (policy.is_staff(viewer) and task.organisation_id == viewer.organisation_id):
        return events
    if policy.is_own_volunteer_task(viewer, task):
        mine = [event for event in events if event.actor_id == viewer.user_id]
        others = [event for event in events if event.kind == TaskEventKind.CREATED and event.actor_id != viewer.user_id]
        for event in others:
            event.changes = {}
        return sorted(mine + timeline_for_outsider(others), key=lambda event: (event.at, event.pk))
    if policy.is_staff(viewer):  # who set it, from another organisation: not who in it does it
        shown = timeline_for_outsider(events)
        for event in shown:
            event.changes = {name: change for name, change in event.changes.items() if name != "assignee"}
        return shown
    return []


@dataclass
class TaskPage:
    """What a task's page shows the viewer, and what they may do to it."""

    task: Task
    timeline: list
    notes: list = field(default_factory=list)
    photos: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)
    may_work: bool = False
    may_accept: bool = False
    may_take: bool = False
    may_assign: bool = False
    may_cancel: bool = False
    is_outsider: bool = False
    people: list = field(default_factory=list)
    teams: list = field(default_factory=list)


def task_page(*, viewer, task_id) -> TaskPage:
    """A task with its notes, photos, answers and timeline as the viewer may see them, and the
    actions open to them. A volunteer sees the notes, photos and answers of a task they took
    (their own); of a task on offer, only what it asks."""
    task = policy.task_visible(viewer, task_id)
    own_organisation = viewer.is_operator or (policy.is_staff(viewer) and task.organisation_id == viewer.organisation_id)
    volunteer_own = policy.is_own_volunteer_task(viewer, task)
    unfinished = task.status not in FINISHED
    page = TaskPage(task=task, timeline=task_timeline(viewer=viewer, task=task), is_outsider=not own_organisation)
    if own_organisation or volunteer_own:
        notes = task.notes.select_related("author").order_by("at", "id")
        photos = task.photos.order_by("at", "id")
        if volunteer_own and not own_organisation:
            notes, photos = notes.filter(author_id=viewer.user_id), photos.filter(uploaded_by_id=viewer.user_id)
        page.notes, page.photos, page.answers = list(notes), list(photos), dict(task.answers)
    elif policy.is_staff(viewer):  # who set it follows what was found, not the organisation's notes
        page.photos, page.answers = list(task.photos.order_by("at", "id")), dict(task.answers)
    page.may_work = unfinished and policy.may_work(viewer, task)
    page.may_accept = (page.may_work and viewer.user is not None and task.status != TaskStatus.ACCEPTED
                       and task.assignee_id in (None, viewer.user_id) and not policy.is_volunteer(viewer))
    page.may_take = unfinished and policy.is_offered_to(viewer, task)
    page.may_assign = unfinished and policy.may_assign(viewer, task)
    page.may_cancel = unfinished and policy.may_cancel(viewer, task)
    if page.may_assign:
        page.people, page.teams = assignable(task)
    return page


def assignable(task: Task) -> tuple[list[User], list[Team]]:
    """The people (whose role works on tasks) and teams of the task's organisation."""
    capabilities = {"tasks.work", "tasks.volunteer"} if task.for_volunteers else {"tasks.work"}
    roles = RoleCapability.objects.filter(capability_id__in=capabilities).values("role")
    people = User.objects.filter(organisation_id=task.organisation_id, is_active=True, role__in=roles)
    teams = Team.objects.filter(organisation_id=task.organisation_id)
    return list(people.order_by("first_name", "last_name", "username")), list(teams.order_by("name"))


def task_photo_get(*, viewer, photo_id):
    """A task's photo and its open file, if the viewer may see the task and its photos (a
    volunteer only their own, on a task they took); `NotFound` otherwise."""
    policy.require_any(viewer)
    number = policy.record_number(photo_id)
    photo = TaskPhoto.objects.filter(pk=number).select_related("task").first() if number is not None else None
    if photo is None:
        raise NotFound("No photo with that number is available to you.", record_type="tasking.taskphoto",
                       record_id=photo_id)
    page = task_page_photos(viewer=viewer, task_id=photo.task_id)
    if photo.pk not in page:
        raise NotFound("No photo with that number is available to you.", record_type="tasking.taskphoto",
                       record_id=photo_id)
    return photo, photo_open(photo.file)


def task_page_photos(*, viewer, task_id) -> set[int]:
    try:
        page = task_page(viewer=viewer, task_id=task_id)
    except NotFound:
        return set()
    return {photo.pk for photo in page.photos}


@dataclass
class TaskLists:
    """The tasks page: the viewer's own, their team's queue, on offer (a volunteer), overdue
    (whoever assigns)."""

    mine: list
    queue: list
    offered: list
    overdue: list
    today: date
    has_areas: bool = True


def tasks_home(*, viewer) -> TaskLists:
    policy.require_any(viewer)
    overdue = tasks_overdue(viewer=viewer) if access.can(viewer, "tasks.assign") else []
    volunteer = policy.is_volunteer(viewer)
    return TaskLists(mine=tasks_mine(viewer=viewer), queue=tasks_team_queue(viewer=viewer),
                     offered=tasks_offered(viewer=viewer), overdue=overdue, today=timezone.localdate(),
                     has_areas=not volunteer or bool(policy.area_place_ids(viewer.user)))


@dataclass
class TaskChoices:
    """What a new task may be set for: the organisations, their teams and people, and places."""

    organisations: list
    teams: list
    people: list
    places: list


def task_choices(*, viewer) -> TaskChoices:
    access.require(viewer, "tasks.assign")
    roles = RoleCapability.objects.filter(capability_id__in={"tasks.work", "tasks.volunteer"}).values("role")
    return TaskChoices(
        organisations=list(Organisation.objects.order_by("name")),
        teams=list(Team.objects.select_related("organisation").order_by("organisation__name", "name")),
        # People of the viewer's own organisation only: another agency decides who does its tasks.
        people=list(User.objects.filter(is_active=True, organisation_id=viewer.organisation_id, role__in=roles)
                    .select_related("organisation").order_by("first_name", "last_name")),
        places=list(Place.objects.filter(kind__in=[PlaceKind.COMMUNITY, PlaceKind.WARD]).order_by("kind", "name")),
    )


def overdue_rows(tasks: list[Task], on: date) -> list[dict]:
    """The overdue tasks as rows (the command's JSON and table)."""
    return [{
        "id": task.pk, "title": task.title, "organisation": task.organisation.name,
        "team": task.team.name if task.team else None,
        "assignee": task.assignee.display_name if task.assignee else None,
        "due_date": task.due_date.isoformat(), "days_overdue": (on - task.due_date).days,
        "priority": task.priority, "status": task.status,
        "source": task.source_label or task.source_kind or None,
    } for task in tasks]


def tasks_overdue_report(*, viewer, on: date | None = None) -> dict:
    """`{"on": day, "tasks": [rows]}`: the overdue tasks (`tasks_overdue`) as the command prints them."""
    on = on or timezone.localdate()
    return {"on": on.isoformat(), "tasks": overdue_rows(tasks_overdue(viewer=viewer, on=on), on)}


def volunteer_area_names() -> list[str]:
    """The places volunteers work in (where a task for volunteers finds them), by name: for the
    form that offers a task to them. Names of places, not of people."""
    roles = RoleCapability.objects.filter(capability_id="tasks.volunteer").values("role")
    return sorted(set(WorkingArea.objects.filter(user__role__in=roles, user__is_active=True)
                      .values_list("place__name", flat=True)))
