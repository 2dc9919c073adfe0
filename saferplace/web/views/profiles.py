"""Mapping profiles, built by an analyst from a sample of a partner's file, in two steps that work
without JavaScript: upload a sample (kept under DATA_DIR/uploads/profile-samples/, its path in the
session), then see its first rows and say which column is what and how the partner's categories
map to the taxonomy."""

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect

from saferplace.incidents.importers import FileRefused, profile_preview
from saferplace.incidents.models import IncidentCategory, LocationKind, MappingProfile
from saferplace.incidents.profiles import category_values, mapping_profile_save, profile_columns
from saferplace.web.forms import ProfileForm, ProfileSampleForm
from saferplace.web.views.common import page, role_required

ROLES = ("analyst", "administrator")
SESSION_KEY = "profile_samples"
PREVIEW_ROWS = 10
SAMPLE_ROWS = 5000  # rows read from the sample to list the partner's categories


def samples_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads" / "profile-samples"


def _sample_entry(request, key: str) -> dict | None:
    entry = request.session.get(SESSION_KEY, {}).get(key)
    if not entry:
        return None
    path = Path(entry["path"])
    if path.parent != samples_dir() or not path.is_file():
        return None
    return entry


def _forget_sample(request, key: str) -> None:
    samples = request.session.get(SESSION_KEY, {})
    entry = samples.pop(key, None)
    if entry:
        Path(entry["path"]).unlink(missing_ok=True)
        request.session[SESSION_KEY] = samples


def _sweep_abandoned_samples(folder: Path) -> None:
    """Samples older than a session can last belong to nobody any more (the analyst went away
    without saving or cancelling): they are deleted whenever a new sample arrives."""
    cutoff = time.time() - settings.SESSION_COOKIE_AGE
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _keep_sample(request, key: str, upload) -> Path:
    _forget_sample(request, key)
    folder = samples_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep_abandoned_samples(folder)
    path = folder / f"{secrets.token_hex(16)}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as destination:
        for chunk in upload.chunks():
            destination.write(chunk)
    samples = request.session.get(SESSION_KEY, {})
    samples[key] = {"path": str(path), "name": Path(upload.name).name}
    request.session[SESSION_KEY] = samples
    return path


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


def _initial(profile: MappingProfile | None, header: list[str], user) -> dict:
    if profile is not None:
        initial = {field: getattr(profile, field) for field in (
            "name", "description", "source", "date_column", "date_format", "category_column", "location_kind",
            "latitude_column", "longitude_column", "postcode_column", "lsoa_column", "external_id_column",
            "outcome_column", "description_column")}
        initial.update(owning_organisation=profile.owning_organisation_id, data_category=profile.data_category_id,
                       default_category=profile.default_category.code if profile.default_category else "")
        mapping = profile.category_map
    else:
        latitude, longitude = _guess(header, "latitude", "lat"), _guess(header, "longitude", "lon", "lng")
        postcode, lsoa = _guess(header, "postcode", "post code"), _guess(header, "lsoa")
        kind = (LocationKind.COORDINATES if latitude and longitude else LocationKind.POSTCODE if postcode
                else LocationKind.LSOA if lsoa else LocationKind.NONE)
        initial = {
            "owning_organisation": user.organisation_id, "date_format": "%d/%m/%Y",
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


@role_required(*ROLES)
def profile_list(request):
    profiles = MappingProfile.objects.select_related("owning_organisation", "data_category", "created_by")
    return page(request, "profiles/list.html", active="imports", profiles=profiles)


@role_required(*ROLES)
def profile_edit(request, profile_id: int | None = None):
    profile = get_object_or_404(MappingProfile, pk=profile_id) if profile_id else None
    key = str(profile.pk) if profile else "new"
    action = request.POST.get("action", "") if request.method == "POST" else ""

    sample_form = ProfileSampleForm()
    if action == "sample":
        sample_form = ProfileSampleForm(request.POST, request.FILES)
        if sample_form.is_valid():
            path = _keep_sample(request, key, sample_form.cleaned_data["sample"])
            try:
                profile_preview(path=path, rows=1)
            except FileRefused as refused:
                _forget_sample(request, key)
                sample_form.add_error("sample", str(refused))
            else:
                return redirect(request.path)

    entry = _sample_entry(request, key)
    header: list[str] = []
    rows: list[list[str]] = []
    if entry:
        try:
            header, rows = profile_preview(path=Path(entry["path"]), rows=SAMPLE_ROWS)
        except FileRefused as refused:
            _forget_sample(request, key)
            entry = None
            sample_form.add_error("sample", str(refused))
    if not header and profile is not None:
        header = profile_columns(profile)
    context = {"profile": profile, "sample_form": sample_form, "sample": entry, "form": None}
    status = 400 if sample_form.errors else 200
    if not header:  # step 1: a sample file first
        return page(request, "profiles/edit.html", active="imports", status=status, **context)

    posted = request.POST if action in ("save", "refresh") else None
    initial = None if posted else _initial(profile, header, request.user)
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
                    actor=request.user, request=request, profile=profile, header=header,
                    category_map=form.category_map(), sample_dates=sample_dates,
                    **{name: data[name] for name in (
                        "name", "description", "owning_organisation", "data_category", "source", "date_column",
                        "date_format", "category_column", "location_kind", "latitude_column", "longitude_column",
                        "postcode_column", "lsoa_column", "external_id_column", "outcome_column",
                        "description_column", "default_category")},
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                _forget_sample(request, key)
                messages.success(request, f"Mapping profile {saved.name} saved.")
                return redirect("web:profile-list")
    else:
        form = ProfileForm(initial=initial, header=header, category_values=values)
        _map_initial(form, initial["mapping"])

    return page(request, "profiles/edit.html", active="imports", status=400 if form.errors or sample_form.errors else 200,
                **context | {"form": form, "header": header, "preview": rows[:PREVIEW_ROWS], "map_column": column})
