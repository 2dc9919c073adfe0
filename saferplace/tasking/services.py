"""Changing tasks: each change checks who may do it (`policy`: the viewer's organisation,
capability, team, or the volunteer's own task), and writes the task's event and an audit entry in
the same transaction (`record_change`). A task the viewer may not see is `NotFound`, whatever
they try to do to it; one they see but may not change is `NotAllowed`; a change that makes no
sense (no reason, a question the task does not ask, a finished task) is a `ValueError` whose
message is for the person."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from saferplace.errors import NotAllowed
from saferplace.history import record_change
from saferplace.partners import access
from saferplace.partners.models import Organisation, RoleCapability, Team, User
from saferplace.places.models import Place
from saferplace.tasking import policy
from saferplace.tasking.models import (
    Task,
    TaskEventKind,
    TaskNote,
    TaskPhoto,
    TaskPriority,
    TaskStatus,
)
from saferplace.tasking.photos import photo_clean, photo_delete, photo_store
from saferplace.tasking.signals import task_done

TITLE_LENGTH = 200
QUESTIONS_MOST = 10
TEXT_LENGTH = 5000
ANSWER_LENGTH = 2000
PHOTOS_MOST = 20


def _questions(questions: list[str]) -> list[str]:
    cleaned = [str(question).strip()[:300] for question in questions if str(question).strip()]
    if len(cleaned) > QUESTIONS_MOST:
        raise ValueError(f"A task may ask at most {QUESTIONS_MOST} questions.")
    return cleaned


@transaction.atomic
def task_create(
    *,
    viewer,
    title: str,
    organisation: Organisation,
    description: str = "",
    team: Team | None = None,
    assignee: User | None = None,
    for_volunteers: bool = False,
    place: Place | None = None,
    where: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    priority: str = TaskPriority.NORMAL,
    due_date: date | None = None,
    questions: list[str] | None = None,
    source_kind: str = "",
    source_id: int | None = None,
    source_label: str = "",
    across_partnership: bool = False,
) -> Task:
    """Ask `organisation` (a team or a person in it, or the volunteer pool) to do something.
    A person holding `tasks.assign` tasks their own organisation, or another with which it has a
    sharing agreement in force; a meeting's action may task any member agency (the meetings app
    checks membership and says so with `across_partnership`). Only the organisation itself names
    the person who does it: another agency is tasked as a whole, a team of it, or its volunteers.
    The person must be able to work on it (a role that works on tasks; a volunteer only on a task
    for volunteers)."""
    access.require(viewer, "tasks.assign")
    own = viewer.is_operator or organisation.pk == viewer.organisation_id
    if not (own or across_partnership or organisation.pk in _partners_of(viewer)):
        raise NotAllowed(f"Your organisation has no sharing agreement in force with {organisation.name}: "
                         "task it through the daily meeting.")
    if assignee is not None and not own:
        raise NotAllowed(f"{organisation.name} decides who does its tasks: task the agency, one of its teams or "
                         "its volunteers.")
    if assignee is not None and not _may_be_given(assignee, for_volunteers=for_volunteers):
        raise NotAllowed(f"{assignee.display_name} cannot work on this task: choose someone whose role works on "
                         "tasks (a volunteer only on a task for volunteers).")
    title = title.strip()
    if not title:
        raise ValueError("A task needs a title: what is to be done.")
    if len(title) > TITLE_LENGTH:
        raise ValueError(f"A task's title is at most {TITLE_LENGTH} characters.")
    if team is not None and team.organisation_id != organisation.pk:
        raise NotAllowed(f"{team.name} is not a team of {organisation.name}.")
    if assignee is not None and assignee.organisation_id != organisation.pk:
        raise NotAllowed(f"{assignee.display_name} does not work for {organisation.name}.")
    if priority not in TaskPriority.values:
        raise ValueError(f"Priority must be one of {', '.join(TaskPriority.values)}.")
    if (latitude is None) != (longitude is None):
        raise ValueError("A point on the map needs both its latitude and its longitude.")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError("That point is not on the map.")
    if for_volunteers and place is None:
        raise ValueError("A task for volunteers needs its place: the volunteers working there are offered it.")
    task = Task(
        title=title, description=description.strip(), organisation=organisation, team=team, assignee=assignee,
        for_volunteers=for_volunteers, place=place, where=where.strip()[:200], latitude=latitude,
        longitude=longitude, priority=priority, due_date=due_date, questions=_questions(questions or []),
        source_kind=source_kind[:40], source_id=source_id, source_label=source_label[:300],
        created_by=viewer.user,
    )
    record_change(viewer=viewer, record=task, kind=TaskEventKind.CREATED, created=True,
                  note=f"From {source_label}" if source_label else "")
    return task


def _partners_of(viewer) -> set[int]:
    """The organisations with which the viewer's has a sharing agreement in force."""
    if viewer.organisation_id is None:
        return set()
    return {party.pk for agreement in access.agreements_in_force(party_id=viewer.organisation_id)
            for party in agreement.parties.all()}


def _may_be_given(user: User, *, for_volunteers: bool) -> bool:
    """Whether a task may be given to `user`: their role works on tasks, or they volunteer and
    the task is for volunteers."""
    held = set(RoleCapability.objects.filter(role=user.role, capability_id__in=("tasks.work", "tasks.volunteer"))
               .values_list("capability_id", flat=True))
    return user.is_active and ("tasks.work" in held or (for_volunteers and "tasks.volunteer" in held))


def _name(user) -> str:
    return user.display_name if user is not None else "nobody"


def _required(text: str, what: str, length: int = TEXT_LENGTH) -> str:
    text = (text or "").strip()
    if not text:
        raise ValueError(what)
    if len(text) > length:
        raise ValueError(f"Write {length:,} characters or fewer")
    return text


def _person_required(viewer) -> None:
    if viewer.user is None:
        raise NotAllowed("A person does this, not the operator.")


@transaction.atomic
def task_accept(*, viewer, task: Task) -> Task:
    """Take the task on: it is the viewer's, accepted. A task with someone else is theirs to accept."""
    _person_required(viewer)
    task = policy.require_work(viewer, task)
    if task.assignee_id not in (None, viewer.user_id):
        raise NotAllowed(f"This task is with {task.assignee.display_name}: they accept it, or it is reassigned.")
    if task.status == TaskStatus.ACCEPTED and task.assignee_id == viewer.user_id:
        return task
    before = task.assignee
    record_change(viewer=viewer, record=task, kind=TaskEventKind.ACCEPTED,
                  values={"assignee": viewer.user, "status": TaskStatus.ACCEPTED, "accepted_at": timezone.now()},
                  shown={"assignee": [_name(before), _name(viewer.user)]})
    return task


@transaction.atomic
def task_decline(*, viewer, task: Task, reason: str) -> Task:
    """Say no, with the reason: the task goes back to its organisation's queue (or the volunteer
    pool), nobody's, "declined", for whoever assigns its tasks or leads its team to see. A
    volunteer's answers go with them (the next volunteer does not read them)."""
    reason = _required(reason, "Say why you are declining the task")
    task = policy.require_work(viewer, task)
    values = {"assignee": None, "status": TaskStatus.DECLINED, "accepted_at": None}
    if policy.is_own_volunteer_task(viewer, task):
        values["answers"] = {}
    record_change(viewer=viewer, record=task, kind=TaskEventKind.DECLINED, values=values, note=reason,
                  shown={"assignee": [_name(task.assignee), "nobody"]}, always=True)
    return task


def _may_work_on_tasks(user: User, *, volunteers: bool) -> bool:
    capabilities = {"tasks.work", "tasks.volunteer"} if volunteers else {"tasks.work"}
    return user.is_active and RoleCapability.objects.filter(role=user.role, capability_id__in=capabilities).exists()


@transaction.atomic
def task_reassign(*, viewer, task: Task, assignee: User | None = None, team: Team | None = None,
                  note: str = "") -> Task:
    """Give the task to another person or team of its organisation, or back to its queue (neither).
    Whoever holds `tasks.assign` there may; so may the lead of its team, within the team. The new
    person accepts it in turn. Without a team, a person's task is in their own team's queue."""
    task = policy.require_visible(viewer, task)
    if not policy.may_assign(viewer, task):
        raise NotAllowed("Only whoever assigns the organisation's tasks, or the team's lead, may reassign it.",
                         capability="tasks.assign", record_type=policy.OBJECT_TYPE, record_id=task.pk)
    policy.require_unfinished(task)
    organisation = task.organisation
    if team is not None and team.organisation_id != organisation.pk:
        raise NotAllowed(f"{team.name} is not a team of {organisation.name}.")
    if assignee is not None:
        if assignee.organisation_id != organisation.pk:
            raise NotAllowed(f"{assignee.display_name} does not work for {organisation.name}.")
        if not _may_work_on_tasks(assignee, volunteers=task.for_volunteers):
            raise ValueError(f"{assignee.display_name} cannot work on tasks: choose someone whose role does")
    if team is None and assignee is not None:
        team = assignee.team
    if not access.can(viewer, "tasks.assign", task):  # the team's lead, within the team
        if (team is not None and team.pk != task.team_id) or (assignee is not None and assignee.team_id != task.team_id):
            raise NotAllowed("A team's lead reassigns within their team; whoever assigns the organisation's tasks "
                             "gives it to another.", capability="tasks.assign")
        team = team or task.team
    if assignee == task.assignee and team == task.team:
        return task
    before = f"{_name(task.assignee)} ({task.team.name if task.team else 'no team'})"
    after = f"{_name(assignee)} ({team.name if team else 'no team'})"
    record_change(viewer=viewer, record=task, kind=TaskEventKind.REASSIGNED, note=(note or "").strip()[:TEXT_LENGTH],
                  values={"assignee": assignee, "team": team, "status": TaskStatus.OPEN, "accepted_at": None},
                  shown={"assignee": [before, after]}, always=True)
    return task


@transaction.atomic
def task_note_add(*, viewer, task: Task, text: str) -> TaskNote:
    """A note on the task (what was found, what is next), by whoever works on it."""
    text = _required(text, "Write the note")
    task = policy.require_work(viewer, task)
    note = TaskNote.objects.create(task=task, author=viewer.user, text=text)
    record_change(viewer=viewer, record=task, kind=TaskEventKind.NOTE, note=text, always=True,
                  details={"note": note.pk})
    return note


@transaction.atomic
def task_photo_add(*, viewer, task: Task, upload) -> TaskPhoto:
    """A photo of what was found: checked, re-encoded without its metadata (`photos`), kept under
    a new name. At most `PHOTOS_MOST` a task."""
    task = policy.require_work(viewer, task)
    if task.photos.count() >= PHOTOS_MOST:
        raise ValueError(f"A task keeps at most {PHOTOS_MOST} photos")
    content = photo_clean(upload)
    name = photo_store(content)
    try:
        photo = TaskPhoto.objects.create(task=task, file=name, uploaded_by=viewer.user)
        record_change(viewer=viewer, record=task, kind=TaskEventKind.PHOTO, always=True,
                      details={"photo": photo.pk, "bytes": len(content)})
    except BaseException:
        photo_delete(name)
        raise
    return photo


def _answers(task: Task, answers: dict | None) -> dict[str, str]:
    """The answers given to the task's own questions (any other key refused), cleaned."""
    cleaned = {}
    for question, answer in (answers or {}).items():
        if question not in task.questions:
            raise ValueError(f"This task does not ask {str(question)[:100]!r}")
        answer = str(answer if answer is not None else "").strip()
        if len(answer) > ANSWER_LENGTH:
            raise ValueError(f"Each answer is at most {ANSWER_LENGTH:,} characters")
        cleaned[question] = answer
    return cleaned


def _answers_shown(before: dict, after: dict) -> dict:
    changed = [f"{question} {answer or '(no answer)'}" for question, answer in after.items()
               if before.get(question) != answer]
    return {"answers": " · ".join(changed)} if changed else {}


@transaction.atomic
def task_answer(*, viewer, task: Task, answers: dict) -> Task:
    """Answer some or all of the task's questions (an empty answer clears one)."""
    task = policy.require_work(viewer, task)
    merged = {**task.answers, **_answers(task, answers)}
    record_change(viewer=viewer, record=task, kind=TaskEventKind.ANSWERED, values={"answers": merged},
                  shown=_answers_shown(task.answers, merged))
    return task


@transaction.atomic
def task_complete(*, viewer, task: Task, outcome: str, answers: dict | None = None) -> Task:
    """Done, with what came of it; every question the task asks must have its answer by then."""
    outcome = _required(outcome, "Say what was done: the outcome")
    task = policy.require_work(viewer, task)
    merged = {**task.answers, **_answers(task, answers)}
    unanswered = [question for question in task.questions if not merged.get(question)]
    if unanswered:
        raise ValueError(f"Answer every question before completing the task: {unanswered[0]!r} has no answer")
    values = {"status": TaskStatus.DONE, "outcome": outcome, "finished_at": timezone.now(), "answers": merged}
    shown = _answers_shown(task.answers, merged)
    if task.assignee_id is None and viewer.user is not None:
        values["assignee"] = viewer.user
        shown["assignee"] = ["nobody", _name(viewer.user)]
    record_change(viewer=viewer, record=task, kind=TaskEventKind.DONE, values=values, shown=shown)
    task_done.send(sender=Task, viewer=viewer, task=task)
    return task


@transaction.atomic
def task_take(*, viewer, task: Task) -> Task:
    """A volunteer takes a task on offer in their areas: it is theirs, accepted."""
    _person_required(viewer)
    access.require(viewer, "tasks.volunteer")
    task = policy.require_visible(viewer, task)
    if task.assignee_id == viewer.user_id:
        return task
    if not policy.is_offered_to(viewer, task):
        raise ValueError("This task is not on offer any more")
    record_change(viewer=viewer, record=task, kind=TaskEventKind.ACCEPTED, note="Taken from the volunteer pool",
                  values={"assignee": viewer.user, "status": TaskStatus.ACCEPTED, "accepted_at": timezone.now()},
                  shown={"assignee": ["nobody", _name(viewer.user)]})
    return task


@transaction.atomic
def task_cancel(*, viewer, task: Task, reason: str) -> Task:
    """Call the task off, with the reason: whoever assigns its organisation's tasks, or who set it."""
    reason = _required(reason, "Say why the task is cancelled")
    task = policy.require_visible(viewer, task)
    if not policy.may_cancel(viewer, task):
        raise NotAllowed("Only whoever set the task, or assigns its organisation's tasks, may cancel it.",
                         capability="tasks.assign", record_type=policy.OBJECT_TYPE, record_id=task.pk)
    policy.require_unfinished(task)
    record_change(viewer=viewer, record=task, kind=TaskEventKind.CANCELLED, note=reason,
                  values={"status": TaskStatus.CANCELLED, "finished_at": timezone.now()})
    return task
