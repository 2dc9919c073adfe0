"""The forms of the meeting pages: they parse and check shape (a date that is not one is a form
error, never a server error); the meetings services check who may do what."""

from datetime import date

from django import forms

from saferplace.meetings.models import ItemState, MeetingKind
from saferplace.partners.models import DataCategory, Organisation, User
from saferplace.places.models import Place
from saferplace.tasking.models import TaskPriority

ACTIONS = 3  # action rows on the decision form
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _text(label: str, *, required: bool = True, most: int = 4000, textarea: bool = False, hint: str = ""):
    return forms.CharField(label=label, required=required, max_length=most, help_text=hint,
                           widget=forms.Textarea if textarea else forms.TextInput,
                           error_messages={"required": f"Enter {label[0].lower()}{label[1:]}",
                                           "max_length": f"{label} must be {most:,} characters or fewer"})


class InRangeDate(forms.DateField):
    def __init__(self, label: str, *, not_before: date | None = None, **kwargs):
        words = f"Enter {label.lower()} as a real date, like {date.today():%Y-%m-%d}"
        self.not_before = not_before
        super().__init__(label=label, required=False, input_formats=["%Y-%m-%d"],
                         error_messages={"invalid": words}, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)

    def clean(self, value):
        found = super().clean(value)
        if found is not None and not EARLIEST <= found <= LATEST:
            raise forms.ValidationError(f"{self.label} must be between {EARLIEST.year} and {LATEST.year}")
        if found is not None and self.not_before is not None and found < self.not_before:
            raise forms.ValidationError(f"{self.label} must be today or later")
        return found


DAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"), (5, "Saturday"),
        (6, "Sunday")]


class SeriesForm(forms.Form):
    name = _text("Name", most=200, hint="Like Riverford Daily Risk Management Meeting")
    kind = forms.ChoiceField(label="Kind of meeting", choices=MeetingKind.choices, initial=MeetingKind.DAILY,
                             widget=forms.RadioSelect, error_messages={"required": "Choose the kind of meeting",
                                                                       "invalid_choice": "Choose a kind from the list"})
    place = forms.ModelChoiceField(label="Area", required=False, queryset=Place.objects.none(),
                                   empty_label="The whole partnership",
                                   help_text="Where its agenda's issues come from",
                                   error_messages={"invalid_choice": "Choose an area from the list"})
    member_organisations = forms.ModelMultipleChoiceField(
        label="Member agencies", queryset=Organisation.objects.order_by("name"), widget=forms.CheckboxSelectMultiple,
        help_text="Their people take part, read the agenda and the minutes; yours is always one",
        error_messages={"required": "Choose the agencies that are members",
                        "invalid_choice": "Choose member agencies from the list"})
    members = forms.ModelMultipleChoiceField(
        label="People invited by name", required=False, queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="From agencies that are not members, and that your organisation has a sharing agreement with",
        error_messages={"invalid_choice": "Choose people from the list"})
    weekdays = forms.TypedMultipleChoiceField(label="Days it meets", choices=DAYS, coerce=int,
                                              widget=forms.CheckboxSelectMultiple, initial=[0, 1, 2, 3, 4],
                                              error_messages={"required": "Choose the days it meets",
                                                              "invalid_choice": "Choose days from the list"})
    starts_at = forms.TimeField(label="Starts at", input_formats=["%H:%M"], initial="09:30",
                                help_text="Like 09:30", widget=forms.TimeInput(format="%H:%M"),
                                error_messages={"required": "Enter the time it starts, like 09:30",
                                                "invalid": "Enter the time it starts as hours and minutes, like 09:30"})
    minutes_long = forms.IntegerField(label="How long, in minutes", min_value=5, max_value=480, initial=30,
                                      error_messages={"required": "Enter how long it lasts, in minutes",
                                                      "invalid": "Enter how long it lasts as a whole number of minutes",
                                                      "min_value": "A meeting lasts 5 minutes or more",
                                                      "max_value": "A meeting lasts 8 hours or less"})
    video_link = forms.URLField(label="Video-call link", required=False, max_length=200, assume_scheme="https",
                                error_messages={"invalid": "Enter the video-call link as a web address, "
                                                           "like https://meet.example.org/drm"})
    active = forms.BooleanField(label="It meets: draft its agendas each morning", required=False, initial=True)

    def __init__(self, *args, places, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.fields["members"].queryset = people


class ConcernForm(forms.Form):
    title = _text("Title", most=200, hint="What and where, at street level: never a name or an exact address")
    summary = _text("What the meeting should know", required=False, textarea=True,
                    hint="De-identified: everyone at the meeting reads it")
    where = _text("Where, at street level", required=False, most=200)
    details = _text("Identifiable details", required=False, textarea=True,
                    hint="Names, exact addresses, dates of birth. Kept apart and shown only to agencies the chair "
                         "engages on the item, each with a reason, and audited")
    data_category = forms.ModelChoiceField(label="Data category of the details", required=False,
                                           queryset=DataCategory.objects.order_by("name"), empty_label="Choose one",
                                           error_messages={"invalid_choice": "Choose a data category from the list"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("details") and not cleaned.get("data_category"):
            self.add_error("data_category", "Choose the data category of the identifiable details")
        return cleaned


class AddItemForm(forms.Form):
    title = _text("Title", most=200, hint="De-identified: what and where, at street level")
    summary = _text("What it is about", required=False, textarea=True)
    where = _text("Where, at street level", required=False, most=200)


class DecisionForm(forms.Form):
    decision = _text("The decision", textarea=True)
    state = forms.ChoiceField(label="The item is now", error_messages={
        "required": "Choose what state the item is in now", "invalid_choice": "Choose a state from the list"})
    lead = forms.ModelChoiceField(label="Lead agency", required=False, queryset=Organisation.objects.none(),
                                  empty_label="None", error_messages={"invalid_choice": "Choose a lead agency from the list"})
    supporting = forms.ModelMultipleChoiceField(label="Supporting agencies", required=False,
                                                queryset=Organisation.objects.none(),
                                                widget=forms.CheckboxSelectMultiple,
                                                error_messages={"invalid_choice": "Choose supporting agencies from the list"})
    review_date = InRangeDate("Review date")
    threshold_met = forms.TypedChoiceField(
        label="Was the threshold for sharing identifiable information met?", required=False,
        choices=[("", "Not assessed"), ("yes", "Yes: acutely elevated risk, shared with the agencies engaged"),
                 ("no", "No: discussed de-identified only")],
        coerce=lambda value: {"yes": True, "no": False}.get(value), empty_value=None, widget=forms.RadioSelect)

    def __init__(self, *args, members, states: list[ItemState], places, volunteer_areas: str = "", today=None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [(state.code, state.name) for state in states]
        self.fields["lead"].queryset = members
        self.fields["supporting"].queryset = members
        for number in range(1, ACTIONS + 1):
            self.fields[f"action_{number}_title"] = _text(f"Action {number}", required=False, most=200,
                                                          hint="What is to be done (it becomes a task)")
            self.fields[f"action_{number}_organisation"] = forms.ModelChoiceField(
                label=f"Action {number}: for", required=False, queryset=members, empty_label="Choose an agency",
                error_messages={"invalid_choice": f"Choose who action {number} is for from the list"})
            self.fields[f"action_{number}_due"] = InRangeDate(f"Action {number}: due", not_before=today)
            self.fields[f"action_{number}_priority"] = forms.ChoiceField(
                label=f"Action {number}: priority", choices=TaskPriority.choices, initial=TaskPriority.NORMAL, required=False,
                error_messages={"invalid_choice": "Choose a priority from the list"})
            self.fields[f"action_{number}_volunteers"] = forms.BooleanField(
                label=f"Offer action {number} to volunteers (low-level work only: no identifiable details)",
                required=False)
            self.fields[f"action_{number}_place"] = forms.ModelChoiceField(
                label=f"Action {number}: where", required=False, queryset=places, empty_label="The item's place",
                help_text="Needed for an action offered to volunteers, when the item has no place"
                          + (f". Volunteers work in {volunteer_areas}" if volunteer_areas else ""),
                error_messages={"invalid_choice": f"Choose where action {number} is from the list"})
            self.fields[f"action_{number}_questions"] = _text(f"Action {number}: questions to answer", required=False,
                                                              textarea=True, most=3000, hint="One a line")

    def clean(self):
        cleaned = super().clean()
        for number in range(1, ACTIONS + 1):
            if cleaned.get(f"action_{number}_title") and not cleaned.get(f"action_{number}_organisation"):
                self.add_error(f"action_{number}_organisation", f"Choose who action {number} is for")
        return cleaned

    def actions(self) -> list[dict]:
        found = []
        for number in range(1, ACTIONS + 1):
            title = self.cleaned_data.get(f"action_{number}_title")
            if title:
                found.append({"title": title, "organisation": self.cleaned_data[f"action_{number}_organisation"],
                              "due_date": self.cleaned_data.get(f"action_{number}_due"),
                              "priority": self.cleaned_data.get(f"action_{number}_priority") or TaskPriority.NORMAL,
                              "for_volunteers": self.cleaned_data.get(f"action_{number}_volunteers", False),
                              "place": self.cleaned_data.get(f"action_{number}_place"),
                              "questions": tuple(line.strip() for line in
                                                 (self.cleaned_data.get(f"action_{number}_questions") or "").splitlines()
                                                 if line.strip())})
        return found
