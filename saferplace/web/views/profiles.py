"""Mapping profiles, built by an analyst from a sample of a partner's file, in steps that work
without JavaScript: upload a sample (kept through Django's storage API with the sample, and read
by the worker, never by a web request: the page waits for it), then see its first rows and say
which column is what and how the partner's categories map to the taxonomy. Profiles belong to
the analyst's organisation; only its people see and change them. A profile's page shows its
history."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect

from saferplace.incidents.models import (
    IncidentCategory,
    LocationKind,
    MappingProfile,
    ProfileSampleStatus,
)
from saferplace.incidents.profiles import (
    category_values,
    date_format_options,
    mapping_profile_get,
    mapping_profile_history,
    mapping_profile_list,
    mapping_profile_save,
    profile_columns,
    profile_sample_create,
    profile_sample_get,
    sample_is_spreadsheet,
)
from saferplace.incidents.tasks import profile_sample_task
from saferplace.partners.selectors import data_categories_readable
from saferplace.web.forms import ProfileForm, ProfileSampleForm
from saferplace.web.views.common import capability_required, page

PREVIEW_ROWS = 10


def _keep_sample(request, upload):
    """Store the uploaded sample (through the storage API, with the sample) and queue it for the
    worker to read once the sample is committed."""
    with transaction.atomic():
        sample = profile_sample_create(viewer=request.viewer, file_name=upload.name, content=upload)
        transaction.on_commit(lambda: profile_sample_task.enqueue(sample.pk))
    return sample


def _guess(header: list[str], *words: str) -> str:
    for word in words:
        for column in header:
            if word in column.lower():
                return column
    return ""


def _guess_time(header: list[str], date_column: str) -> str:
    """A column named as a time of day ("Time", "Time reported"), not the date column nor one
    with "date" in its name (a date and time)."""
    for column in header:
        name = column.lower()
        if column != date_column and "date" not in name and re.search(r"\btime\b", name):
            return column
    return ""


def _letters(text: str) -> str:
    return "".join(character for character in text.lower() if character.isalnum())


def _category_guesses() -> dict[str, str]:
    """Letters and digits of each taxonomy category's code and name → its code."""
    guesses = {}
    for code, name in IncidentCategory.objects.values_list("code", "name"):
        guesses[_letters(code)] = guesses[_letters(name)] = code
    return guesses


def _guess_category(value: str, guesses: dict[str, str]) -> str:
    """The taxonomy category a partner's category probably is: the same name or code ignoring
    case, spaces and punctuation, or one starting with it ("Fly tip" → Fly-tipping); else reject."""
    letters = _letters(value)
    if letters in guesses:
        return guesses[letters]
    if len(letters) >= 4:
        starting = sorted(key for key in guesses if key.startswith(letters))
        if starting and len({guesses[key] for key in starting}) == 1:
            return guesses[starting[0]]
    return ProfileForm.REJECT_CHOICE


def _initial(profile: MappingProfile | None, header: list[str]) -> dict:
    if profile is not None:
        initial = {field: getattr(profile, field) for field in (
            "name", "description", "source", "date_column", "date_format", "time_column", "category_column",
            "location_kind",
            "latitude_column", "longitude_column", "postcode_column", "lsoa_column", "external_id_column",
            "outcome_column", "description_column", "person_column")}
        initial.update(data_category=profile.data_category_id,
                       default_category=profile.default_category.code if profile.default_category else "")
        mapping = profile.category_map
    else:
        latitude, longitude = _guess(header, "latitude", "lat"), _guess(header, "longitude", "lon", "lng")
        postcode, lsoa = _guess(header, "postcode", "post code"), _guess(header, "lsoa")
        kind = (LocationKind.COORDINATES if latitude and longitude else LocationKind.POSTCODE if postcode
                else LocationKind.LSOA if lsoa else LocationKind.NONE)
        date_column = _guess(header, "date", "when", "month")
        initial = {
            "date_column": date_column, "time_column": _guess_time(header, date_column),
            "category_column": _guess(header, "category", "type", "classification"),
            "location_kind": kind, "latitude_column": latitude, "longitude_column": longitude,
            "postcode_column": postcode, "lsoa_column": lsoa,
            "external_id_column": _guess(header, "reference", "ref", "id"),
            "outcome_column": _guess(header, "outcome", "result"),
            "description_column": _guess(header, "location", "address", "street"),
        }
        mapping = {}
    return initial | {"mapping": mapping}


def _map_initial(form: ProfileForm, mapping: dict) -> None:
    """Initial choices of the category map: what was chosen already, else the saved map, else a
    guess from the taxonomy."""
    guesses = _category_guesses()
    for name, value in form.map_names.items():
        if name in form.initial:
            continue
        if value in mapping:
            form.initial[name] = mapping[value] or ProfileForm.REJECT_CHOICE
        else:
            form.initial[name] = _guess_category(value, guesses)


def _apply_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        if field == "category_map" and form.map_names:
            form.add_error(next(iter(form.map_names)), errors)
        else:
            form.add_error(field if field in form.fields else None, errors)


def _sample_values(header: list[str], rows: list[list[str]], column: str, limit: int = 50) -> list[str]:
    """The first values of `column` in the sample, to check the profile's settings against."""
    if column not in header:
        return []
    position = header.index(column)
    return [row[position] for row in rows[:limit] if position < len(row)]


def _events(request, profile: MappingProfile | None) -> list:
    return list(mapping_profile_history(viewer=request.viewer, profile=profile)) if profile is not None else []


@capability_required("profiles.manage")
def profile_list(request):
    return page(request, "profiles/list.html", active="imports", profiles=mapping_profile_list(viewer=request.viewer))


def _sample(request):
    """The viewer's own sample named by ?sample= (or the posted `sample`), if any."""
    sample_id = request.POST.get("sample") or request.GET.get("sample")
    if not sample_id or not str(sample_id).isdigit():
        return None
    return profile_sample_get(viewer=request.viewer, sample_id=int(sample_id))


@capability_required("profiles.manage")
def profile_sample_status(request, sample_id: int):
    """Polled by htmx while the worker reads a sample: once it is read, the page reloads."""
    sample = profile_sample_get(viewer=request.viewer, sample_id=sample_id)
    if sample.status == ProfileSampleStatus.QUEUED:
        return page(request, "profiles/_sample_waiting.html", sample=sample)
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


@capability_required("profiles.manage")
def profile_edit(request, profile_id: int | None = None):
    viewer = request.viewer
    profile = mapping_profile_get(viewer=viewer, profile_id=profile_id) if profile_id else None
    action = request.POST.get("action", "") if request.method == "POST" else ""

    sample_form = ProfileSampleForm()
    if action == "sample":
        sample_form = ProfileSampleForm(request.POST, request.FILES)
        if sample_form.is_valid():
            sample = _keep_sample(request, sample_form.cleaned_data["sample"])
            return redirect(f"{request.path}?sample={sample.pk}")

    sample = _sample(request) if action != "sample" else None
    context = {"profile": profile, "sample_form": sample_form, "sample": sample, "form": None,
               "events": _events(request, profile)}
    if sample is not None and sample.status == ProfileSampleStatus.QUEUED:
        return page(request, "profiles/edit.html", active="imports", waiting=True, **context)
    if sample is not None and sample.status == ProfileSampleStatus.REFUSED:
        sample_form.add_error("sample", sample.message)
        context["sample"] = sample = None
    header: list[str] = list(sample.header) if sample else []
    rows: list[list[str]] = list(sample.rows) if sample else []
    if not header and profile is not None:
        header = profile_columns(profile)
    status = 400 if sample_form.errors else 200
    if not header:  # step 1: a sample file first
        return page(request, "profiles/edit.html", active="imports", status=status, **context)

    posted = request.POST if action in ("save", "refresh") else None
    initial = None if posted else _initial(profile, header)
    column = (posted or initial).get("category_column", "")
    values = category_values(header, rows, column)
    if profile is not None and column == profile.category_column:
        values += [value for value in profile.category_map if value not in values]

    # How the dates are written, detected from the sample's date column (no strftime is asked for).
    date_column = (posted or initial).get("date_column", "")
    picked = posted.get("date_format", "") if posted else ""
    dates_read = posted.get("dates_column") if posted else None  # the column the choices shown were for
    dates = date_format_options(header=header, rows=rows, column=date_column, spreadsheet=sample_is_spreadsheet(sample),
                                current=profile.date_format if profile else "",
                                picked=picked if dates_read in (None, date_column) else "")
    dates_changed = (action == "save" and dates_read is not None and dates_read != date_column and bool(rows)
                     and picked not in dates.fitting)

    column_changed = action == "save" and posted.get("map_column", "") != column and bool(values)
    if action == "refresh" or column_changed or dates_changed:
        # Show the categories and the dates of the chosen columns, keeping what was entered; nothing is saved.
        entered = posted.dict()
        if dates_read != date_column and picked not in dates.fitting:
            entered["date_format"] = dates.chosen
        form = ProfileForm(initial=entered, header=header, category_values=values, date_formats=dates.choices,
                           data_categories=data_categories_readable(viewer=viewer))
        _map_initial(form, profile.category_map if profile else {})
        if column_changed:
            messages.info(request, f"Choose how each category in the column “{column}” maps to the taxonomy, then save.")
        if dates_changed:
            messages.info(request, f"Check how the dates in the column “{date_column}” are written, then save.")
    elif action == "save":
        form = ProfileForm(posted, header=header, category_values=values, date_formats=dates.choices,
                           data_categories=data_categories_readable(viewer=viewer))
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = mapping_profile_save(
                    viewer=viewer, profile=profile, header=header, category_map=form.category_map(),
                    sample_dates=_sample_values(header, rows, data["date_column"]),
                    sample_times=_sample_values(header, rows, data["time_column"]),
                    **{name: data[name] for name in (
                        "name", "description", "data_category", "source", "date_column",
                        "date_format", "time_column", "category_column", "location_kind", "latitude_column", "longitude_column",
                        "postcode_column", "lsoa_column", "external_id_column", "outcome_column",
                        "description_column", "person_column", "default_category")},
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"Mapping profile {saved.name} saved.")
                return redirect("web:profile-list")
    else:
        form = ProfileForm(initial=initial | {"date_format": dates.chosen}, header=header, category_values=values,
                           date_formats=dates.choices,
                           data_categories=data_categories_readable(viewer=viewer))
        _map_initial(form, initial["mapping"])

    return page(request, "profiles/edit.html", active="imports", status=400 if form.errors or sample_form.errors else 200,
                **context | {"form": form, "header": header, "preview": rows[:PREVIEW_ROWS], "map_column": column,
                             "dates": dates, "dates_column": date_column})
