"""A partner's side of residents' reports: the organisation's triage queue, a report's page (the
resident's contact details shown only there, the view audited), its photos, and the triage
actions, each a POST that parses its form and calls one service.

Who may see and do what is the reports app's: a report another organisation owns (and no
agreement shares) is "not found", a role without `reports.triage` is refused (403), and an action
on a report the viewer may only read through an agreement is "not found" too."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from saferplace.errors import NotFound
from saferplace.reports import services
from saferplace.reports.partner_pages import report_page, report_photo_get, triage_choices
from saferplace.reports.selectors import report_for_partner, triage_queue
from saferplace.web.triage_forms import (
    AcceptForm,
    CommentForm,
    DuplicateForm,
    IncidentForm,
    MeetingForm,
    QueueForm,
    ReassignForm,
    RejectForm,
    StateForm,
    TaskMakeForm,
)
from saferplace.web.views.common import capability_required, page

ACTIVE = "reports"


@capability_required("reports.triage")
def queue(request):
    form = QueueForm(request.GET)
    if not form.is_valid():
        return page(request, "triage/queue.html", active=ACTIVE, form=form, reports=[], show="open",
                    urgent_only=False, now=timezone.now(), status=400)
    urgent_only = form.cleaned_data["urgent"]
    reports = triage_queue(viewer=request.viewer, kinds=form.kinds(), urgent_only=urgent_only)
    return page(request, "triage/queue.html", active=ACTIVE, form=form, reports=reports,
                show=form.cleaned_data["show"] or "open", urgent_only=urgent_only, now=timezone.now())


def _forms(page_data, choices, data=None, bound: str = "") -> dict:
    """Every action's form, the one named `bound` bound to the request's data."""

    def given(name):
        return data if name == bound else None

    return {
        "accept_form": AcceptForm(given("accept")),
        "reject_form": RejectForm(given("reject"), states=choices.closing_states),
        "state_form": StateForm(given("state"), states=choices.states),
        "duplicate_form": DuplicateForm(given("duplicate")),
        "reassign_form": ReassignForm(given("reassign"), organisations=choices.organisations),
        "task_form": TaskMakeForm(given("task"), teams=choices.teams, people=choices.people,
                                  volunteers=page_data.report.is_public),
        "meeting_form": MeetingForm(given("meeting"), series=choices.series),
        "incident_form": IncidentForm(given("incident")),
        "comment_form": CommentForm(given("comment")),
    }


def _detail(request, page_data, choices, forms: dict | None = None):
    forms = forms or _forms(page_data, choices)
    failed = next((form for form in forms.values() if form.is_bound and form.errors), None)
    return page(request, "triage/report.html", active=ACTIVE, status=400 if failed is not None else 200,
                page_data=page_data, report=page_data.report, choices=choices, failed=failed, **forms)


@capability_required("reports.triage")
def report_detail(request, report_id: int):
    page_data = report_page(viewer=request.viewer, report_id=report_id)
    return _detail(request, page_data, triage_choices(viewer=request.viewer, report=page_data.report))


def _action(request, report_id: int, bound: str, act, done, *, field: str = ""):
    """A POST on a report: its form checked, then `act(report, form)` (one service); a refusal
    (ValueError) onto the form's `field`, the page shown again with the problem (400). `done`
    is the message, or a function of what `act` returned."""
    page_data = report_page(viewer=request.viewer, report_id=report_id)
    choices = triage_choices(viewer=request.viewer, report=page_data.report)
    forms = _forms(page_data, choices, request.POST, bound=bound)
    form = forms[f"{bound}_form"]
    if form.is_valid():
        try:
            result = act(page_data.report, form)
        except ValueError as refused:
            form.add_error(field or None, str(refused))
        else:
            messages.success(request, done(result) if callable(done) else done)
            return redirect("web:triage-report", report_id=page_data.report.pk)
    return _detail(request, page_data, choices, forms)


@require_POST
@capability_required("reports.triage")
def report_accept(request, report_id: int):
    return _action(request, report_id, "accept", lambda report, form: services.report_accept(
        viewer=request.viewer, report=report, text=form.cleaned_data["text"]),
        "The report is accepted: the resident is told you are looking into it.", field="text")


@require_POST
@capability_required("reports.triage")
def report_reject(request, report_id: int):
    def reject(report, form):
        state = form.states[form.cleaned_data["state"]]
        services.report_state_set(viewer=request.viewer, report=report, state=state, text=form.cleaned_data["text"])
        return state

    return _action(request, report_id, "reject", reject, lambda state: f"The report is closed: {state.name.lower()}.",
                   field="text")


@require_POST
@capability_required("reports.triage")
def report_state(request, report_id: int):
    def move(report, form):
        state = form.states[form.cleaned_data["state"]]
        services.report_state_set(viewer=request.viewer, report=report, state=state, text=form.cleaned_data["text"])
        return state

    return _action(request, report_id, "state", move, lambda state: f"The report is now {state.name.lower()}.",
                   field="state")


@require_POST
@capability_required("reports.triage")
def report_duplicate(request, report_id: int):
    def duplicate(report, form):
        number = form.cleaned_data["of"]
        try:
            original = report_for_partner(viewer=request.viewer, report_id=number)
        except NotFound:
            raise ValueError(f"There is no report {number} you can see: check its number") from None
        return services.report_duplicate(viewer=request.viewer, report=report, of=original).duplicate_of_id

    return _action(request, report_id, "duplicate", duplicate,
                   lambda number: f"The report is closed as a duplicate of report {number}.", field="of")


@require_POST
@capability_required("reports.triage")
def report_reassign(request, report_id: int):
    def reassign(report, form):
        organisation = form.organisations[form.cleaned_data["organisation"]]
        services.report_reassign(viewer=request.viewer, report=report, organisation=organisation,
                                 reason=form.cleaned_data["reason"])
        return organisation

    def done(organisation):
        return f"The report is passed to {organisation.name}."

    # Once passed on, the report is the other partner's: back to the queue, not its page.
    response = _action(request, report_id, "reassign", reassign, done, field="organisation")
    return redirect("web:triage-queue") if response.status_code == 302 else response


@require_POST
@capability_required("reports.triage")
def report_task(request, report_id: int):
    def make(report, form):
        return services.report_task_make(viewer=request.viewer, report=report, **form.arguments())

    return _action(request, report_id, "task", make,
                   lambda task: f"Task {task.pk} is made from the report: it is listed under “Tasks made from it”.")


@require_POST
@capability_required("reports.triage")
def report_meeting(request, report_id: int):
    def forward(report, form):
        services.report_meeting_forward(viewer=request.viewer, report=report,
                                        series=form.series[form.cleaned_data["series"]], note=form.cleaned_data["note"])

    return _action(request, report_id, "meeting", forward, "The report is put forward to the meeting.", field="note")


@require_POST
@capability_required("reports.triage")
def report_incident(request, report_id: int):
    from saferplace.reports.incidents import report_incident_raise  # written alongside these pages

    return _action(request, report_id, "incident", lambda report, form: report_incident_raise(
        viewer=request.viewer, report=report), "The report is raised as an incident.")


@require_POST
@capability_required("reports.triage")
def report_comment(request, report_id: int):
    return _action(request, report_id, "comment", lambda report, form: services.report_comment(
        viewer=request.viewer, report=report, text=form.cleaned_data["text"]), "Your message is sent.", field="text")


@capability_required("reports.triage")
def report_photo(request, report_id: int, photo_id: int):
    photo, opened = report_photo_get(viewer=request.viewer, report_id=report_id, photo_id=photo_id)
    name = f"report-{photo.report_id}-photo-{photo.pk}.jpg"
    response = FileResponse(opened, content_type="image/jpeg", filename=name)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
