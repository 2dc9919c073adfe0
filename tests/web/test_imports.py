"""Importing files from the browser: who may, what a request stores and queues, the run page after
the worker has run, and mapping profiles built from a sample file."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from saferplace.audit.models import AuditEntry
from saferplace.incidents.models import (
    ImportRun,
    Incident,
    IncidentCategory,
    MappingProfile,
    ProfileSample,
)
from saferplace.incidents.profiles import mapping_profile_save, profile_sample_read
from saferplace.incidents.taxonomy import taxonomy_install
from saferplace.web import forms as web_forms
from tests.conftest import OPERATOR, sign_in

POLICE_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                 "Crime type,Last outcome category,Context")
GOOD_ROWS = [
    "abc123,2026-05,Fenshire Police,Fenshire Police,-0.951,52.451,On or near High Street,E01000001,Riverford 001A,Burglary,Under investigation,",
    ",2026-05,Fenshire Police,Fenshire Police,-0.952,52.452,On or near Park Road,E01000001,Riverford 001A,Anti-social behaviour,,",
]
BAD_ROW = "def456,2026-05,Fenshire Police,Fenshire Police,-0.953,52.453,On or near Mill Lane,E01000001,Riverford 001A,Dragon sighting,,"


def police_csv(*rows: str) -> bytes:
    return ("\n".join([POLICE_HEADER, *rows]) + "\n").encode()


@pytest.fixture(autouse=True)
def data_dir(request, settings, tmp_path):
    """Uploads go to a temporary folder (the storage's, and DATA_DIR for samples). The taxonomy
    is put back for tests that commit: those that ran before emptied every table, the taxonomy
    the migration loaded too."""
    settings.DATA_DIR = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("world" if "world" in request.fixturenames else "db")
        taxonomy_install(IncidentCategory)
    return tmp_path


def upload(client, content: bytes, *, name="2026-05-fenshire-street.csv", importer="police-uk", organisation=None, **extra):
    data = {"importer": importer, "file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra}
    if organisation is not None:
        data["organisation"] = organisation.pk
    return client.post(reverse("web:import-new"), data)


# --- who may ---------------------------------------------------------------------------------

ALLOWED = {"council_analyst", "bid_analyst", "council_admin"}


def council_run(world, **fields) -> ImportRun:
    fields = {"importer": "police-uk", "file_name": "x.csv", "file_hash": "", "organisation": world["organisations"]["council"],
              **fields}
    return ImportRun.objects.create(**fields)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["council_analyst", "bid_analyst", "council_admin", "police_officer",
                                     "police_chair", "council_auditor"])
def test_only_analysts_and_administrators_import(client, request, world, persona):
    user = request.getfixturevalue(persona)
    run = council_run(world)
    profile = mapping_profile_save(viewer=OPERATOR, header=["When", "What"], name="p", owning_organisation=world["organisations"]["council"],
                                   data_category=world["categories"]["environmental"], source="p", date_column="When",
                                   date_format="%d/%m/%Y", category_column="What", location_kind="none")
    sign_in(client, user)
    pages = [reverse("web:import-list"), reverse("web:import-new"), reverse("web:import-detail", args=[run.pk]),
             reverse("web:import-status", args=[run.pk]),
             reverse("web:profile-list"), reverse("web:profile-create"), reverse("web:profile-edit", args=[profile.pk])]
    own = user.organisation == world["organisations"]["council"]
    for path in pages:
        status = client.get(path).status_code
        expected = 200 if persona in ALLOWED else 403
        if persona in ALLOWED and not own and ("/imports/" in path and str(run.pk) in path or "/profiles/" in path and str(profile.pk) in path):
            expected = 404  # another organisation's run and profile do not exist for them
        assert status == expected, f"{persona} {path}: {status}"
    page = client.get(reverse("web:home")).content.decode()
    assert (f'href="{reverse("web:import-list")}"' in page) == (persona in ALLOWED)


@pytest.mark.django_db
def test_imports_need_sign_in(client):
    response = client.get(reverse("web:import-new"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


# --- uploading -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_upload_creates_a_run_for_the_uploaders_organisation_and_queues_it_on_commit(
    client, police_analyst, world, data_dir, django_capture_on_commit_callbacks
):
    sign_in(client, police_analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, police_csv(*GOOD_ROWS))
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:import-detail", args=[run.pk])
    assert (run.importer, run.status, run.file_name, run.started_by) == ("police-uk", "queued", "2026-05-fenshire-street.csv", police_analyst)
    assert run.organisation == world["organisations"]["police"]
    assert run.upload.name.startswith("uploads/") and run.upload.name.endswith(".csv")
    stored = data_dir / "media" / run.upload.name  # through the storage API, outside what the web serves
    assert stored.read_bytes() == police_csv(*GOOD_ROWS)
    task = DBTaskResult.objects.get()
    assert task.task_path == "saferplace.incidents.tasks.import_file_task"
    assert task.args_kwargs["args"] == [run.pk]  # the task takes only the run
    page = client.get(response["Location"]).content.decode()
    assert "Queued" in page and 'hx-trigger="every 2s"' in page
    assert "saferplace worker" not in page  # only after a minute of waiting


@pytest.mark.django_db
def test_the_upload_form_offers_no_choice_of_owner(client, council_analyst, world):
    sign_in(client, council_analyst)
    page = client.get(reverse("web:import-new")).content.decode()
    assert 'name="organisation"' not in page
    assert "The records will belong to your organisation, Riverford City Council." in page
    assert "Place lookup" not in page  # places.manage is an administrator's
    assert "Options for a partner&#39;s file" in page and "Options for A " not in page  # a sentence, in lower case


@pytest.mark.django_db
def test_a_long_wait_mentions_the_worker(client, council_analyst, world):
    run = council_run(world)
    ImportRun.objects.filter(pk=run.pk).update(queued_at=run.queued_at.replace(year=2020))
    sign_in(client, council_analyst)
    assert "saferplace worker" in client.get(reverse("web:import-status", args=[run.pk])).content.decode()


@pytest.mark.django_db
def test_a_running_import_shows_rows_done_rate_and_time_left(client, council_analyst, world):
    from datetime import timedelta

    from django.utils import timezone

    started = timezone.now() - timedelta(seconds=10)
    run = council_run(world, status="running", started_at=started, progress_done=50_000, progress_total=200_000,
                      lease_expires_at=timezone.now() + timedelta(minutes=2))
    sign_in(client, council_analyst)
    page = client.get(reverse("web:import-status", args=[run.pk])).content.decode()
    assert "50,000 of 200,000 rows done (25%)" in page
    # 50,000 rows in about 10 seconds: about 5,000 a second, and 30 seconds left.
    assert "rows a second; less than a minute left." in page
    rate = int(page.split(" rows a second")[0].rsplit(">", 1)[-1].replace(",", ""))
    assert 4_000 <= rate <= 5_000


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), [
    ("crimes.xlsx", police_csv(*GOOD_ROWS), "The selected file must be a CSV file"),
    ("crimes.csv", b"", "The selected file is empty"),
    ("crimes.csv", b"PK\x03\x04binary", "is not a CSV file"),
    ("crimes.csv", b"x" * 2048, "must be smaller than"),
])
def test_bad_uploads_are_named_and_nothing_is_queued(client, council_analyst, world, monkeypatch, name, content, message):
    monkeypatch.setattr(web_forms, "IMPORT_UPLOAD_MAX_BYTES", 1024)
    sign_in(client, council_analyst)
    response = upload(client, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_profile_import_needs_a_profile(client, council_analyst):
    sign_in(client, council_analyst)
    response = upload(client, b"When,What\n01/05/2026,Fly tip\n", importer="profile")
    assert response.status_code == 400
    assert "Choose the mapping profile that describes this file" in response.content.decode()
    assert not ImportRun.objects.exists()


# --- after the worker ------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_worker_imports_and_the_run_page_shows_it(client, police_analyst, world, data_dir):
    sign_in(client, police_analyst)
    response = upload(client, police_csv(*GOOD_ROWS, BAD_ROW))
    run = ImportRun.objects.get()
    stored = data_dir / "media" / run.upload.name
    assert stored.is_file()
    call_command("worker", "--batch")
    run.refresh_from_db()
    assert run.status == "succeeded", run.message
    assert not stored.exists() and not run.upload  # the upload is not kept once imported
    assert (run.rows_read, run.rows_imported, run.rows_rejected) == (3, 2, 1)
    assert Incident.objects.filter(import_run=run, owning_organisation=world["organisations"]["police"]).count() == 2

    page = client.get(response["Location"]).content.decode()
    assert "Imported" in page and "hx-trigger" not in page
    assert "Dragon sighting" in page or "Crime type" in page  # the rejected row: its field and reason
    assert "<td class=\"govuk-table__cell govuk-table__cell--numeric\">4</td>" in page  # row 4 (header is row 1)
    shown = AuditEntry.objects.filter(action="view", object_id=str(run.pk)).latest("sequence")
    assert (shown.actor_username, shown.details["rows"]) == ("police_analyst", 1)  # the rows shown are recorded
    listing = client.get(reverse("web:import-list")).content.decode()
    assert "2026-05-fenshire-street.csv" in listing and "Imported" in listing

    download = client.get(reverse("web:import-rejections", args=[run.pk]))
    assert download["Content-Type"].startswith("text/csv")
    assert download["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert rows[0][:3] == ["row_number", "field", "reason"]
    assert len(rows) == 2 and rows[1][0] == "4"
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.actor_username, entry.object_id) == ("export", "police_analyst", str(run.pk))


@pytest.mark.django_db
def test_runs_and_their_rows_are_seen_only_by_the_importing_organisation(client, council_analyst, council_admin, bid_analyst, world):
    run = council_run(world, started_by=council_analyst, status="succeeded", rows_read=1, rows_rejected=1)
    run.rejections.create(row_number=2, field="Crime type", reason="Crime type 'X' is not a police.uk crime type",
                          raw={"Crime ID": "abc", "Location": "On or near Mill Road"})
    sign_in(client, council_admin)  # a colleague of the importer, in the same organisation
    assert client.get(reverse("web:import-rejections", args=[run.pk])).status_code == 200
    assert "is not a police.uk crime type" in client.get(reverse("web:import-detail", args=[run.pk])).content.decode()
    sign_in(client, bid_analyst)  # an analyst elsewhere: the run does not exist for them
    before = AuditEntry.objects.count()
    for name in ("web:import-rejections", "web:import-detail", "web:import-status"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404
    assert "x.csv" not in client.get(reverse("web:import-list")).content.decode()
    refusals = AuditEntry.objects.filter(sequence__gt=before)
    assert [entry.action for entry in refusals] == ["refused"] * 3


@pytest.mark.django_db(transaction=True)
def test_a_file_in_the_wrong_format_is_refused_with_the_importers_message(client, council_analyst, world):
    sign_in(client, council_analyst)
    response = upload(client, b"date,kind,where\n2026-05-01,fly tip,High Street\n", name="wrong.csv")
    call_command("worker", "--batch")
    run = ImportRun.objects.get()
    assert run.status == "refused"
    assert run.message
    page = client.get(response["Location"]).content.decode()
    assert "Refused" in page
    assert run.message.split("\n")[0][:40] in page.replace("&#34;", '"').replace("&#39;", "'")
    assert not Incident.objects.exists()


# --- mapping profiles ------------------------------------------------------------------------

SAMPLE_HEADER = ["Reference", "Date reported", "Type", "Latitude", "Longitude", "Street"]
SAMPLE_ROWS = [
    ["ENV-1", "03/05/2026", "Fly tip", "52.451", "-0.951", "High Street"],
    ["ENV-2", "04/05/2026", "Graffiti", "52.452", "-0.952", "Park Road"],
    ["ENV-3", "05/05/2026", "Fly tip", "52.453", "-0.953", "Mill Lane"],
    ["ENV-4", "06/05/2026", "Dog fouling", "52.454", "-0.954", "Mill Lane"],
]


def sample_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(SAMPLE_HEADER)
    writer.writerows(SAMPLE_ROWS)
    return buffer.getvalue().encode()


def sample_xlsx(tmp_path) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(SAMPLE_HEADER)
    for row in SAMPLE_ROWS:
        sheet.append(row)
    path = tmp_path / "sample.xlsx"
    workbook.save(path)
    return path.read_bytes()


def map_field(page: str, value: str) -> str:
    """The name of the category map's select for a partner's category, from the page."""
    import re

    match = re.search(r'<label class="govuk-label govuk-label--s" for="id_(map-[0-9a-f]+)">\s*' + re.escape(value), page)
    assert match, f"no map row for {value}"
    return match.group(1)


def read_samples() -> None:
    """What the worker does with the samples waiting to be read."""
    for sample in ProfileSample.objects.filter(status="queued"):
        profile_sample_read(sample=sample)


def upload_sample(client, url: str, name: str, content: bytes):
    """Upload a sample, let the worker read it, and return the page's address with the sample."""
    response = client.post(url, {"action": "sample", "sample": SimpleUploadedFile(name, content)})
    assert response.status_code == 302 and response["Location"].startswith(url + "?sample=")
    read_samples()
    return response["Location"]


def profile_data(world, page: str, **changes) -> dict:
    import re

    sample = re.search(r'name="sample" value="(\d+)"', page)
    data = {
        "action": "save", "map_column": "Type", "name": "council-environment", "description": "Street scene reports",
        "sample": sample.group(1) if sample else "", "data_category": world["categories"]["environmental"].pk,
        "source": "council-environment", "date_column": "Date reported", "date_format": "%d/%m/%Y",
        "category_column": "Type", "location_kind": "coordinates", "latitude_column": "Latitude",
        "longitude_column": "Longitude", "postcode_column": "", "lsoa_column": "", "external_id_column": "Reference",
        "outcome_column": "", "description_column": "Street", "default_category": "",
        map_field(page, "Fly tip"): "fly-tipping", map_field(page, "Graffiti"): "graffiti",
        map_field(page, "Dog fouling"): "reject",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_create_a_profile_from_a_sample(client, council_analyst, world, data_dir, tmp_path, kind):
    sign_in(client, council_analyst)
    content = sample_csv() if kind == "csv" else sample_xlsx(tmp_path)
    url = reverse("web:profile-create")
    assert "Upload a sample file" in client.get(url).content.decode()
    response = client.post(url, {"action": "sample", "sample": SimpleUploadedFile(f"environment.{kind}", content)})
    assert response.status_code == 302 and response["Location"].startswith(url + "?sample=")
    stored = ProfileSample.objects.get().upload.name  # through the storage API, outside what the web serves
    assert stored.startswith("samples/") and stored.endswith(f".{kind}")
    assert (data_dir / "media" / stored).read_bytes() == content
    waiting = client.get(response["Location"]).content.decode()
    assert "Reading your sample" in waiting and 'hx-trigger="every 2s"' in waiting  # the worker reads it, not the request
    read_samples()
    assert not (data_dir / "media" / stored).exists() and not ProfileSample.objects.get().upload  # read, then deleted

    url = response["Location"]
    page = client.get(url).content.decode()
    assert f"Sample: environment.{kind}" in page
    assert 'role="region"' in page and "Date reported" in page and "ENV-4" in page
    assert page.index("Fly tip") < page.index("Dog fouling")  # the most frequent first
    assert '<option value="Latitude" selected>' in page  # guessed from the header
    assert '<option value="fly-tipping" selected>' in page  # "Fly tip" guessed as Fly-tipping

    response = client.post(url, profile_data(world, page))
    assert response.status_code == 302, response.content.decode()
    profile = MappingProfile.objects.get(name="council-environment")
    assert profile.category_map == {"Fly tip": "fly-tipping", "Graffiti": "graffiti", "Dog fouling": ""}
    assert (profile.date_column, profile.latitude_column, profile.postcode_column) == ("Date reported", "Latitude", "")
    assert profile.created_by == council_analyst
    assert profile.owning_organisation == world["organisations"]["council"]
    assert AuditEntry.objects.filter(action="create", object_type="incidents.mappingprofile").exists()
    assert "council-environment" in client.get(reverse("web:profile-list")).content.decode()


@pytest.mark.django_db
def test_profile_errors_are_named_and_nothing_is_saved(client, council_analyst, world):
    sign_in(client, council_analyst)
    url = upload_sample(client, reverse("web:profile-create"), "environment.csv", sample_csv())
    page = client.get(url).content.decode()
    response = client.post(url, profile_data(world, page, date_format="%Y-%m-%d", latitude_column="", name="Bad Name!"))
    content = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in content
    assert "The dates in the sample, like “03/05/2026”, are not dates written year-month-day (e.g. 2026-01-31)" in content
    assert "Choose the latitude column" in content
    assert "Use only lower-case letters, numbers and hyphens in the name" in content
    assert not MappingProfile.objects.exists()


@pytest.mark.django_db
def test_a_sample_in_the_wrong_format_is_named(client, council_analyst):
    sign_in(client, council_analyst)
    response = client.post(reverse("web:profile-create"), {"action": "sample", "sample": SimpleUploadedFile("notes.txt", b"hello")})
    assert response.status_code == 400
    assert "The selected file must be a CSV or XLSX file" in response.content.decode()


@pytest.mark.django_db
def test_choosing_another_category_column_lists_its_values(client, council_analyst, world):
    sign_in(client, council_analyst)
    url = upload_sample(client, reverse("web:profile-create"), "environment.csv", sample_csv())
    page = client.get(url).content.decode()
    data = profile_data(world, page, category_column="Street", action="save")
    response = client.post(url, data)
    content = response.content.decode()
    assert not MappingProfile.objects.exists()
    assert "Choose how each category in the column “Street” maps to the taxonomy" in content
    assert map_field(content, "Mill Lane")


@pytest.mark.django_db
def test_change_a_profile_without_a_new_sample(client, council_analyst, world):
    profile = mapping_profile_save(
        viewer=OPERATOR, header=SAMPLE_HEADER, name="council-environment", owning_organisation=world["organisations"]["council"],
        data_category=world["categories"]["environmental"], source="council-environment", date_column="Date reported",
        date_format="%d/%m/%Y", category_column="Type", location_kind="none", category_map={"Fly tip": "fly-tipping"},
    )
    sign_in(client, council_analyst)
    url = reverse("web:profile-edit", args=[profile.pk])
    page = client.get(url).content.decode()
    assert "Upload a sample of the partner" in page
    field = map_field(page, "Fly tip")
    response = client.post(url, {
        "action": "save", "map_column": "Type", "name": "council-environment", "description": "Changed",
        "data_category": profile.data_category_id,
        "source": "council-environment", "date_column": "Date reported", "date_format": "%d/%m/%Y",
        "category_column": "Type", "location_kind": "none", field: "litter", "default_category": "graffiti",
    })
    assert response.status_code == 302, response.content.decode()
    profile.refresh_from_db()
    assert (profile.description, profile.category_map, profile.default_category.code) == ("Changed", {"Fly tip": "litter"}, "graffiti")
    change = AuditEntry.objects.get(action="change", object_type="incidents.mappingprofile")
    assert change.details["changes"]["description"] == ["", "Changed"]


@pytest.mark.django_db
def test_the_profile_service_checks_columns_categories_and_location(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        mapping_profile_save(
            viewer=OPERATOR, header=["When", "What", "Postcode"], name="youth", owning_organisation=world["organisations"]["council"],
            data_category=world["categories"]["asb"], source="youth", date_column="Date", date_format="%d/%m/%Y",
            category_column="What", location_kind="postcode", category_map={"Contact": "no-such-category"},
        )
    errors = raised.value.message_dict
    assert errors["date_column"] == ["The sample file has no column called “Date”"]
    assert errors["postcode_column"] == ["Choose the postcode column"]
    assert errors["category_map"] == ["These categories are not in the taxonomy: no-such-category"]
    assert not MappingProfile.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_partners_file_imports_through_a_profile_made_in_the_browser(client, council_analyst, world, tmp_path):
    sign_in(client, council_analyst)
    url = upload_sample(client, reverse("web:profile-create"), "environment.xlsx", sample_xlsx(tmp_path))
    assert client.post(url, profile_data(world, client.get(url).content.decode())).status_code == 302
    profile = MappingProfile.objects.get()

    response = upload(client, sample_xlsx(tmp_path), name="environment-may.xlsx", importer="profile", profile=profile.pk)
    assert response.status_code == 302
    call_command("worker", "--batch")
    run = ImportRun.objects.get()
    assert run.status == "succeeded", run.message
    assert (run.rows_read, run.rows_imported, run.rows_rejected) == (4, 3, 1)
    assert sorted(Incident.objects.values_list("category", flat=True)) == ["fly-tipping", "fly-tipping", "graffiti"]
    page = client.get(response["Location"]).content.decode()
    assert "Imported" in page and "Dog fouling" in page


@pytest.mark.django_db
def test_a_special_category_run_is_hidden_from_a_role_that_may_not_read_it(client, world, police_officer):
    """Its counts and file size would say how much safeguarding data the organisation holds."""
    from saferplace.partners.models import Role
    from tests.conftest import _persona

    police_analyst = _persona(world, "police_analyst", "police", Role.ANALYST)  # analysts may not read safeguarding
    run = ImportRun.objects.create(importer="profile", file_name="safeguarding-may.csv", file_hash="", status="succeeded",
                                   organisation=world["organisations"]["police"], data_category=world["categories"]["safeguarding"],
                                   rows_read=120, file_size=40_000)
    sign_in(client, police_analyst)
    assert "safeguarding-may.csv" not in client.get(reverse("web:import-list")).content.decode()
    assert client.get(reverse("web:import-detail", args=[run.pk])).status_code == 404
