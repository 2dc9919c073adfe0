"""The forms of a partner's report pages (the triage queue and a report's actions): they parse and
check shape (a number that is not one, an unknown choice: a form error naming the field, never a
server error); the reports' services check the rest, and their refusals land on the form."""

from django import forms

from saferplace.reports.partner_pages import LARGEST_ID, QUEUE_KINDS
from saferplace.reports.services import MESSAGE_MOST
from saferplace.tasking.models import TaskPriority
from saferplace.web.task_forms import TaskForm


def _text(label: str, required_message: str = "", *, hint: str = "", required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea, max_length=MESSAGE_MOST, required=required,
                           help_text=hint, error_messages={
                               "required": required_message,
                               "max_length": f"{label} must be {MESSAGE_MOST:,} characters or fewer",
                               "null_characters_not_allowed": f"{label} cannot contain a NUL character"})


def _choice(label: str, required_message: str, *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=required, error_messages={
        "required": required_message, "invalid_choice": f"Choose {label.lower()} from the list"})


class QueueForm(forms.Form):
    """The queue's filters (from the query string)."""

    show = forms.ChoiceField(label="Show", required=False, choices=[
        ("open", "Open"), ("closed", "Closed and fixed"), ("all", "All")],
        error_messages={"invalid_choice": "Choose open, closed or all reports"})
    urgent = forms.BooleanField(label="Urgent only", required=False)

    def kinds(self) -> tuple[str, ...]:
        return QUEUE_KINDS[self.cleaned_data.get("show") or "open"]


class AcceptForm(forms.Form):
    prefix = "accept"
    text = _text("Message to the resident (optional)",
                 hint="Leave it empty to send the service's usual message")


class RejectForm(forms.Form):
    prefix = "reject"
    state = _choice("Why it is closed", "Choose why the report is closed")
    text = _text("Reason", "Say why the report is closed: the resident is told", required=True,
                 hint="The resident reads it (but not when the report is removed as spam or abuse)")

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.states = {state.code: state for state in states}
        self.fields["state"].choices = [("", "Choose")] + [(code, state.name) for code, state in self.states.items()]


class StateForm(forms.Form):
    prefix = "state"
    state = _choice("New state", "Choose the report's new state")
    text = _text("Message to the resident", hint="Needed for a closing state; otherwise the usual message is sent")

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.states = {state.code: state for state in states}
        self.fields["state"].choices = [("", "Choose")] + [
            (code, f"{state.name} ({state.get_kind_display().lower()})") for code, state in self.states.items()]


class DuplicateForm(forms.Form):
    prefix = "duplicate"
    of = forms.IntegerField(label="Report number it repeats", min_value=1, max_value=LARGEST_ID,
                            help_text="The number of the earlier report, like 1234",
                            error_messages={"required": "Enter the number of the report it repeats",
                                            "invalid": "Enter the number of the report, like 1234",
                                            "min_value": "Enter the number of the report, like 1234",
                                            "max_value": "There is no report with that number"})


class ReassignForm(forms.Form):
    prefix = "reassign"
    organisation = _choice("Partner", "Choose the partner that deals with it")
    reason = _text("Reason", "Say why it is passed on", required=True, hint="Kept in the report's history")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(each.pk): each for each in organisations}
        self.fields["organisation"].choices = [("", "Choose a partner")] + [
            (key, each.name) for key, each in self.organisations.items()]


class TaskMakeForm(forms.Form):
    """A task of the report's organisation: a team, a person, or the volunteers of its place."""

    prefix = "task"
    title = TaskForm.base_fields["title"]
    description = _text("Details (optional)", hint="Left empty, the report's description is used. Volunteers read it.")
    team = _choice("Team (optional)", "", required=False)
    assignee = _choice("Person (optional)", "", required=False)
    for_volunteers = forms.BooleanField(label="Offer it to the volunteers working where it is", required=False)
    due_date = TaskForm.base_fields["due_date"]
    priority = forms.ChoiceField(label="Priority", choices=TaskPriority.choices, initial=TaskPriority.NORMAL,
                                 error_messages={"required": "Choose the priority",
                                                 "invalid_choice": "Choose a priority from the list"})
    questions = TaskForm.base_fields["questions"]

    clean_due_date = TaskForm.clean_due_date
    clean_questions = TaskForm.clean_questions

    def __init__(self, *args, teams, people, volunteers: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {str(each.pk): each for each in teams}
        self.people = {str(each.pk): each for each in people}
        self.fields["team"].choices = [("", "No team: the organisation's queue")] + [
            (key, each.name) for key, each in self.teams.items()]
        self.fields["assignee"].choices = [("", "Nobody yet")] + [
            (key, f"{each.display_name} ({each.get_role_display().lower()})") for key, each in self.people.items()]
        if not volunteers:  # a private report is never given to volunteers
            del self.fields["for_volunteers"]

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "description": data["description"],
                "team": self.teams.get(data["team"] or ""), "assignee": self.people.get(data["assignee"] or ""),
                "for_volunteers": bool(data.get("for_volunteers")), "due_date": data["due_date"],
                "priority": data["priority"], "questions": data["questions"]}


class MeetingForm(forms.Form):
    prefix = "meeting"
    series = _choice("Meeting", "Choose the meeting")
    note = _text("Note for the meeting (optional)",
                 hint="De-identified: what the meeting should know, never who. Empty: the report's description "
                      "(for a private report, only its kind)")

    def __init__(self, *args, series, **kwargs):
        super().__init__(*args, **kwargs)
        self.series = {str(each.pk): each for each in series}
        self.fields["series"].choices = [("", "Choose a meeting")] + [
            (key, each.name) for key, each in self.series.items()]


class IncidentForm(forms.Form):
    prefix = "incident"


class CommentForm(forms.Form):
    prefix = "comment"
    text = _text("Message", "Write the message", required=True,
                 hint="The resident is sent it, and for a public report everyone reads it on its page")
