"""The forms of the harm weights and priority pages: they parse and check shape (a number that
is not one, or not finite, is a form error, never a server error); the services check the rest."""

from django import forms

from saferplace.analysis.harm import LARGEST_FILE
from saferplace.analysis.models import HarmTableKind, RepeatSubject
from saferplace.analysis.priority import WORDS
from saferplace.incidents.services import HARM_LIMIT

REASON_HINT = "It is kept with the change, in the history and the audit trail"
LEVELS = [(level, f"{level}: {word}") for level, word in enumerate(WORDS)]
LEVEL_FIELDS = {
    "physical": "Physical harm", "psychological": "Psychological harm", "community": "Harm to the community",
    "financial": "Financial harm", "vulnerability": "Vulnerability of those affected",
    "capacity": "The partnership's capacity and opportunity to act",
}


def _reason() -> forms.CharField:
    return forms.CharField(label="Why it changes", widget=forms.Textarea, max_length=2000, help_text=REASON_HINT,
                           error_messages={"required": "Say why it changes",
                                           "max_length": "The reason must be 2,000 characters or fewer"})


def _weight(label: str, highest: float, hint: str) -> forms.FloatField:
    words = f"Enter the weight as a number from 0 to {highest:,.0f}, like 2.5"
    return forms.FloatField(label=label, min_value=0, max_value=highest, help_text=hint,
                            error_messages={"required": "Enter the weight", "invalid": words,
                                            "min_value": words, "max_value": words})


class HarmWeightForm(forms.Form):
    weight = _weight("Harm weight", HARM_LIMIT,
                     "On the crime weights' scale (days of custody): what one incident counts for")
    reason = _reason()


class PriorityWeightForm(forms.Form):
    weight = _weight("Weight", 1000, "How much this dimension counts against the others, like 2")
    reason = _reason()


class CategoryRiskForm(forms.Form):
    reason = _reason()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        levels = {name: forms.TypedChoiceField(label=label, choices=LEVELS, coerce=int,
                                               error_messages={"required": f"Choose a level for {label.lower()}",
                                                               "invalid_choice": f"Choose a level for {label.lower()} "
                                                                                 "from 0 to 4"})
                  for name, label in LEVEL_FIELDS.items()}
        self.fields = {**levels, "reason": self.fields["reason"]}


class RepeatRuleForm(forms.Form):
    subject = forms.ChoiceField(label="What repeats", choices=RepeatSubject.choices, initial=RepeatSubject.PLACE,
                                error_messages={"required": "Choose whether the rule is about places or people",
                                                "invalid_choice": "Choose whether the rule is about places or people"})
    times = forms.IntegerField(label="Number of incidents", min_value=2, max_value=1000,
                               help_text="At the same place or to the same person, at least; 2 or more",
                               error_messages={"required": "Enter the number of incidents",
                                               "invalid": "Enter the number of incidents as a whole number, like 3",
                                               "min_value": "A repeat is 2 incidents or more",
                                               "max_value": "Enter a number of incidents up to 1,000"})
    days = forms.IntegerField(label="Within how many days", min_value=1, max_value=366,
                              help_text="From 1 to 366, like 28",
                              error_messages={"required": "Enter the number of days",
                                              "invalid": "Enter the number of days as a whole number, like 28",
                                              "min_value": "Enter a number of days from 1 to 366",
                                              "max_value": "Enter a number of days from 1 to 366"})
    category = forms.ChoiceField(label="Category", required=False,
                                 error_messages={"invalid_choice": "Choose a category from the list"})
    description = forms.CharField(label="Description (optional)", required=False, max_length=200,
                                  error_messages={"max_length": "The description must be 200 characters or fewer"})
    reason = _reason()

    def __init__(self, *args, categories: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Any category"), *categories]


class ReasonForm(forms.Form):
    reason = _reason()


class HarmTableForm(forms.Form):
    kind = forms.ChoiceField(label="What kind of table is it?", choices=HarmTableKind.choices,
                             error_messages={"required": "Choose the kind of table",
                                             "invalid_choice": "Choose the kind of table"})
    name = forms.CharField(label="Name", max_length=120, help_text="Unique, like CSS 2024",
                           error_messages={"required": "Give the table a name",
                                           "max_length": "The name must be 120 characters or fewer"})
    source = forms.CharField(label="Where it was published (optional)", required=False, widget=forms.Textarea,
                             max_length=2000, help_text="Title, edition and address",
                             error_messages={"max_length": "The source must be 2,000 characters or fewer"})
    illustrative = forms.BooleanField(label="These are made-up values for a demonstration, not a publication's",
                                      required=False)
    file = forms.FileField(label="Upload the table", error_messages={"required": "Select a CSV file",
                                                                     "empty": "The selected file is empty"})

    def clean_file(self):
        """The checks made before the file is read: its size first, then its name."""
        upload = self.cleaned_data["file"]
        if upload.size > LARGEST_FILE:
            raise forms.ValidationError(f"The selected file is {upload.size / 1024 / 1024:.1f} MB: a harm table must "
                                        f"be {LARGEST_FILE // (1024 * 1024)} MB or smaller")
        if not (upload.name or "").lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV file")
        return upload


class HarmDeriveForm(forms.Form):
    weights = forms.ChoiceField(label="Table of offence weights",
                                error_messages={"required": "Choose a table of weights",
                                                "invalid_choice": "Choose a table of weights from the list"})
    mapping = forms.ChoiceField(label="Offence mapping",
                                error_messages={"required": "Choose an offence mapping",
                                                "invalid_choice": "Choose an offence mapping from the list"})

    def __init__(self, *args, weights: list[str], mappings: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weights"].choices = [(name, name) for name in weights]
        self.fields["mapping"].choices = [(name, name) for name in mappings]
