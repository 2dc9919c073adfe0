"""Changing tasks: each change checks the viewer's organisation and capability, and writes the
task's event and an audit entry in the same transaction (`record_change`)."""

from datetime import date

from django.db import transaction

from saferplace.errors import NotAllowed
from saferplace.history import record_change
from saferplace.partners import access
from saferplace.partners.models import Organisation, Team, User
from saferplace.places.models import Place
from saferplace.tasking.models import Task, TaskEventKind, TaskPriority

TITLE_LENGTH = 200
QUESTIONS_MOST = 10


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
) -> Task:
    """Ask `organisation` (a team or a person in it, or the volunteer pool) to do something.
    Anyone holding `tasks.assign` may task any partner organisation (the meeting tasks agencies);
    the team and person must belong to that organisation."""
    access.require(viewer, "tasks.assign")
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
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= (longitude or 0) <= 180):
        raise ValueError("That point is not on the map.")
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
