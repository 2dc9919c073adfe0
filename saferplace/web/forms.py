"""Forms for the staff pages. Validation of business rules lives in the services; forms only
parse and check shape."""

from django import forms

from saferplace.audit.models import AuditAction
from saferplace.partners.models import (
    AgreementStatus,
    DataCategory,
    LawfulBasis,
    Organisation,
    OrganisationKind,
    Role,
    Team,
)


class SignInForm(forms.Form):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter your username"})
    password = forms.CharField(strip=False, error_messages={"required": "Enter your password"})


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="Code from your authenticator app",
        regex=r"^\s*\d{6}\s*$",
        help_text="The 6-digit code, for example 123456",
        error_messages={"required": "Enter the 6-digit code", "invalid": "The code must be 6 digits"},
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the organisation's name"})
    short_name = forms.CharField(max_length=40, required=False, help_text="Optional, for example PCC")
    kind = forms.ChoiceField(choices=OrganisationKind.choices, label="Kind of organisation",
                             error_messages={"required": "Choose the kind of organisation"})


class UserForm(forms.Form):
    first_name = forms.CharField(max_length=150, error_messages={"required": "Enter the person's first name"})
    last_name = forms.CharField(max_length=150, error_messages={"required": "Enter the person's last name"})
    email = forms.EmailField(help_text="Their work email; used to match an OpenID Connect sign-in",
                             error_messages={"required": "Enter the person's work email address",
                                             "invalid": "Enter an email address like name@example.org"})
    username = forms.RegexField(regex=r"^[A-Za-z0-9.@+_-]+$", max_length=150,
                                help_text="Letters, numbers and . @ + - _ only, for example jo.bloggs",
                                error_messages={"required": "Enter a username",
                                                "invalid": "Use only letters, numbers and . @ + - _ in the username"})
    job_title = forms.CharField(max_length=200, required=False)
    role = forms.ChoiceField(choices=Role.choices, error_messages={"required": "Choose the person's role"})
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="No team")

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation)


class AgreementForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    reference = forms.CharField(max_length=50, help_text="For example ISA-2026-01",
                                error_messages={"required": "Enter a reference"})
    purpose = forms.CharField(widget=forms.Textarea, help_text="Why the parties share this information",
                              error_messages={"required": "Enter the purpose of the agreement"})
    lawful_basis = forms.ChoiceField(choices=LawfulBasis.choices, label="Lawful basis",
                                     error_messages={"required": "Choose the lawful basis"})
    parties = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.all(), error_messages={"required": "Choose at least two parties"}
    )
    data_categories = forms.ModelMultipleChoiceField(
        queryset=DataCategory.objects.all(), label="Data categories covered",
        error_messages={"required": "Choose at least one data category"},
    )
    start_date = forms.DateField(help_text="For example 2026-04-01",
                                 error_messages={"required": "Enter the start date",
                                                 "invalid": "Enter the start date as a real date, like 2026-04-01"})
    end_date = forms.DateField(required=False, help_text="Leave blank for an agreement with no end date",
                               error_messages={"invalid": "Enter the end date as a real date, like 2027-03-31"})
    status = forms.ChoiceField(choices=AgreementStatus.choices,
                               error_messages={"required": "Choose the agreement's status"})


class AuditSearchForm(forms.Form):
    text = forms.CharField(required=False, label="Search", help_text="Username, record, reason or record number")
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AuditAction.choices])
    date_from = forms.DateField(required=False, label="From", help_text="For example 2026-11-01",
                                error_messages={"invalid": "Enter the 'from' date like 2026-11-01"})
    date_to = forms.DateField(required=False, label="To",
                              error_messages={"invalid": "Enter the 'to' date like 2026-11-30"})


class IncidentFilterForm(forms.Form):
    source = forms.ChoiceField(required=False)
    category = forms.ChoiceField(required=False)
    place = forms.CharField(required=False, label="Place code", help_text="An LSOA, ward or community code")
    date_from = forms.DateField(required=False, label="From",
                                error_messages={"invalid": "Enter the 'from' date like 2026-01-01"})
    date_to = forms.DateField(required=False, label="To",
                              error_messages={"invalid": "Enter the 'to' date like 2026-12-31"})

    def __init__(self, *args, options: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "Any source"), *[(s, s) for s in options["sources"]]]
        self.fields["category"].choices = [("", "Any category"), *[(c, c) for c in options["categories"]]]
