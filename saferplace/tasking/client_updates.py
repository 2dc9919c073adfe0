"""Task updates a phone sends when it has a signal again (the briefing's offline updates).

A phone keeps each update made without a signal (accept, decline, a note, answers, complete,
take) under a key it makes for it (an idempotency key, `crypto.randomUUID()`), and sends it when
the connection returns: perhaps twice, if the answer to the first sending was lost on the way.
`client_update_apply` makes each change once: the first sending is applied through the tasks'
own services and its answer kept (`ClientUpdate`); a later sending under the same key is given
the kept answer, and nothing is done again. What may be done, and to which task, is the
services' to decide: this module only reads the update and calls one.

A refused update (no such task for this person, not theirs to work on, bad input) is not kept:
nothing changed, and the same update sent again is refused again (or applied, if the task has
since become one the person may work on)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from saferplace.errors import NotAllowed, NotFound
from saferplace.tasking import selectors as task_selectors
from saferplace.tasking import services as task_services
from saferplace.tasking.models import ClientUpdate

KEY_LENGTH = 100
TEXT_LENGTH = 4000
ANSWERS_MOST = 20


class BadUpdate(ValueError):
    """The update cannot be read: an unknown action, a missing or malformed value."""


@dataclass(frozen=True)
class Action:
    service: str  # the name of the tasking service that makes the change
    texts: tuple[str, ...] = ()  # the payload's text values the service takes, each required
    answers: bool = False  # whether it takes the answers to the task's questions
    answers_required: bool = False
    done: str = ""  # what the person is told once it is made


# Each action a phone may send, and the service it calls: data, not branches.
ACTIONS = {
    "accept": Action("task_accept", done="Accepted"),
    "take": Action("task_take", done="Taken"),
    "decline": Action("task_decline", texts=("reason",), done="Declined"),
    "note": Action("task_note_add", texts=("text",), done="Note added"),
    "answer": Action("task_answer", answers=True, answers_required=True, done="Answers saved"),
    "complete": Action("task_complete", texts=("outcome",), answers=True, done="Completed"),
}


def _text(payload: dict, name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadUpdate(f"The update needs its {name}, as text.")
    if len(value) > TEXT_LENGTH:
        raise BadUpdate(f"The {name} is at most {TEXT_LENGTH} characters.")
    return value.strip()


def _answers(payload: dict, *, required: bool) -> dict[str, str] | None:
    value = payload.get("answers")
    if value is None and not required:
        return None
    if not isinstance(value, dict) or (required and not value):
        raise BadUpdate("The answers must be given as question and answer.")
    if len(value) > ANSWERS_MOST:
        raise BadUpdate(f"At most {ANSWERS_MOST} answers.")
    answers = {}
    for question, answer in value.items():
        if not isinstance(answer, str) or len(question) > TEXT_LENGTH or len(answer) > TEXT_LENGTH:
            raise BadUpdate(f"Each answer is text of at most {TEXT_LENGTH} characters.")
        answers[question] = answer.strip()
    return answers


def update_arguments(action: str, payload) -> dict:
    """The keyword arguments of the action's service, from the update's payload (BadUpdate
    when they cannot be read)."""
    if not isinstance(action, str) or action not in ACTIONS:
        raise BadUpdate(f"There is no action {str(action)[:40]!r}: it must be one of {', '.join(ACTIONS)}.")
    if not isinstance(payload, dict):
        raise BadUpdate("The update's payload must be an object.")
    definition = ACTIONS[action]
    arguments = {name: _text(payload, name) for name in definition.texts}
    if definition.answers:
        answers = _answers(payload, required=definition.answers_required)
        if answers is not None:
            arguments["answers"] = answers
    return arguments


def _checked_key(key) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > KEY_LENGTH or not key.isascii() or not all(
            character.isalnum() or character in "-_" for character in key):
        raise BadUpdate(f"The update needs a key of at most {KEY_LENGTH} letters, digits and hyphens.")
    return key


def _task_id(task_id) -> int:
    if isinstance(task_id, bool) or not isinstance(task_id, int | str):
        raise BadUpdate("The update needs the number of its task.")
    try:
        number = int(task_id)
    except ValueError:
        raise BadUpdate("The update needs the number of its task.") from None
    if not 0 < number < 2**63:
        raise NotFound("No task with that number is available to you.", record_type="tasking.task", record_id=number)
    return number


@dataclass(frozen=True)
class UpdateAnswer:
    answer: dict  # what the phone is told: {"key", "task", "action", "status", "message", "task_status"}
    repeated: bool  # the kept answer to an update already made


def client_update_apply(*, viewer, key: str, task_id, action: str, payload) -> UpdateAnswer:
    """Make a phone's update once. The kept answer when `viewer` sent this key before (nothing
    done again); otherwise the task is read as the viewer may see it (`NotFound` when they may
    not), the action's service makes the change (`NotAllowed`, `ValueError` or `ValidationError`
    when it refuses, and nothing is kept), and its answer is kept under the key. The same key
    for another task or action is refused (`BadUpdate`): a key names one update."""
    key = _checked_key(key)
    kept = ClientUpdate.objects.filter(user_id=viewer.user_id, key=key).first()
    if kept is not None:
        return _kept(kept, task_id=task_id, action=action)
    number = _task_id(task_id)
    arguments = update_arguments(action, payload)
    service = getattr(task_services, ACTIONS[action].service)
    try:
        with transaction.atomic():
            task = task_selectors.task_get(viewer=viewer, task_id=number)
            service(viewer=viewer, task=task, **arguments)
            task.refresh_from_db()
            answer = {"key": key, "task": task.pk, "action": action, "status": 200,
                      "message": f"{ACTIONS[action].done}: {task.title}", "task_status": task.status}
            ClientUpdate.objects.create(key=key, user=viewer.user, task=task, action=action, answer=answer)
    except IntegrityError:
        # The same key sent twice at once: the other sending made the change (this one's is undone).
        kept = ClientUpdate.objects.filter(user_id=viewer.user_id, key=key).first()
        if kept is None:
            raise
        return _kept(kept, task_id=task_id, action=action)
    return UpdateAnswer(answer=answer, repeated=False)


def _kept(kept: ClientUpdate, *, task_id, action: str) -> UpdateAnswer:
    if str(kept.task_id) != str(task_id) or kept.action != action:
        raise BadUpdate("This key was used for another update: each update needs a key of its own.")
    return UpdateAnswer(answer=kept.answer, repeated=True)


# The refusals a caller answers in words (the web with 4xx): anything else is a fault.
REFUSALS = (NotFound, NotAllowed, BadUpdate, ValueError, ValidationError)
