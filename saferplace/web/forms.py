"""Forms for the staff pages. Validation of business rules lives in the services; forms only
parse and check shape."""

import hashlib

from django import forms
from django.core import validators as django_validators

from saferplace.audit.models import AuditAction
from saferplace.incidents.importers import Importer
from saferplace.incidents.importers.date_formats import FORMATS as DATE_FORMATS
from saferplace.incidents.importers.options import ImporterOption
from saferplace.incidents.models import IncidentCategory, LocationKind, MappingProfile
from saferplace.partners.models import (
    AgreementStatus,
    DataCategory,
    LawfulBasis,
    Organisation,
    OrganisationKind,
    Role,
    SpecialCategoryCondition,
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
    status = forms.ChoiceField(choices=[(status.value, status.label) for status in (AgreementStatus.DRAFT,
                                                                                     AgreementStatus.ACTIVE)],
                               help_text="Suspend, resume or end an agreement from its page, giving the reason",
                               error_messages={"required": "Choose the agreement's status",
                                               "invalid_choice": "Choose draft or active"})
    review_date = forms.DateField(required=False, label="Review date (optional)",
                                  help_text="When the parties next review it, for example 2027-03-31",
                                  error_messages={"invalid": "Enter the review date as a real date, like 2027-03-31"})
    dpia_reference = forms.CharField(required=False, max_length=100, label="DPIA reference (optional)",
                                     help_text="The data protection impact assessment, for example DPIA-2026-04")
    document_url = forms.CharField(required=False, max_length=500, label="Link to the signed agreement (optional)",
                                   help_text="Its full address, starting https://")
    special_category_condition = forms.ChoiceField(
        required=False, choices=SpecialCategoryCondition.choices,
        label="Condition for special category data (UK GDPR Article 9 and DPA 2018 Schedule 1)",
        help_text="Needed when the agreement covers a special category, such as safeguarding or health",
        error_messages={"invalid_choice": "Choose a condition from the list"},
    )

    def __init__(self, *args, current_status: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if current_status in (AgreementStatus.SUSPENDED, AgreementStatus.ENDED):
            # Only its page resumes a suspended agreement; an ended one stays ended.
            self.fields["status"].choices = [(current_status, AgreementStatus(current_status).label)]
            self.fields["status"].help_text = (
                "Resume it from its page, giving the reason" if current_status == AgreementStatus.SUSPENDED
                else "An ended agreement stays ended: propose a new agreement to share again"
            )


class AgreementReasonForm(forms.Form):
    """Suspending, resuming or ending an agreement: the reason (the service says when it is missing)."""

    reason = forms.CharField(required=False, widget=forms.Textarea, label="Reason",
                             help_text="The parties and the audit trail will see it")


class AgreementEndForm(AgreementReasonForm):
    end_date = forms.DateField(required=False, label="Date it ended (optional)",
                               help_text="Leave blank for today, or give an earlier date, like 2026-03-31",
                               error_messages={"invalid": "Enter the date it ended as a real date, like 2026-03-31"})


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
    no choice of owner. Everything about the kinds of file — the choices, their hints, the
    extensions each accepts (and the file input's `accept`), and each importer's options — comes
    from the importers' declarations (`Importer`, saferplace/incidents/importers/options.py)."""

    importer = forms.ChoiceField(label="What kind of file is it?",
                                 error_messages={"required": "Choose the kind of file",
                                                 "invalid_choice": "Choose the kind of file"})
    profile = forms.ModelChoiceField(queryset=MappingProfile.objects.none(), required=False, label="Mapping profile",
                                     empty_label="Choose a profile", help_text="For a partner's file: the profile that describes it",
                                     error_messages={"invalid_choice": "Choose one of your organisation's saved profiles"})
    file = forms.FileField(label="Upload the file", error_messages={"required": "Select a file to import",
                                                                  "empty": "The selected file is empty"})

    def __init__(self, *args, importers: dict[str, Importer], profiles, **kwargs):
        super().__init__(*args, **kwargs)
        self.importers = importers
        self.fields["importer"].choices = [(name, importer.label) for name, importer in importers.items()]
        self.fields["profile"].queryset = profiles
        for importer in importers.values():
            for option in web_options(importer):
                self.fields[option_field_name(importer, option)] = _option_field(option)
        extensions = [extension for importer in importers.values() for extension in importer.extensions]
        self.accept = ",".join(dict.fromkeys(extensions))

    @property
    def needs_profile(self) -> bool:
        return any(importer.needs_profile for importer in self.importers.values())

    def option_fields(self, importer: Importer) -> list:
        """The bound fields of an importer's options."""
        return [self[option_field_name(importer, option)] for option in web_options(importer)]

    def options_given(self, importer: Importer) -> bool:
        """Whether any of the importer's options has a value or a problem (its options are shown open)."""
        return any(field.errors or field.value() not in (None, "") for field in self.option_fields(importer))

    def clean(self):
        data = super().clean()
        name = data.get("importer")
        if not name:
            return data
        importer = self.importers[name]
        if importer.needs_profile and not data.get("profile") and "profile" not in self.errors:
            self.add_error("profile", "Choose the mapping profile that describes this file")
        data["options"] = {}
        for option in web_options(importer):
            field_name = option_field_name(importer, option)
            value = data.get(field_name)
            if value not in (None, ""):
                data["options"][option.name] = value
            elif option.required and field_name not in self.errors:
                self.add_error(field_name, f"Enter the {option.label.lower()}")
        upload = data.get("file")
        if upload is not None:
            try:
                _check_upload(upload, importer.extensions, IMPORT_UPLOAD_MAX_BYTES)
            except forms.ValidationError as error:
                self.add_error("file", error)
        return data


def web_options(importer: Importer) -> list[ImporterOption]:
    """The options a person gives on the web: not the organisation (always their own) nor the
    profile (chosen from their organisation's)."""
    return [option for option in importer.options if option.on_the_web and not option.for_operator]


def option_field_name(importer: Importer, option: ImporterOption) -> str:
    return f"{importer.name}-{option.name}"


def _option_field(option: ImporterOption) -> forms.Field:
    label = f"{option.label}{'' if option.required else ' (optional)'}"
    help_text = option.help[:1].upper() + option.help[1:]
    if option.choices:
        return forms.ChoiceField(required=False, label=label, help_text=help_text,
                                 choices=[("", "Choose one"), *((choice, choice) for choice in option.choices)])
    if option.type is int:
        return forms.IntegerField(required=False, label=label, help_text=help_text,
                                  error_messages={"invalid": f"Enter a whole number for the {option.label.lower()}"})
    return forms.CharField(required=False, max_length=200, label=label, help_text=help_text)


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
    date_format = forms.ChoiceField(label="How are the dates written?",
                                    error_messages={"required": "Choose how the dates are written",
                                                    "invalid_choice": "Choose one of the ways of writing dates shown"})
    time_column = forms.ChoiceField(required=False, label="Time column (optional)",
                                    help_text="If the time of day is in a column of its own, like 23:15, 11:15 pm or 2315. "
                                              "It is read instead of a time written after the date.",
                                    error_messages={"invalid_choice": "Choose one of the sample's columns, or none"})
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
    person_column = forms.ChoiceField(
        required=False, label="Person reference column (optional)",
        help_text="Your reference for the person each record happened to, so that repeat victims can be found. "
                  "It is never stored as written: only a pseudonym that cannot be turned back into it.")
    default_category = forms.ModelChoiceField(queryset=IncidentCategory.objects.none(), required=False,
                                              label="Default category",
                                              empty_label="No default: reject rows with any other category",
                                              help_text="For categories that are not in the sample, and so not in the map above")

    REJECT_CHOICE = "reject"

    def __init__(self, *args, header: list[str], category_values: list[str], data_categories,
                 date_formats: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The ways of writing dates, in words (incidents.profiles.date_format_options); stored as a pattern.
        self.fields["date_format"].choices = date_formats or [(each.code, each.label) for each in DATE_FORMATS]
        self.fields["data_category"].queryset = data_categories  # those the viewer's role may read
        categories = list(IncidentCategory.objects.order_by("group", "name"))
        self.fields["default_category"].queryset = IncidentCategory.objects.order_by("group", "name")
        self.fields["default_category"].to_field_name = "code"
        columns = [(column, column) for column in header]
        for name in ("date_column", "category_column"):
            self.fields[name].choices = [("", "Choose a column"), *columns]
        for name in ("time_column", "latitude_column", "longitude_column", "postcode_column", "lsoa_column",
                     "external_id_column", "outcome_column", "description_column", "person_column"):
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
