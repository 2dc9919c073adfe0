"""The tasks' pages: "my tasks" and the team's queue (and, for a volunteer, the tasks on offer in
their areas), a task with what it asks and its history, the actions on it (each a POST calling
one service), a task's photos (served only to who may see them), and setting a new task.

Who may see and do what is the tasking app's (`tasking.policy`): a task another organisation's
person asks for is "not found", an action their role does not allow is refused (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from saferplace.errors import NotAllowed
from saferplace.tasking import selectors, services
from saferplace.tasking.photos import LARGEST_BYTES
from saferplace.web.task_forms import (
    AnswersForm,
    CancelForm,
    DeclineForm,
    NoteForm,
    PhotoForm,
    ReassignForm,
    TaskForm,
)
from saferplace.web.views.common import capability_required, page

ACTIVE = "tasks"


def _forms(task_page, data=None, files=None, bound: str = "", completing: bool = False) -> dict:
    """Every form of the task's page, the one named `bound` bound to the request's data."""
    task = task_page.task

    def given(name):
        return (data, files) if name == bound else (None, None)

    return {
        "decline_form": DeclineForm(given("decline")[0]),
        "cancel_form": CancelForm(given("cancel")[0]),
        "note_form": NoteForm(given("note")[0]),
        "photo_form": PhotoForm(*given("photo")),
        "answers_form": AnswersForm(given("answers")[0], questions=task.questions, answers=task_page.answers,
                                    completing=completing),
        "reassign_form": ReassignForm(given("reassign")[0], people=task_page.people, teams=task_page.teams,
                                      initial={"assignee": task.assignee_id or "", "team": task.team_id or ""}),
    }


def _detail(request, task_page, forms: dict | None = None, status: int = 200):
    forms = forms or _forms(task_page)
    failed = next((form for form in forms.values() if form.is_bound and form.errors), None)
    return page(request, "tasks/detail.html", active=ACTIVE, status=400 if failed is not None else status,
                page_data=task_page, task=task_page.task, failed=failed, photo_megabytes=LARGEST_BYTES // 2**20,
                **forms)


@login_required
def task_list(request):
    return page(request, "tasks/list.html", active=ACTIVE, lists=selectors.tasks_home(viewer=request.viewer))


@login_required
def task_detail(request, task_id: int):
    return _detail(request, selectors.task_page(viewer=request.viewer, task_id=task_id))


def _action(request, task_id: int, bound: str, act, done: str, *, to_list: bool = False, field: str = "",
            completing: bool = False):
    """A POST on a task: its form checked, then `act(task, form)` (one service); its refusal onto
    the form's `field`, the page shown again with the problem (400)."""
    task_page = selectors.task_page(viewer=request.viewer, task_id=task_id)
    forms = _forms(task_page, request.POST, request.FILES, bound=bound, completing=completing)
    form = forms.get(f"{bound}_form")
    if form is None or form.is_valid():
        try:
            act(task_page.task, form)
        except ValueError as refused:
            if form is None:
                messages.error(request, str(refused))
                return redirect("web:task-detail", task_id=task_page.task.pk)
            form.add_error(field or None, str(refused))
        else:
            messages.success(request, done)
            return redirect("web:task-list") if to_list else redirect("web:task-detail", task_id=task_page.task.pk)
    return _detail(request, task_page, forms)


@require_POST
@login_required
def task_accept(request, task_id: int):
    return _action(request, task_id, "accept", lambda task, form: services.task_accept(viewer=request.viewer, task=task),
                   "You have accepted the task.")


@require_POST
@login_required
def task_take(request, task_id: int):
    return _action(request, task_id, "take", lambda task, form: services.task_take(viewer=request.viewer, task=task),
                   "The task is yours: answer its questions and complete it when you have been.")


@require_POST
@login_required
def task_decline(request, task_id: int):
    return _action(request, task_id, "decline", lambda task, form: services.task_decline(
        viewer=request.viewer, task=task, reason=form.cleaned_data["reason"]),
        "You have declined the task: it is back in the queue.", to_list=True, field="reason")


@require_POST
@login_required
def task_cancel(request, task_id: int):
    return _action(request, task_id, "cancel", lambda task, form: services.task_cancel(
        viewer=request.viewer, task=task, reason=form.cleaned_data["reason"]), "The task is cancelled.", field="reason")


@require_POST
@login_required
def task_note(request, task_id: int):
    return _action(request, task_id, "note", lambda task, form: services.task_note_add(
        viewer=request.viewer, task=task, text=form.cleaned_data["text"]), "Your note is added.", field="text")


@require_POST
@login_required
def task_photo(request, task_id: int):
    return _action(request, task_id, "photo", lambda task, form: services.task_photo_add(
        viewer=request.viewer, task=task, upload=form.cleaned_data["photo"]), "Your photo is added.", field="photo")


@require_POST
@login_required
def task_answer(request, task_id: int):
    return _action(request, task_id, "answers", lambda task, form: services.task_answer(
        viewer=request.viewer, task=task, answers=form.answers()), "Your answers are saved.")


@require_POST
@login_required
def task_complete(request, task_id: int):
    def complete(task, form):
        services.task_complete(viewer=request.viewer, task=task, outcome=form.cleaned_data["outcome"],
                               answers=form.answers())

    return _action(request, task_id, "answers", complete, "The task is complete. Thank you.", field="outcome",
                   completing=True)


@require_POST
@login_required
def task_reassign(request, task_id: int):
    def reassign(task, form):
        services.task_reassign(viewer=request.viewer, task=task, assignee=form.people.get(form.cleaned_data["assignee"]),
                               team=form.teams.get(form.cleaned_data["team"]), note=form.cleaned_data["note"])

    return _action(request, task_id, "reassign", reassign, "The task is reassigned.", field="assignee")


@login_required
def task_photo_file(request, photo_id: int):
    photo, opened = selectors.task_photo_get(viewer=request.viewer, photo_id=photo_id)
    response = FileResponse(opened, content_type="image/jpeg", filename=f"task-{photo.task_id}-photo-{photo.pk}.jpg")
    response["Content-Disposition"] = f'inline; filename="task-{photo.task_id}-photo-{photo.pk}.jpg"'
    return response


@capability_required("tasks.assign")
def task_new(request):
    form = TaskForm(request.POST or None, choices=selectors.task_choices(viewer=request.viewer))
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(viewer=request.viewer, **form.arguments())
        except (ValueError, NotAllowed) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"The task is set for {task.organisation.name}.")
            return redirect("web:task-detail", task_id=task.pk)
    return page(request, "tasks/new.html", active=ACTIVE, form=form, status=400 if form.errors else 200)
