"""Mapping profiles, built by an analyst from a sample of a partner's file, in steps that work
without JavaScript: upload a sample (stored under DATA_DIR/uploads/profile-samples/ and read by
the worker, never by a web request: the page waits for it), then see its first rows and say
which column is what and how the partner's categories map to the taxonomy. Profiles belong to
the analyst's organisation; only its people see and change them."""

import secrets
from pathlib import Path

from django.conf import settings
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
    mapping_profile_get,
    mapping_profile_list,
    mapping_profile_save,
    profile_columns,
    profile_sample_create,
    profile_sample_get,
)
from saferplace.incidents.tasks import profile_sample_task
from saferplace.web.forms import ProfileForm, ProfileSampleForm
from saferplace.web.views.common import capability_required, page

PREVIEW_ROWS = 10


def samples_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads" / "profile-samples"


def _keep_sample(request, upload):
    """Store the uploaded sample and queue it for the worker to read."""
    folder = samples_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as destination:
        for chunk in upload.chunks():
            destination.write(chunk)
    with transaction.atomic():
        sample = profile_sample_create(viewer=request.viewer, file_name=Path(upload.name).name, path=path)
        transaction.on_commit(lambda: profile_sample_task.enqueue(sample.pk))
    return sample


def _guess(header: list[str], *words: str) -> str:
    for word in words:
        for column in header:
            if word in column.lower():
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
            "name", "description", "source", "date_column", "date_format", "category_column", "location_kind",
            "latitude_column", "longitude_column", "postcode_column", "lsoa_column", "external_id_column",
            "outcome_column", "description_column")}
        initial.update(data_category=profile.data_category_id,
                       default_category=profile.default_category.code if profile.default_category else "")
        mapping = profile.category_map
    else:
        latitude, longitude = _guess(header, "latitude", "lat"), _guess(header, "longitude", "lon", "lng")
        postcode, lsoa = _guess(header, "postcode", "post code"), _guess(header, "lsoa")
        kind = (LocationKind.COORDINATES if latitude and longitude else LocationKind.POSTCODE if postcode
                else LocationKind.LSOA if lsoa else LocationKind.NONE)
        initial = {
            "date_format": "%d/%m/%Y",
            "date_column": _guess(header, "date", "when", "month"),
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
    context = {"profile": profile, "sample_form": sample_form, "sample": sample, "form": None}
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

    column_changed = action == "save" and posted.get("map_column", "") != column and bool(values)
    if action == "refresh" or column_changed:
        # Show the categories of the chosen column, keeping what was entered; nothing is saved.
        form = ProfileForm(initial=posted.dict(), header=header, category_values=values)
        _map_initial(form, profile.category_map if profile else {})
        if column_changed:
            messages.info(request, f"Choose how each category in the column “{column}” maps to the taxonomy, then save.")
    elif action == "save":
        form = ProfileForm(posted, header=header, category_values=values)
        if form.is_valid():
            data = form.cleaned_data
            date_position = header.index(data["date_column"]) if data["date_column"] in header else None
            sample_dates = [row[date_position] for row in rows[:50] if date_position is not None and date_position < len(row)]
            try:
                saved = mapping_profile_save(
                    viewer=viewer, profile=profile, header=header,
                    category_map=form.category_map(), sample_dates=sample_dates,
                    **{name: data[name] for name in (
                        "name", "description", "data_category", "source", "date_column",
                        "date_format", "category_column", "location_kind", "latitude_column", "longitude_column",
                        "postcode_column", "lsoa_column", "external_id_column", "outcome_column",
                        "description_column", "default_category")},
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"Mapping profile {saved.name} saved.")
                return redirect("web:profile-list")
    else:
        form = ProfileForm(initial=initial, header=header, category_values=values)
        _map_initial(form, initial["mapping"])

    return page(request, "profiles/edit.html", active="imports", status=400 if form.errors or sample_form.errors else 200,
                **context | {"form": form, "header": header, "preview": rows[:PREVIEW_ROWS], "map_column": column})
