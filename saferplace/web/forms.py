"""Forms for the staff pages. Validation of business rules lives in the services; forms only
parse and check shape."""

import hashlib

from django import forms

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


IMPORT_KINDS = {
    # importer key: (label, hint, allowed extensions, needs an owning organisation)
    "police-uk": ("police.uk street-level crime", "A street-level crime CSV exactly as published by data.police.uk", (".csv",), True),
    "police-uk-outcomes": ("police.uk outcomes", "An outcomes CSV from data.police.uk; it updates crimes already imported", (".csv",), False),
    "stats19": ("STATS19 road collisions", "The Department for Transport's collision CSV", (".csv",), True),
    "profile": ("A partner's file, with a saved mapping profile", "A CSV or XLSX file laid out as the profile describes", (".csv", ".xlsx"), False),
    "place-lookup": ("Place lookup", "An ONS LSOA → ward → community → local authority lookup CSV", (".csv",), False),
    "population": ("Population", "A population CSV by place code", (".csv",), False),
    "postcode-lookup": ("Postcode lookup", "A postcode → latitude and longitude CSV, such as the ONS Postcode Directory", (".csv",), False),
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
    importer = forms.ChoiceField(choices=[(key, label) for key, (label, *_rest) in IMPORT_KINDS.items()],
                                 label="What kind of file is it?",
                                 error_messages={"required": "Choose the kind of file",
                                                 "invalid_choice": "Choose the kind of file"})
    profile = forms.ModelChoiceField(queryset=MappingProfile.objects.none(), required=False, label="Mapping profile",
                                     empty_label="Choose a profile", help_text="For a partner's file: the profile that describes it",
                                     error_messages={"invalid_choice": "Choose one of the saved profiles"})
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False, empty_label="Choose an organisation",
                                          label="Whose records are these?",
                                          help_text="For police.uk and STATS19 files: the organisation that owns the incidents",
                                          error_messages={"invalid_choice": "Choose one of the organisations"})
    file = forms.FileField(label="Upload the file", error_messages={"required": "Select a file to import",
                                                                  "empty": "The selected file is empty"})

    def __init__(self, *args, **kwargs):
        from saferplace.incidents.importers import IMPORTERS

        super().__init__(*args, **kwargs)
        self.fields["importer"].choices = [(key, value[0]) for key, value in IMPORT_KINDS.items() if key in IMPORTERS]
        self.fields["profile"].queryset = MappingProfile.objects.order_by("name")
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")

    def clean(self):
        data = super().clean()
        importer = data.get("importer")
        if not importer:
            return data
        _label, _hint, extensions, needs_organisation = IMPORT_KINDS[importer]
        if importer == "profile" and not data.get("profile") and "profile" not in self.errors:
            self.add_error("profile", "Choose the mapping profile that describes this file")
        if needs_organisation and not data.get("organisation") and "organisation" not in self.errors:
            self.add_error("organisation", "Choose the organisation that owns these records")
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
    owning_organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Owning organisation",
                                                 empty_label="Choose an organisation",
                                                 error_messages={"required": "Choose the organisation that owns these records"})
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
        self.fields["owning_organisation"].queryset = Organisation.objects.order_by("name")
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
