"""The mapping profile page (`saferplace/web/views/profiles.py`): the time column offered from
the sample's header, the profile's history on its page, another organisation's profile neither
shown nor changed, and the sample kept through the storage API."""

import csv
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from saferplace.incidents.events import MappingProfileEvent
from saferplace.incidents.models import MappingProfile, ProfileSample
from saferplace.incidents.tasks import profile_sample_task
from tests.conftest import sign_in
from tests.web.test_imports import data_dir, profile_data, upload_sample  # noqa: F401 (data_dir: autouse)

pytestmark = pytest.mark.django_db

HEADER = ["Reference", "Date reported", "Time", "Type", "Latitude", "Longitude", "Street"]


def sample(times: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    types = ["Fly tip", "Graffiti", "Dog fouling"]
    for number, value in enumerate(times):
        writer.writerow([f"ENV-{number}", f"{13 + number}/05/2026", value, types[number % 3], "52.451", "-0.951", "High Street"])
    return buffer.getvalue().encode()


def options(page: str, name: str) -> list[tuple[str, bool]]:
    """A select's options on the page: (value, selected)."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert select, f"no select {name}"
    return [(html.unescape(value), bool(selected))
            for value, selected in re.findall(r'<option value="([^"]*)"( selected)?', select.group(1))]


def test_the_time_column_is_offered_from_the_sample_and_saved(client, council_analyst, world):
    sign_in(client, council_analyst)
    url = upload_sample(client, reverse("web:profile-create"), "calls.csv", sample(["23:15", "0905", "11:15 pm"]))
    page = client.get(url).content.decode()

    assert "Time column (optional)" in page
    assert options(page, "time_column") == [("", False), *[(column, column == "Time") for column in HEADER]]  # guessed

    response = client.post(url, profile_data(world, page, time_column="Time", dates_column="Date reported"))
    assert response.status_code == 302, response.content.decode()
    assert MappingProfile.objects.get().time_column == "Time"


def test_a_time_column_without_times_is_a_form_error(client, council_analyst, world):
    sign_in(client, council_analyst)
    url = upload_sample(client, reverse("web:profile-create"), "calls.csv", sample(["23:15", "0905", "11:15 pm"]))
    page = client.get(url).content.decode()

    response = client.post(url, profile_data(world, page, time_column="Street", dates_column="Date reported"))
    content = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "The values in the sample, like “High Street”, are not times of day like 23:15, 23:15:00, 11:15 pm or 2315" in content
    response = client.post(url, profile_data(world, page, time_column="Not a column", dates_column="Date reported"))
    assert response.status_code == 400
    assert "Choose one of the sample's columns, or none" in html.unescape(response.content.decode())
    assert not MappingProfile.objects.exists()


def test_the_profiles_history_is_on_its_page(client, council_analyst, world):
    sign_in(client, council_analyst)
    url = upload_sample(client, reverse("web:profile-create"), "calls.csv", sample(["23:15", "0905", "11:15 pm"]))
    page = client.get(url).content.decode()
    assert client.post(url, profile_data(world, page, dates_column="Date reported")).status_code == 302
    profile = MappingProfile.objects.get()
    edit = reverse("web:profile-edit", args=[profile.pk])

    page = client.get(edit).content.decode()
    assert 'id="history"' in page and "Made" in page and "Changed" not in page

    edit_with_sample = upload_sample(client, edit, "calls.csv", sample(["23:15", "0905", "11:15 pm"]))  # to choose another column
    page = client.get(edit_with_sample).content.decode()
    response = client.post(edit_with_sample, profile_data(world, page, time_column="Time", description="Calls with their times",
                                                          dates_column="Date reported"))
    assert response.status_code == 302, response.content.decode()
    page = html.unescape(client.get(edit).content.decode())
    history = page[page.index('id="history"'):]
    assert history.index("Made") < history.index("Changed")
    assert "Time column: none → Time" in history
    assert "Description: Street scene reports → Calls with their times" in history
    assert council_analyst.get_full_name() in history or council_analyst.username in history


def test_another_organisations_profile_shows_no_history_and_changes_nothing(client, council_analyst, bid_analyst, world):
    sign_in(client, council_analyst)
    url = upload_sample(client, reverse("web:profile-create"), "calls.csv", sample(["23:15", "0905", "11:15 pm"]))
    page = client.get(url).content.decode()
    assert client.post(url, profile_data(world, page, dates_column="Date reported")).status_code == 302
    profile = MappingProfile.objects.get()
    before = list(MappingProfile.objects.values())
    events = list(MappingProfileEvent.objects.values_list("pk", flat=True))
    client.logout()

    sign_in(client, bid_analyst)
    edit = reverse("web:profile-edit", args=[profile.pk])
    response = client.get(edit)
    assert response.status_code == 404 and "Street scene reports" not in response.content.decode()
    response = client.post(edit, profile_data(world, page, name="taken-over", time_column="Time", dates_column="Date reported"))
    assert response.status_code == 404
    assert list(MappingProfile.objects.values()) == before
    assert list(MappingProfileEvent.objects.values_list("pk", flat=True)) == events


def test_a_sample_upload_is_kept_through_the_storage_and_deleted_once_read(client, council_analyst, stored_uploads,
                                                                           django_capture_on_commit_callbacks):
    sign_in(client, council_analyst)
    content = sample(["23:15", "0905"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("web:profile-create"),
                               {"action": "sample", "sample": SimpleUploadedFile("calls.csv", content)})
    assert response.status_code == 302 and len(queued) == 1  # queued for the worker once committed
    stored = ProfileSample.objects.get()
    assert stored.upload.name.startswith("samples/")
    with stored_uploads.open(stored.upload.name, "rb") as handle:
        assert handle.read() == content
    assert "Reading your sample" in client.get(response["Location"]).content.decode()

    profile_sample_task.call(stored.pk)  # what the worker does

    assert not stored_uploads.exists(stored.upload.name)
    page = client.get(response["Location"]).content.decode()
    assert "Sample: calls.csv" in page and "ENV-1" in page
