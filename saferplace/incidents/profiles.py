"""Creating and changing mapping profiles: how one partner's spreadsheet maps onto the incident
store. The analyst builds a profile from a sample file, so every column the profile names must be
in that sample's header, every category it maps to must be in the taxonomy, and the location
settings must be complete for the kind of location chosen. Every change writes the profile's
event (its history, shown on its page) and its audit entry together (`saferplace.history`).

A profile belongs to an organisation, the one whose records it files: only that organisation's
people (with `profiles.manage`) see, change or use it. Samples are kept through Django's storage
API (`ProfileSample.upload`) and read by the worker, never in a web request
(`profile_sample_read`)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet

from saferplace.errors import NotAllowed, NotFound
from saferplace.history import record_change, record_timeline
from saferplace.incidents.events import MappingProfileEvent, MappingProfileEventKind
from saferplace.incidents.importers import FileRefused, profile_preview
from saferplace.incidents.importers.date_formats import (
    BY_CODE,
    FORMATS,
    SPREADSHEET_CELLS,
    date_format_detect,
    date_format_named,
    date_parser,
)
from saferplace.incidents.importers.profile import TIME_EXAMPLES, time_read
from saferplace.incidents.importers.uploads import safe_file_name, upload_as_path
from saferplace.incidents.models import (
    DatePrecision,
    IncidentCategory,
    LocationKind,
    MappingProfile,
    ProfileSample,
    ProfileSampleStatus,
)
from saferplace.partners import access
from saferplace.partners.models import DataCategory, Organisation
from saferplace.partners.selectors import data_categories_readable

# In `category_map`, a partner's category mapped to this value is rejected row by row, even when
# the profile has a default category (which applies only to categories missing from the map).
REJECT = ""

# The columns a profile names, and the location columns each kind of location needs.
COLUMN_FIELDS = (
    "date_column", "time_column", "category_column", "latitude_column", "longitude_column", "postcode_column",
    "lsoa_column", "external_id_column", "outcome_column", "description_column", "person_column",
)
LOCATION_COLUMNS = {
    LocationKind.COORDINATES: ("latitude_column", "longitude_column"),
    LocationKind.POSTCODE: ("postcode_column",),
    LocationKind.LSOA: ("lsoa_column",),
    LocationKind.NONE: (),
}
COLUMN_LABELS = {
    "date_column": "date", "time_column": "time", "category_column": "category", "latitude_column": "latitude",
    "longitude_column": "longitude", "postcode_column": "postcode", "lsoa_column": "LSOA code",
    "external_id_column": "reference", "outcome_column": "outcome", "description_column": "location description",
    "person_column": "person reference",
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def profile_columns(profile: MappingProfile) -> list[str]:
    """The columns an existing profile names, in the order of its fields (no duplicates): the
    header to check a change against when no new sample file has been looked at."""
    columns: list[str] = []
    for field in COLUMN_FIELDS:
        value = getattr(profile, field)
        if value and value not in columns:
            columns.append(value)
    return columns


def category_values(header: Sequence[str], rows: Sequence[Sequence[str]], column: str, *, limit: int = 200) -> list[str]:
    """The distinct non-blank values of `column` in `rows`, most frequent first."""
    if column not in header:
        return []
    position = list(header).index(column)
    counts: dict[str, int] = {}
    for row in rows:
        value = (row[position] if position < len(row) else "").strip()
        if value:
            counts[value] = counts.get(value, 0) + 1
    ordered = sorted(counts, key=lambda value: (-counts[value], value.casefold()))
    return ordered[:limit]


def column_values(header: Sequence[str], rows: Sequence[Sequence[str]], column: str) -> list[str]:
    """Every value of `column` in `rows` (none if the header has no such column)."""
    if column not in header:
        return []
    position = list(header).index(column)
    return [row[position] if position < len(row) else "" for row in rows]


def sample_is_spreadsheet(sample: ProfileSample | None) -> bool:
    return sample is not None and Path(sample.file_name).suffix.lower() in (".xlsx", ".xlsm")


@dataclass(frozen=True)
class DateFormatOptions:
    """The ways of writing dates the profile page offers for the date column, in words."""

    choices: list[tuple[str, str]]  # (stored format, words with an example)
    fitting: list[str]  # the formats that read every date in the sample
    chosen: str  # the one to preselect: detected from the sample, else the profile's
    note: str  # what the sample's dates say: an ambiguity, dates no format reads
    spreadsheet: bool  # the sample is a spreadsheet, whose date cells need no format


def date_format_options(*, header: Sequence[str], rows: Sequence[Sequence[str]], column: str,
                        spreadsheet: bool = False, current: str = "", picked: str = "") -> DateFormatOptions:
    """How the sample's dates in `column` are written, detected from every value: the formats
    that read all of them (all formats when none does, or there is no sample), the profile's
    own `current` one and the one the analyst `picked` already (if SaferPlace knows it) too, and
    the one to preselect."""
    values = [value.strip() for value in column_values(header, rows, column) if value.strip()]
    detected = date_format_detect(values, spreadsheet=spreadsheet)
    offered = list(detected.fitting) or [
        each for each in FORMATS if each is not SPREADSHEET_CELLS or spreadsheet or not values
    ]
    for code in (current, picked if picked in BY_CODE else ""):
        if code and code not in {each.code for each in offered}:
            offered.append(date_format_named(code))
    if current and (not values or _reads_all(current, values, detected.fitting)):
        chosen = current  # the profile's own format still reads the sample
    else:
        chosen = detected.chosen.code if detected.chosen is not None else current
    return DateFormatOptions(
        choices=[(each.code, each.label) for each in offered], fitting=[each.code for each in detected.fitting],
        chosen=chosen, note=detected.note, spreadsheet=spreadsheet,
    )


def _reads_all(code: str, values: list[str], fitting) -> bool:
    if code in BY_CODE:  # as written, time of day included (an import is more forgiving)
        return code in {each.code for each in fitting}
    parse = date_parser(code)
    return all(_parses(parse, value) for value in values)


def _date_format_problem(date_format: str, samples: Sequence[str]) -> str:
    """What is wrong with a profile's date format ("" if nothing). A format SaferPlace offers in
    words is checked against the sample only; one given as a strftime pattern (by a script) is
    checked as such."""
    if not date_format:
        return "Choose how the dates are written"
    if date_format not in BY_CODE:
        if not re.search(r"%[Yy]", date_format) or not re.search(r"%[mbB]", date_format):
            return "The date format needs a year (%Y) and a month (%m, %b or %B), for example %d/%m/%Y"
        try:
            datetime(2026, 1, 31).strftime(date_format)
        except ValueError:
            return f"“{date_format}” is not a date format: use codes like %d, %m, %Y, %H:%M"
    values = [value.strip() for value in samples if value and value.strip()][:20]
    parse = date_parser(date_format)
    if values and not any(_parses(parse, value) for value in values):
        return f"The dates in the sample, like “{values[0]}”, are not dates {date_format_named(date_format).as_written}"
    return ""


def _parses(parse, value: str) -> bool:
    try:
        return parse(value) is not None
    except (ValueError, OverflowError):
        return False


def _time_column_problem(values: dict, samples: Sequence[str]) -> str:
    """What is wrong with a profile's time column ("" if nothing, or if it has none): it must be
    another column than the date's, the dates must have a day, and the sample's values in it must
    be times of day."""
    if not values["time_column"]:
        return ""
    if values["time_column"] == values["date_column"]:
        return "Choose another column than the date column, or none: a time written after the date is read anyway"
    if values["date_format"] and date_format_named(values["date_format"]).precision != DatePrecision.DAY:
        return "The dates have no day, so no time of day is kept: choose no time column"
    written = [value.strip() for value in samples if value and value.strip()][:20]
    if written and not any(time_read(value) is not None for value in written):
        return f"The values in the sample, like “{written[0]}”, are not times of day like {TIME_EXAMPLES}"
    return ""


def mapping_profile_list(*, viewer) -> QuerySet[MappingProfile]:
    """The viewer's own organisation's profiles (every profile, for the operator)."""
    access.require(viewer, "profiles.manage")
    profiles = MappingProfile.objects.select_related("owning_organisation", "data_category", "created_by")
    if viewer.is_operator:
        return profiles
    # A profile of a special category is only for the roles that category allows, like its records.
    return profiles.filter(owning_organisation=viewer.organisation_id,
                           data_category__in=data_categories_readable(viewer=viewer))


def mapping_profile_get(*, viewer, profile_id: int | None = None, name: str = "",
                        organisation: Organisation | None = None) -> MappingProfile:
    """One of the viewer's organisation's profiles, by id or name (the operator may have to
    name the organisation too, as names are unique per organisation only)."""
    profiles = mapping_profile_list(viewer=viewer)
    if profile_id is not None:
        profiles = profiles.filter(pk=profile_id)
    else:
        profiles = profiles.filter(name=name)
        if organisation is not None:
            profiles = profiles.filter(owning_organisation=organisation)
    found = list(profiles[:2])
    if len(found) > 1:
        raise ValidationError(f"More than one organisation has a profile called {name!r}: say which organisation's.")
    if not found:
        raise NotFound("There is no such mapping profile.", record_type="incidents.mappingprofile",
                       record_id=profile_id or name)
    return found[0]


def mapping_profile_history(*, viewer, profile: MappingProfile) -> QuerySet[MappingProfileEvent]:
    """The profile's timeline (made, each change), oldest first; another organisation's profile
    is not found."""
    return record_timeline(mapping_profile_get(viewer=viewer, profile_id=profile.pk))


@transaction.atomic
def mapping_profile_save(
    *,
    viewer,
    header: Sequence[str],
    name: str,
    data_category: DataCategory,
    source: str,
    date_column: str,
    date_format: str,
    category_column: str,
    location_kind: LocationKind | str,
    time_column: str = "",
    category_map: dict[str, str] | None = None,
    default_category: IncidentCategory | None = None,
    description: str = "",
    latitude_column: str = "",
    longitude_column: str = "",
    postcode_column: str = "",
    lsoa_column: str = "",
    external_id_column: str = "",
    outcome_column: str = "",
    description_column: str = "",
    person_column: str = "",
    sample_dates: Sequence[str] = (),
    sample_times: Sequence[str] = (),
    profile: MappingProfile | None = None,
    owning_organisation: Organisation | None = None,
) -> MappingProfile:
    """Create a profile for the viewer's organisation, or change `profile` (one of its own).
    The operator may say which organisation owns a new profile. `header` is the sample file's
    header (the columns the profile may name); `sample_dates` and `sample_times` are values of
    the date and time columns from the sample, checked against the date format and as times of
    day. Raises ValidationError naming each field that is wrong; nothing is saved then. The
    profile's event (made, or changed with what changed) and audit entry are written with it."""
    access.require(viewer, "profiles.manage", profile)
    if profile is not None:
        owner = profile.owning_organisation
    elif viewer.is_operator:
        if owning_organisation is None:
            raise ValidationError({"owning_organisation": "Say which organisation owns the profile's records"})
        owner = owning_organisation
    else:
        owner = viewer.organisation
    if owning_organisation is not None and owning_organisation != owner:
        raise NotAllowed("A profile files records of its own organisation only.", capability="profiles.manage")
    if not data_categories_readable(viewer=viewer).filter(pk=data_category.pk).exists():
        raise ValidationError({"data_category": "Choose a data category your role may see: the profile's records "
                                                "are filed under it."})
    values = {
        "name": name.strip().lower(), "description": description.strip(),
        "owning_organisation": owner, "data_category": data_category,
        "source": source.strip().lower(), "date_column": date_column, "date_format": date_format.strip(),
        "time_column": time_column,
        "category_column": category_column, "category_map": dict(category_map or {}),
        "default_category": default_category, "location_kind": str(location_kind),
        "latitude_column": latitude_column, "longitude_column": longitude_column,
        "postcode_column": postcode_column, "lsoa_column": lsoa_column,
        "external_id_column": external_id_column, "outcome_column": outcome_column,
        "description_column": description_column, "person_column": person_column,
    }
    errors: dict[str, str] = {}

    if not values["name"]:
        errors["name"] = "Enter a name for the profile"
    elif not SLUG.match(values["name"]):
        errors["name"] = "Use only lower-case letters, numbers and hyphens in the name, for example fire-incidents"
    elif MappingProfile.objects.filter(name=values["name"], owning_organisation=owner).exclude(
        pk=getattr(profile, "pk", None)
    ).exists():
        errors["name"] = f"A profile called “{values['name']}” already exists"
    if not values["source"]:
        errors["source"] = "Enter the source name the incidents are filed under"
    elif not SLUG.match(values["source"]):
        errors["source"] = "Use only lower-case letters, numbers and hyphens in the source name, for example fire-incidents"

    try:
        location_kind = LocationKind(values["location_kind"])
    except ValueError:
        errors["location_kind"] = "Choose how the rows give their location"
        location_kind = None
    # Columns of other kinds of location are not kept: they would be ignored anyway.
    needed = set(LOCATION_COLUMNS.get(location_kind, ()))
    for field in ("latitude_column", "longitude_column", "postcode_column", "lsoa_column"):
        if field not in needed:
            values[field] = ""

    known = set(header)
    for field in ("date_column", "category_column", *sorted(needed)):
        if not values[field]:
            errors[field] = f"Choose the {COLUMN_LABELS[field]} column"
    for field in COLUMN_FIELDS:
        if values[field] and values[field] not in known and field not in errors:
            errors[field] = f"The sample file has no column called “{values[field]}”"

    problem = _date_format_problem(values["date_format"], sample_dates)
    if problem:
        errors["date_format"] = problem
    problem = _time_column_problem(values, sample_times)
    if problem and "time_column" not in errors:
        errors["time_column"] = problem

    codes = set(IncidentCategory.objects.values_list("code", flat=True))
    unknown = sorted({code for code in values["category_map"].values() if code != REJECT and code not in codes})
    if unknown:
        errors["category_map"] = "These categories are not in the taxonomy: " + ", ".join(unknown)

    if errors:
        raise ValidationError(errors)

    if profile is None:
        profile = MappingProfile(created_by=viewer.user)
        record_change(viewer=viewer, record=profile, kind=MappingProfileEventKind.ADDED, values=values, created=True,
                      details={"organisation": owner.name})
        return profile
    described = {}
    if profile.category_map != values["category_map"]:  # in words, not as a dictionary
        described["category_map"] = [_map_words(profile.category_map), _map_words(values["category_map"])]
    record_change(viewer=viewer, record=profile, kind=MappingProfileEventKind.CHANGED, values=values, changes=described)
    return profile


def _map_words(category_map: dict[str, str]) -> str:
    """A category map as the timeline shows it: "Fly tip: fly-tipping; Dog fouling: rejected"."""
    return "; ".join(f"{value}: {code or 'rejected'}" for value, code in category_map.items())


# Samples ---------------------------------------------------------------------------------------

SAMPLE_ROWS = 5000  # rows read from a sample, to list the partner's categories


@transaction.atomic
def profile_sample_create(*, viewer, file_name: str, content: File) -> ProfileSample:
    """Record a sample file the viewer has uploaded, kept through the storage API (under
    samples/<year>/<month>/, the storage making the name unique and safe) for the worker to
    read."""
    access.require(viewer, "profiles.manage")
    if viewer.user is None:
        raise NotAllowed("Samples are uploaded from the web.", capability="profiles.manage")
    name = Path(str(file_name)).name[:300]
    sample = ProfileSample(organisation=viewer.organisation, created_by=viewer.user, file_name=name)
    sample.upload.save(safe_file_name(name), content, save=False)
    sample.save()
    return sample


def profile_sample_get(*, viewer, sample_id) -> ProfileSample:
    """One of the viewer's own samples."""
    access.require(viewer, "profiles.manage")
    sample = ProfileSample.objects.filter(pk=sample_id, created_by=viewer.user_id).first() if viewer.user else None
    if sample is None:
        raise NotFound("There is no such sample.", record_type="incidents.profilesample", record_id=str(sample_id)[:40])
    return sample


def profile_sample_read(*, sample: ProfileSample) -> ProfileSample:
    """Read a sample's header and first rows (in the worker) through the storage, then delete
    the file from the storage: what is kept is what the profile page shows."""
    try:
        with upload_as_path(sample.upload) as path:
            header, rows = profile_preview(path=path, rows=SAMPLE_ROWS)
    except FileRefused as refused:
        sample.status, sample.message = ProfileSampleStatus.REFUSED, str(refused)
    except FileNotFoundError:
        sample.status, sample.message = ProfileSampleStatus.REFUSED, "The sample file is no longer there: upload it again."
    else:
        sample.status, sample.header, sample.rows = ProfileSampleStatus.READY, header, rows
    if sample.upload:
        sample.upload.delete(save=False)  # sets the field to "" too
    sample.save()
    return sample
