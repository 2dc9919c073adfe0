"""The forms of the public "report a problem" journey and a public report's page. They parse and
check shape (a number or a date that is not one, a choice not offered, too many photos: a form
error on the field, never a server error); `report_create` checks everything again when the
report is sent, and its refusals land on the check-your-answers page."""

import math
import re
from datetime import datetime

from django import forms
from django.utils import timezone

from saferplace.reports.attributes import NUMBER_MOST, STRING_MOST, TEXT_MOST
from saferplace.reports.models import AttributeType, Service
from saferplace.reports.routing import point_checked
from saferplace.reports.services import (
    ADDRESS_MOST,
    DESCRIPTION_MOST,
    MESSAGE_MOST,
    NAME_MOST,
    PHONE_MOST,
    PHOTOS_MOST,
)
from saferplace.tasking.photos import LARGEST_BYTES, photo_clean

WHERE_NEEDED = "Choose where the problem is: tap the map, use your location, or search for a street or postcode"
TIME = re.compile(r"^(\d{1,2})[:.](\d{2})\s*(am|pm)?$", re.IGNORECASE)
PHONE = re.compile(r"^[0-9+() .-]*$")
YEARS = (1900, 2100)


class WhereForm(forms.Form):
    """The point (hidden fields the map, the resident's location or a search result fill in) and,
    optionally, where it is in the resident's own words."""

    latitude = forms.CharField(widget=forms.HiddenInput, required=False)
    longitude = forms.CharField(widget=forms.HiddenInput, required=False)
    address = forms.CharField(label="Describe where it is (optional)", required=False, max_length=ADDRESS_MOST,
                              help_text="For example, behind the shops by the garages",
                              error_messages={"max_length": f"Describe where it is in {ADDRESS_MOST} characters or fewer"})

    def __init__(self, *args, in_area, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_area = in_area  # (latitude, longitude) → bool: inside the partnership's area

    def clean(self):
        data = super().clean()
        latitude, longitude = (data.get("latitude") or "").strip(), (data.get("longitude") or "").strip()
        if not latitude or not longitude:
            self.add_error("latitude", WHERE_NEEDED)
            return data
        try:
            data["latitude"], data["longitude"] = point_checked(latitude, longitude)
        except ValueError:
            self.add_error("latitude", WHERE_NEEDED)
            return data
        if not self.in_area(data["latitude"], data["longitude"]):
            self.add_error("latitude", "That place is outside the area the partnership covers: choose a point inside it")
        return data


class PlaceSearchForm(forms.Form):
    q = forms.CharField(label="Search for a street or postcode", required=False, max_length=100,
                        help_text="A street name, such as High Street, or a whole postcode",
                        error_messages={"max_length": "Search with 100 characters or fewer"})

    def clean_q(self):
        text = " ".join((self.cleaned_data.get("q") or "").replace("\x00", "").split())
        if text and len(text) < 2:
            raise forms.ValidationError("Enter at least 2 characters of a street name or postcode")
        return text


class ServiceForm(forms.Form):
    service = forms.ChoiceField(label="What is the problem?", widget=forms.RadioSelect, error_messages={
        "required": "Choose what the problem is", "invalid_choice": "Choose what the problem is from the list"})

    def __init__(self, *args, services: list[Service], **kwargs):
        super().__init__(*args, **kwargs)
        self.services = {service.code: service for service in services}
        self.fields["service"].choices = [(service.code, service.name) for service in services]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(each, initial) for each in files]


def attribute_field_name(attribute) -> str:
    return f"a_{attribute.code}"


def _parts(data, name: str) -> dict[str, str]:
    return {part: str(data.get(f"{name}-{part}", "") or "").strip() for part in ("day", "month", "year", "time")}


class DetailsForm(forms.Form):
    """The service's own questions (one field each, by datatype), the description and photos.
    A date and time question is four boxes (day, month, year, time) read together."""

    description = forms.CharField(label="Describe the problem", widget=forms.Textarea, max_length=DESCRIPTION_MOST,
                                  help_text="What it is, how big, anything that would help someone find it. "
                                            "Do not include anyone's name.",
                                  error_messages={"required": "Describe the problem",
                                                  "max_length": f"Describe the problem in {DESCRIPTION_MOST:,} "
                                                                "characters or fewer"})
    photos = MultipleFileField(label="Photos (optional)", required=False,
                               help_text=f"Up to {PHOTOS_MOST} photos, JPEG, PNG or WebP, each up to "
                                         f"{LARGEST_BYTES // 2**20} MB. Where they were taken is removed from them.",
                               error_messages={"empty": "A photo is empty: choose it again",
                                               "invalid": "Choose photos to add"})
    remove_photos = forms.BooleanField(label="Remove the photos you added", required=False)

    def __init__(self, *args, service: Service, kept_photos: int = 0, answers: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.kept_photos = kept_photos
        if service.private:  # a person, not a thing in the street: names help whoever protects them
            self.fields["description"].label = "Tell us what is happening"
            self.fields["description"].help_text = ("Who is at risk and why you are worried, where and when. This is "
                                                    "seen only by the partner that deals with it, never publicly.")
            self.fields["description"].error_messages["required"] = "Tell us what is happening"
        self.questions = [attribute for attribute in service.attributes.all() if attribute.variable]
        answers = answers or {}
        fields = {}
        for attribute in self.questions:
            name = attribute_field_name(attribute)
            label = attribute.description if attribute.required else f"{attribute.description} (optional)"
            common = {"label": label, "required": False, "help_text": attribute.datatype_description,
                      "initial": answers.get(attribute.code)}
            choices = [(str(value.get("key")), str(value.get("name") or value.get("key"))) for value in attribute.values]
            if attribute.datatype == AttributeType.SINGLE:
                fields[name] = forms.ChoiceField(widget=forms.RadioSelect, choices=choices, **common, error_messages={
                    "invalid_choice": f"Choose an answer from the list: {attribute.description}"})
            elif attribute.datatype == AttributeType.MULTI:
                fields[name] = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, choices=choices, **common,
                                                         error_messages={"invalid_choice": "Choose answers from the list: "
                                                                                           f"{attribute.description}"})
            elif attribute.datatype == AttributeType.TEXT:
                fields[name] = forms.CharField(widget=forms.Textarea, max_length=TEXT_MOST, **common, error_messages={
                    "max_length": f"Answer in {TEXT_MOST:,} characters or fewer: {attribute.description}"})
            elif attribute.datatype == AttributeType.DATETIME:
                fields[name] = forms.CharField(**common)  # read from its four boxes in clean()
            else:  # a string or a number
                fields[name] = forms.CharField(max_length=STRING_MOST, **common, error_messages={
                    "max_length": f"Answer in {STRING_MOST} characters or fewer: {attribute.description}"})
            fields[name].attribute = attribute
        self.fields = {**fields, "description": self.fields["description"], "photos": self.fields["photos"],
                       "remove_photos": self.fields["remove_photos"]}
        self.date_parts = {}
        for attribute in self.questions:
            if attribute.datatype == AttributeType.DATETIME:
                name = attribute_field_name(attribute)
                self.date_parts[name] = _parts(self.data, name) if self.is_bound else _initial_parts(
                    answers.get(attribute.code))

    def clean(self):
        data = super().clean()
        answers: dict[str, str | list[str]] = {}
        for attribute in self.questions:
            name = attribute_field_name(attribute)
            if name in self.errors:
                continue
            if attribute.datatype == AttributeType.DATETIME:
                value = self._moment(name, attribute)
            else:
                value = data.get(name)
                if isinstance(value, str):
                    value = value.replace("\x00", "").strip()
                if value and attribute.datatype == AttributeType.NUMBER:
                    value = self._number(name, attribute, value)
            if not value:
                if attribute.required and name not in self.errors:
                    self.add_error(name, f"Answer the question: {attribute.description}")
                continue
            answers[attribute.code] = value
        self.answers = answers
        self.cleaned_photos = self._photos(data.get("photos") or [], data.get("remove_photos"))
        return data

    def _number(self, name, attribute, value: str) -> str:
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or abs(number) > NUMBER_MOST:
            self.add_error(name, f"Enter a number, like 6: {attribute.description}")
            return ""
        return value.replace(",", "")

    def _moment(self, name, attribute) -> str:
        parts = self.date_parts[name]
        if not any(parts.values()):
            return ""
        question = attribute.description
        missing = [part for part in ("day", "month", "year", "time") if not parts[part]]
        if missing:
            self.add_error(name, f"Enter the {' and '.join(missing)}: {question}")
            return ""
        time = TIME.match(parts["time"])
        try:
            hour, minute = (int(time.group(1)), int(time.group(2))) if time else (-1, -1)
            if time and time.group(3):
                if not 1 <= hour <= 12:
                    raise ValueError
                hour = hour % 12 + (12 if time.group(3).lower() == "pm" else 0)
            moment = datetime(int(parts["year"]), int(parts["month"]), int(parts["day"]), hour, minute)
        except ValueError:
            self.add_error(name, f"Enter a real date and a time like 14:30: {question}")
            return ""
        if not YEARS[0] <= moment.year <= YEARS[1]:
            self.add_error(name, f"Enter a year from {YEARS[0]} to {YEARS[1]}: {question}")
            return ""
        return timezone.make_aware(moment).isoformat()

    def _photos(self, uploads: list, remove: bool) -> list[bytes]:
        kept = 0 if remove else self.kept_photos
        if kept + len(uploads) > PHOTOS_MOST:
            already = f" (you have already added {kept})" if kept else ""
            self.add_error("photos", f"Add at most {PHOTOS_MOST} photos{already}")
            return []
        cleaned = []
        for upload in uploads:
            try:
                cleaned.append(photo_clean(upload))
            except ValueError as refused:
                name = str(getattr(upload, "name", "") or "")[:80]
                self.add_error("photos", f"{name}: {refused}" if name else str(refused))
        return cleaned


def _initial_parts(value) -> dict[str, str]:
    """A stored answer (ISO 8601) back in its four boxes."""
    try:
        moment = timezone.localtime(datetime.fromisoformat(str(value))) if value else None
    except ValueError:
        moment = None
    if moment is None:
        return {"day": "", "month": "", "year": "", "time": ""}
    return {"day": str(moment.day), "month": str(moment.month), "year": str(moment.year),
            "time": moment.strftime("%H:%M")}


class AboutForm(forms.Form):
    anonymous = forms.ChoiceField(label="Do you want to give your name?", widget=forms.RadioSelect,
                                  choices=[("yes", "No, stay anonymous"), ("no", "Yes, give my name")],
                                  error_messages={"required": "Choose whether to give your name or stay anonymous",
                                                  "invalid_choice": "Choose whether to give your name or stay anonymous"})
    name = forms.CharField(label="Your name", required=False, max_length=NAME_MOST,
                           error_messages={"max_length": f"Your name must be {NAME_MOST} characters or fewer"})
    email = forms.EmailField(label="Email address (optional)", required=False, max_length=254,
                             help_text="To hear what happens. We only use it to tell you about this report.",
                             error_messages={"invalid": "Enter an email address like name@example.com",
                                             "max_length": "Enter an email address of 254 characters or fewer"})
    phone = forms.CharField(label="Phone number (optional)", required=False, max_length=PHONE_MOST,
                            help_text="Only if the team dealing with it may need to call you",
                            error_messages={"max_length": f"Enter a phone number of {PHONE_MOST} characters or fewer"})

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        if not PHONE.match(phone):
            raise forms.ValidationError("Enter a phone number using only digits, spaces and + ( ) -, like 01632 960 001")
        return phone

    def clean(self):
        data = super().clean()
        if data.get("anonymous") == "no" and not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", "Enter your name, or choose to stay anonymous")
        if data.get("anonymous") == "yes":
            data["name"] = ""
        return data


class SendForm(forms.Form):
    """Sending the report. `website` is a honeypot: hidden from people, filled in by spam robots."""

    website = forms.CharField(label="Leave this empty", required=False)


class ReopenForm(forms.Form):
    prefix = "reopen"
    reference = forms.CharField(label="Your reference", max_length=20,
                                help_text="From the page you saw when you sent the report, or its emails",
                                error_messages={"required": "Enter your reference",
                                                "max_length": "Enter your reference of 10 letters and numbers"})
    text = forms.CharField(label="What do you see?", widget=forms.Textarea, max_length=MESSAGE_MOST,
                           error_messages={"required": "Say what you see",
                                           "max_length": f"Say what you see in {MESSAGE_MOST:,} characters or fewer"})


class ListForm(forms.Form):
    service = forms.ChoiceField(label="Problem", required=False)
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Open and closed"), ("open", "Open"), ("closed", "Closed or fixed")])
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)

    def __init__(self, *args, services: list[Service], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "All problems")] + [(service.code, service.name) for service in services]
