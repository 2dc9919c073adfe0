"""The forms of the tasks' pages: they parse and check shape (a date or a number that is not one,
an unknown choice: a form error naming the field, never a server error); the services check the
rest, and their refusals land on the field they concern."""

import math
from datetime import date

from django import forms

from saferplace.tasking.models import TaskPriority
from saferplace.tasking.photos import LARGEST_BYTES
from saferplace.tasking.services import ANSWER_LENGTH, QUESTIONS_MOST, TEXT_LENGTH, TITLE_LENGTH

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _text(label: str, required_message: str, *, length: int = TEXT_LENGTH, hint: str = "",
          required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea, max_length=length, required=required, help_text=hint,
                           error_messages={"required": required_message,
                                           "max_length": f"{label} must be {length:,} characters or fewer"})


class DeclineForm(forms.Form):
    prefix = "decline"
    reason = _text("Why you are declining it", "Say why you are declining the task",
                   hint="Whoever assigns your organisation's tasks, and your team's lead, will read it")


class CancelForm(forms.Form):
    prefix = "cancel"
    reason = _text("Why it is cancelled", "Say why the task is cancelled")


class NoteForm(forms.Form):
    prefix = "note"
    text = _text("Note", "Write the note", hint="What you found, what happens next. Never a name or an address.")


class PhotoForm(forms.Form):
    prefix = "photo"
    photo = forms.FileField(label="Photo", help_text=f"A JPEG, PNG or WebP image, up to {LARGEST_BYTES // 2**20} MB. "
                                                     "Where and when it was taken is removed from it.",
                            error_messages={"required": "Choose a photo to add", "empty": "The photo is empty: choose it again",
                                            "invalid": "Choose a photo to add"})


class AnswersForm(forms.Form):
    """The task's questions (one field each, named by its position), and the outcome when completing."""

    prefix = "answers"
    outcome = _text("Outcome", "Say what was done: the outcome", required=False,
                    hint="What was done and found; needed to complete the task")

    def __init__(self, *args, questions: list[str], answers: dict | None = None, completing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        fields = {}
        for number, question in enumerate(questions, start=1):
            fields[f"q{number}"] = forms.CharField(
                label=question, required=False, max_length=ANSWER_LENGTH, widget=forms.Textarea,
                initial=(answers or {}).get(question, ""),
                error_messages={"max_length": f"The answer to question {number} must be {ANSWER_LENGTH:,} "
                                              "characters or fewer"})
        self.fields = {**fields, "outcome": self.fields["outcome"]}
        self.completing = completing

    def clean(self):
        data = super().clean()
        if self.completing:
            if not (data.get("outcome") or "").strip() and "outcome" not in self.errors:
                self.add_error("outcome", "Say what was done: the outcome")
            for number, _ in enumerate(self.questions, start=1):
                name = f"q{number}"
                if name not in self.errors and not (data.get(name) or "").strip():
                    self.add_error(name, f"Answer question {number} before completing the task")
        return data

    def answers(self) -> dict[str, str]:
        return {question: self.cleaned_data.get(f"q{number}", "")
                for number, question in enumerate(self.questions, start=1)}


class ReassignForm(forms.Form):
    prefix = "reassign"
    assignee = forms.ChoiceField(label="Person", required=False,
                                 error_messages={"invalid_choice": "Choose a person from the list"})
    team = forms.ChoiceField(label="Team", required=False, error_messages={"invalid_choice": "Choose a team from the list"})
    note = _text("Note (optional)", "", required=False, hint="Why it moves, for the timeline")

    def __init__(self, *args, people: list, teams: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in people}
        self.teams = {str(team.pk): team for team in teams}
        self.fields["assignee"].choices = [("", "Nobody: the queue")] + [
            (key, person.display_name) for key, person in self.people.items()]
        self.fields["team"].choices = [("", "Their own team, or none")] + [
            (key, team.name) for key, team in self.teams.items()]


class TaskForm(forms.Form):
    title = forms.CharField(label="What is to be done", max_length=TITLE_LENGTH,
                            help_text="A short title, like 'Check the underpass for rough sleeping'",
                            error_messages={"required": "Enter what is to be done",
                                            "max_length": f"What is to be done must be {TITLE_LENGTH} characters or fewer"})
    description = _text("Details (optional)", "", required=False,
                        hint="De-identified: what to do and look for, never who. Volunteers read it.")
    organisation = forms.ChoiceField(label="Organisation", error_messages={
        "required": "Choose the organisation asked to do it", "invalid_choice": "Choose an organisation from the list"})
    team = forms.ChoiceField(label="Team (optional)", required=False,
                             error_messages={"invalid_choice": "Choose a team from the list"})
    assignee = forms.ChoiceField(label="Person (optional)", required=False,
                                 error_messages={"invalid_choice": "Choose a person from the list"})
    for_volunteers = forms.BooleanField(label="Offer it to the volunteers working in the place", required=False)
    place = forms.ChoiceField(label="Place (optional; needed for volunteers)", required=False,
                              error_messages={"invalid_choice": "Choose a place from the list"})
    where = forms.CharField(label="Where (optional)", max_length=200, required=False,
                            help_text="At street level, like 'Underpass by Bridge Street'; never a house number",
                            error_messages={"max_length": "Where must be 200 characters or fewer"})
    latitude = forms.FloatField(label="Latitude (optional)", required=False, min_value=-90, max_value=90,
                                help_text="For the map, like 52.4501",
                                error_messages={"invalid": "Enter the latitude as a number, like 52.4501",
                                                "min_value": "The latitude must be from -90 to 90",
                                                "max_value": "The latitude must be from -90 to 90"})
    longitude = forms.FloatField(label="Longitude (optional)", required=False, min_value=-180, max_value=180,
                                 help_text="Like -0.9512",
                                 error_messages={"invalid": "Enter the longitude as a number, like -0.9512",
                                                 "min_value": "The longitude must be from -180 to 180",
                                                 "max_value": "The longitude must be from -180 to 180"})
    priority = forms.ChoiceField(label="Priority", choices=TaskPriority.choices, initial=TaskPriority.NORMAL,
                                 error_messages={"required": "Choose the priority",
                                                 "invalid_choice": "Choose a priority from the list"})
    due_date = forms.DateField(label="Due date (optional)", required=False, help_text="For example 2026-12-01",
                               input_formats=["%Y-%m-%d"],
                               error_messages={"invalid": "Enter the due date as a real date, like 2026-12-01"})
    questions = _text("Questions (optional)", "", required=False, length=QUESTIONS_MOST * 310,
                      hint=f"One a line, up to {QUESTIONS_MOST}: what the person must find out, "
                           "like 'Is anyone sleeping there?'")

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.organisations = {str(each.pk): each for each in choices.organisations}
        self.teams = {str(each.pk): each for each in choices.teams}
        self.people = {str(each.pk): each for each in choices.people}
        self.places = {str(each.pk): each for each in choices.places}
        self.fields["organisation"].choices = [("", "Choose an organisation")] + [
            (key, each.name) for key, each in self.organisations.items()]
        self.fields["team"].choices = [("", "No team: the organisation's queue")] + [
            (key, f"{each.name} ({each.organisation.name})") for key, each in self.teams.items()]
        self.fields["assignee"].choices = [("", "Nobody yet")] + [
            (key, f"{each.display_name} ({each.organisation.name}, {each.get_role_display().lower()})")
            for key, each in self.people.items()]
        self.fields["place"].choices = [("", "No place")] + [
            (key, f"{each.name} ({each.get_kind_display().lower()})") for key, each in self.places.items()]

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        if due is not None and not EARLIEST <= due <= LATEST:
            raise forms.ValidationError("Enter a due date from 2000 to 2100")
        return due

    def clean_latitude(self):
        return self._finite("latitude")

    def clean_longitude(self):
        return self._finite("longitude")

    def _finite(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not math.isfinite(value):
            raise forms.ValidationError(f"Enter the {name} as a number, like 52.4501")
        return value

    def clean_questions(self):
        lines = [line.strip() for line in (self.cleaned_data.get("questions") or "").splitlines() if line.strip()]
        if len(lines) > QUESTIONS_MOST:
            raise forms.ValidationError(f"Ask at most {QUESTIONS_MOST} questions, one a line")
        if any(len(line) > 300 for line in lines):
            raise forms.ValidationError("Each question must be 300 characters or fewer")
        if len(set(lines)) != len(lines):
            raise forms.ValidationError("Each question must be different")
        return lines

    def clean(self):
        data = super().clean()
        organisation = self.organisations.get(data.get("organisation") or "")
        team = self.teams.get(data.get("team") or "")
        person = self.people.get(data.get("assignee") or "")
        if organisation is not None and team is not None and team.organisation_id != organisation.pk:
            self.add_error("team", f"{team.name} is not a team of {organisation.name}: choose one of its teams")
        if organisation is not None and person is not None and person.organisation_id != organisation.pk:
            self.add_error("assignee", f"{person.display_name} does not work for {organisation.name}: "
                                       "choose someone who does")
        if data.get("for_volunteers") and not data.get("place"):
            self.add_error("place", "Choose the place whose volunteers are offered the task")
        has_latitude, has_longitude = data.get("latitude") is not None, data.get("longitude") is not None
        if has_latitude and not has_longitude and "longitude" not in self.errors:
            self.add_error("longitude", "Enter the longitude too, or neither")
        if has_longitude and not has_latitude and "latitude" not in self.errors:
            self.add_error("latitude", "Enter the latitude too, or neither")
        return data

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"], "description": data["description"],
            "organisation": self.organisations[data["organisation"]],
            "team": self.teams.get(data["team"] or ""), "assignee": self.people.get(data["assignee"] or ""),
            "for_volunteers": data["for_volunteers"], "place": self.places.get(data["place"] or ""),
            "where": data["where"], "latitude": data["latitude"], "longitude": data["longitude"],
            "priority": data["priority"], "due_date": data["due_date"], "questions": data["questions"],
        }
