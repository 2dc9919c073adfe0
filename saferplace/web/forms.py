"""Forms for the staff pages. Validation of business rules lives in the services; forms only
parse and check shape."""

import hashlib

from django import forms
from django.core import validators as django_validators

from saferplace.audit.models import AuditAction
from saferplace.incidents.models import IncidentCategory, LocationKind, MappingProfile
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


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="New role",
                             error_messages={"required": "Choose the person's new role"})
    reason = forms.CharField(max_length=500, required=False, label="Why (optional)",
                             help_text="Recorded in the audit trail, and shown to the administrator who approves it")


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(strip=False, label="Your current password", widget=forms.PasswordInput,
                                       error_messages={"required": "Enter your current password"})
    new_password = forms.CharField(strip=False, label="New password", widget=forms.PasswordInput,
                                   help_text="At least 12 characters; not a common password, not like your name",
                                   error_messages={"required": "Enter a new password"})
    new_password_again = forms.CharField(strip=False, label="New password again", widget=forms.PasswordInput,
                                         error_messages={"required": "Enter the new password again"})

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password_again") and data["new_password"] != data["new_password_again"]:
            self.add_error("new_password_again", "The two new passwords are not the same")
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="What will use the token?",
                           help_text="For example, Police RMS nightly sync",
                           error_messages={"required": "Say what will use the token"})
    scopes = forms.MultipleChoiceField(label="What it may do", widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": "Choose at least one thing the token may do"})
    days = forms.IntegerField(label="Days until it stops working", min_value=1, initial=90,
                              error_messages={"required": "Say how many days the token lasts",
                                              "invalid": "Enter a whole number of days",
                                              "min_value": "A token lasts at least 1 day"})

    def __init__(self, *args, scopes: list[tuple[str, str]], max_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = scopes
        self.fields["days"].max_value = max_days
        self.fields["days"].validators.append(django_validators.MaxValueValidator(
            max_days, message=f"A token lasts at most {max_days} days"))


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


RECORD_TYPES = [
    ("", "Any kind of record"),
    ("incidents.incident", "Incident"),
    ("incidents.importrun", "Import run"),
    ("incidents.mappingprofile", "Mapping profile"),
    ("partners.user", "Person"),
    ("partners.organisation", "Organisation"),
    ("partners.sharingagreement", "Sharing agreement"),
    ("partners.apitoken", "API token"),
]


class AuditSearchForm(forms.Form):
    text = forms.CharField(required=False, max_length=200, label="Search",
                           help_text="Username, record, reason or record number")
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AuditAction.choices])
    record_type = forms.ChoiceField(required=False, choices=RECORD_TYPES, label="Every disclosure of one record: its kind")
    record_id = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, label="Its number",
                                   help_text="For example an incident's number: finds every entry that showed or exported it",
                                   error_messages={"invalid": "Enter the record's number, like 1204",
                                                   "min_value": "Enter the record's number, like 1204",
                                                   "max_value": "Enter the record's number, like 1204"})
    date_from = forms.DateField(required=False, label="From", help_text="For example 2026-11-01",
                                error_messages={"invalid": "Enter the 'from' date like 2026-11-01"})
    date_to = forms.DateField(required=False, label="To",
                              error_messages={"invalid": "Enter the 'to' date like 2026-11-30"})

    def clean(self):
        data = super().clean()
        if bool(data.get("record_type")) != bool(data.get("record_id")) and not self.errors:
            self.add_error("record_id" if data.get("record_type") else "record_type",
                           "Give both the kind of record and its number")
        return data


IMPORT_KINDS = {
    # importer key: (label, hint, allowed extensions)
    "police-uk": ("police.uk street-level crime", "A street-level crime CSV exactly as published by data.police.uk", (".csv",)),
    "police-uk-outcomes": ("police.uk outcomes", "An outcomes CSV from data.police.uk; it updates your organisation's crimes already imported", (".csv",)),
    "stats19": ("STATS19 road collisions", "The Department for Transport's collision CSV", (".csv",)),
    "profile": ("A partner's file, with a saved mapping profile", "A CSV or XLSX file laid out as the profile describes", (".csv", ".xlsx")),
    "place-lookup": ("Place lookup", "An ONS LSOA → ward → community → local authority lookup CSV", (".csv",)),
    "population": ("Population", "A population CSV by place code", (".csv",)),
    "postcode-lookup": ("Postcode lookup", "A postcode → latitude and longitude CSV, such as the ONS Postcode Directory", (".csv",)),
}
IMPORT_UPLOAD_MAX_BYTES = 200 * 1024 * 1024
PROFILE_SAMPLE_MAX_BYTES = 20 * 1024 * 1024


def _check_upload(upload, extensions: tuple[str, ...], max_bytes: int) -> None:
    """The checks a request can make without reading the file: its name, its size, and its first
    bytes (an XLSX file is a zip archive; a CSV file is text)."""
    name = upload.name or ""
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    expected = " or ".join(extension.lstrip(".").upper() for extension in extensions)
    if suffix not in extensions:
        raise forms.ValidationError(f"The selected file must be a {expected} file")
    if upload.size == 0:
        raise forms.ValidationError("The selected file is empty")
    if upload.size > max_bytes:
        raise forms.ValidationError(f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB")
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    is_zip = head.startswith(b"PK\x03\x04")
    if suffix == ".xlsx" and not is_zip:
        raise forms.ValidationError("The selected file is not an Excel (XLSX) workbook")
    if suffix == ".csv" and (is_zip or b"\x00" in head):
        raise forms.ValidationError("The selected file is not a CSV file: it is not plain text")


class ImportUploadForm(forms.Form):
    """The records a file brings in always belong to the uploader's own organisation: there is
    no choice of owner."""

    importer = forms.ChoiceField(label="What kind of file is it?",
                                 error_messages={"required": "Choose the kind of file",
                                                 "invalid_choice": "Choose the kind of file"})
    profile = forms.ModelChoiceField(queryset=MappingProfile.objects.none(), required=False, label="Mapping profile",
                                     empty_label="Choose a profile", help_text="For a partner's file: the profile that describes it",
                                     error_messages={"invalid_choice": "Choose one of your organisation's saved profiles"})
    file = forms.FileField(label="Upload the file", error_messages={"required": "Select a file to import",
                                                                  "empty": "The selected file is empty"})

    def __init__(self, *args, kinds: dict, profiles, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["importer"].choices = [(key, value[0]) for key, value in kinds.items()]
        self.fields["profile"].queryset = profiles

    def clean(self):
        data = super().clean()
        importer = data.get("importer")
        if not importer:
            return data
        extensions = self.kinds[importer][2]
        if importer == "profile" and not data.get("profile") and "profile" not in self.errors:
            self.add_error("profile", "Choose the mapping profile that describes this file")
        upload = data.get("file")
        if upload is not None:
            try:
                _check_upload(upload, extensions, IMPORT_UPLOAD_MAX_BYTES)
            except forms.ValidationError as error:
                self.add_error("file", error)
        return data


class ProfileSampleForm(forms.Form):
    sample = forms.FileField(label="Upload a sample file",
                             help_text="A CSV or XLSX file from the partner, with a header row. Only its first rows are shown.",
                             error_messages={"required": "Select a sample file", "empty": "The selected file is empty"})

    def clean_sample(self):
        upload = self.cleaned_data["sample"]
        _check_upload(upload, (".csv", ".xlsx"), PROFILE_SAMPLE_MAX_BYTES)
        return upload


class ProfileForm(forms.Form):
    """The settings of a mapping profile. Column choices come from the sample file's header; the
    category map has one field per partner category seen in the sample (see `map_fields`)."""

    # name and source are checked by the service (with the other fields, so every problem is named at once)
    name = forms.CharField(max_length=60, help_text="Lower-case letters, numbers and hyphens. Used on the command line: saferplace import profile NAME FILE",
                           error_messages={"required": "Enter a name for the profile"})
    description = forms.CharField(max_length=300, required=False, label="Description (optional)")
    data_category = forms.ModelChoiceField(queryset=DataCategory.objects.none(), label="Data category",
                                           empty_label="Choose a data category",
                                           help_text="Decides who may see the incidents, through the sharing agreements",
                                           error_messages={"required": "Choose the data category"})
    source = forms.CharField(max_length=60, label="Source name", help_text="The dataset the incidents are filed under, for example fire-incidents",
                             error_messages={"required": "Enter the source name"})
    date_column = forms.ChoiceField(label="Date column", error_messages={"required": "Choose the date column"})
    date_format = forms.CharField(max_length=40, label="Date format",
                                  help_text="For example %d/%m/%Y for 31/01/2026, %Y-%m-%d for 2026-01-31, %Y-%m for a month",
                                  error_messages={"required": "Enter the date format"})
    category_column = forms.ChoiceField(label="Category column", error_messages={"required": "Choose the category column"})
    location_kind = forms.ChoiceField(choices=LocationKind.choices, label="Where did it happen?",
                                      error_messages={"required": "Choose how the rows give their location"})
    latitude_column = forms.ChoiceField(required=False, label="Latitude column")
    longitude_column = forms.ChoiceField(required=False, label="Longitude column")
    postcode_column = forms.ChoiceField(required=False, label="Postcode column")
    lsoa_column = forms.ChoiceField(required=False, label="LSOA code column")
    external_id_column = forms.ChoiceField(required=False, label="Reference column (optional)",
                                           help_text="The partner's own reference for each record")
    outcome_column = forms.ChoiceField(required=False, label="Outcome column (optional)")
    description_column = forms.ChoiceField(required=False, label="Location description column (optional)")
    default_category = forms.ModelChoiceField(queryset=IncidentCategory.objects.none(), required=False,
                                              label="Default category",
                                              empty_label="No default: reject rows with any other category",
                                              help_text="For categories that are not in the sample, and so not in the map above")

    REJECT_CHOICE = "reject"

    def __init__(self, *args, header: list[str], category_values: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_category"].queryset = DataCategory.objects.order_by("name")
        categories = list(IncidentCategory.objects.order_by("group", "name"))
        self.fields["default_category"].queryset = IncidentCategory.objects.order_by("group", "name")
        self.fields["default_category"].to_field_name = "code"
        columns = [(column, column) for column in header]
        for name in ("date_column", "category_column"):
            self.fields[name].choices = [("", "Choose a column"), *columns]
        for name in ("latitude_column", "longitude_column", "postcode_column", "lsoa_column",
                     "external_id_column", "outcome_column", "description_column"):
            self.fields[name].choices = [("", "None"), *columns]
        self.category_values = category_values
        map_choices = [(self.REJECT_CHOICE, "Reject rows with this value"),
                       *[(category.code, f"{category.name} ({category.get_group_display()})") for category in categories]]
        self.map_names: dict[str, str] = {}
        for value in category_values:
            name = "map-" + hashlib.sha256(value.encode()).hexdigest()[:12]
            self.map_names[name] = value
            self.fields[name] = forms.ChoiceField(choices=map_choices, label=value,
                                                  error_messages={"required": f"Choose a category for “{value}”",
                                                                  "invalid_choice": f"Choose a category for “{value}”"})

    def map_fields(self):
        return [self[name] for name in self.map_names]

    def category_map(self) -> dict[str, str]:
        """{partner's category: taxonomy code, or "" to reject}, from the cleaned map fields."""
        result = {}
        for name, value in self.map_names.items():
            chosen = self.cleaned_data.get(name, self.REJECT_CHOICE)
            result[value] = "" if chosen == self.REJECT_CHOICE else chosen
        return result
