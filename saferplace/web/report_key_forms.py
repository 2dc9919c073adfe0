"""The form for issuing an Open311 client key: its shape checked here (a number that is not one,
an unknown organisation: a form error), the rest by `saferplace.reports.keys`."""

from django import forms

from saferplace.partners.models import Organisation
from saferplace.reports.keys import NAME_MOST, PER_MINUTE_MOST


class KeyForm(forms.Form):
    name = forms.CharField(label="Client application", max_length=NAME_MOST,
                           help_text="What will use the key, e.g. 'Riverford Reports app for iPhone'",
                           error_messages={"required": "Name the client application the key is for",
                                           "max_length": f"The name must be {NAME_MOST} characters or fewer",
                                           "null_characters_not_allowed": "The name cannot contain a NUL character"})
    organisation = forms.ModelChoiceField(
        label="Partner (optional)", queryset=Organisation.objects.order_by("name"), required=False,
        empty_label="None: a residents' app (posts reports and residents' comments)",
        help_text="A partner's back-office system may also move that partner's reports through their states",
        error_messages={"invalid_choice": "Choose a partner from the list"})
    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        if not viewer.is_operator:  # an administrator issues a partner's key for their own organisation only
            self.fields["organisation"].queryset = Organisation.objects.filter(pk=viewer.organisation_id)

    per_minute = forms.IntegerField(label="Requests a minute", initial=600, min_value=1, max_value=PER_MINUTE_MOST,
                                    error_messages={"required": "Say how many requests a minute the key may make",
                                                    "invalid": "Requests a minute must be a whole number",
                                                    "min_value": "Requests a minute: at least 1",
                                                    "max_value": f"Requests a minute: at most {PER_MINUTE_MOST:,}"})
