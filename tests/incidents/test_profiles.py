"""Mapping profiles as a service (`saferplace/incidents/profiles.py`): each change writes the
profile's event and its audit entry together, and its history is the profile's organisation's
alone; the time column is checked against the sample; samples are kept through Django's storage
API and read by the worker through it, the file deleted once read."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from saferplace.audit.models import AuditEntry
from saferplace.errors import NotAllowed, NotFound
from saferplace.incidents.events import MappingProfileEvent, MappingProfileEventKind
from saferplace.incidents.models import MappingProfile, ProfileSample, ProfileSampleStatus
from saferplace.incidents.profiles import (
    mapping_profile_history,
    mapping_profile_save,
    profile_sample_create,
    profile_sample_read,
)
from saferplace.incidents.tasks import profile_sample_task
from tests.conftest import viewer

pytestmark = pytest.mark.django_db

HEADER = ["Ref", "Date", "Time", "Type"]


def save(user, world, profile=None, **changes) -> MappingProfile:
    fields = {
        "header": HEADER, "name": "calls", "data_category": world["categories"]["environmental"], "source": "calls",
        "date_column": "Date", "date_format": "%d/%m/%Y", "category_column": "Type", "location_kind": "none",
        "category_map": {"Fly tip": "fly-tipping"}, "external_id_column": "Ref",
    }
    return mapping_profile_save(viewer=viewer(user), profile=profile, **fields | changes)


def profile_entries(profile) -> list[tuple[str, dict]]:
    return list(AuditEntry.objects.filter(object_type="incidents.mappingprofile", object_id=str(profile.pk))
                .order_by("pk").values_list("action", "details"))


# History -------------------------------------------------------------------------------------------


def test_making_and_changing_a_profile_writes_its_events_and_audit_entries_together(council_analyst, world):
    profile = save(council_analyst, world)
    save(council_analyst, world, profile, time_column="Time", description="Calls for service",
         category_map={"Fly tip": "fly-tipping", "Dog fouling": ""})
    save(council_analyst, world, profile, time_column="Time", description="Calls for service",
         category_map={"Fly tip": "fly-tipping", "Dog fouling": ""})  # nothing changes: nothing is written

    events = list(mapping_profile_history(viewer=viewer(council_analyst), profile=profile))
    assert [event.kind for event in events] == [MappingProfileEventKind.ADDED, MappingProfileEventKind.CHANGED]
    assert (events[0].actor_id, events[0].actor_organisation) == (council_analyst.pk, "Riverford City Council")
    assert events[1].changes == {
        "time_column": ["", "Time"],
        "description": ["", "Calls for service"],
        "category_map": ["Fly tip: fly-tipping", "Fly tip: fly-tipping; Dog fouling: rejected"],
    }
    entries = profile_entries(profile)
    assert [action for action, _ in entries] == ["create", "change"]
    assert entries[0][1]["organisation"] == "Riverford City Council"
    assert entries[1][1]["changes"] == events[1].changes
    profile.refresh_from_db()
    assert (profile.time_column, profile.description) == ("Time", "Calls for service")


def test_a_refused_save_writes_neither_event_nor_audit_entry(council_analyst, world):
    profile = save(council_analyst, world)
    with pytest.raises(ValidationError):
        save(council_analyst, world, profile, time_column="Nowhere")
    assert MappingProfileEvent.objects.filter(record=profile).count() == 1
    assert [action for action, _ in profile_entries(profile)] == ["create"]


def test_another_organisations_profile_and_its_history_are_not_found(council_analyst, bid_analyst, police_officer, world):
    profile = save(council_analyst, world)
    before = list(MappingProfile.objects.values())
    with pytest.raises(NotFound):
        mapping_profile_history(viewer=viewer(bid_analyst), profile=profile)
    with pytest.raises(NotFound):
        save(bid_analyst, world, profile, time_column="Time", description="Mine now")
    with pytest.raises(NotAllowed):  # a role without profiles.manage, in the owning organisation's partnership
        mapping_profile_history(viewer=viewer(police_officer), profile=profile)
    assert list(MappingProfile.objects.values()) == before
    assert list(MappingProfileEvent.objects.values_list("kind", flat=True)) == [MappingProfileEventKind.ADDED]
    assert [action for action, _ in profile_entries(profile)] == ["create"]


# The time column -----------------------------------------------------------------------------------


def test_the_time_column_is_checked_against_the_date_column_the_format_and_the_sample(council_analyst, world):
    with pytest.raises(ValidationError) as same:
        save(council_analyst, world, time_column="Date")
    assert same.value.message_dict["time_column"] == [
        "Choose another column than the date column, or none: a time written after the date is read anyway"]

    with pytest.raises(ValidationError) as monthly:
        save(council_analyst, world, time_column="Time", date_format="%m/%Y")
    assert monthly.value.message_dict["time_column"] == [
        "The dates have no day, so no time of day is kept: choose no time column"]

    with pytest.raises(ValidationError) as not_times:
        save(council_analyst, world, time_column="Type", sample_times=["Fly tip", "Graffiti"])
    assert not_times.value.message_dict["time_column"] == [
        "The values in the sample, like “Fly tip”, are not times of day like 23:15, 23:15:00, 11:15 pm or 2315"]

    with pytest.raises(ValidationError) as missing:
        save(council_analyst, world, time_column="Hour")
    assert missing.value.message_dict["time_column"] == ["The sample file has no column called “Hour”"]
    assert not MappingProfile.objects.exists()

    profile = save(council_analyst, world, time_column="Time", sample_times=["23:15", "", "2315", "late"])
    assert profile.time_column == "Time"


# Samples, through the storage API ---------------------------------------------------------------------


def test_a_sample_is_stored_and_read_through_the_storage_then_deleted(council_analyst, world, stored_uploads):
    content = b"Ref,Date,Time,Type\nC-1,03/05/2026,23:15,Fly tip\nC-2,04/05/2026,0905,Graffiti\n"
    sample = profile_sample_create(viewer=viewer(council_analyst), file_name="../../calls for service.csv",
                                   content=ContentFile(content))
    stored = sample.upload.name
    assert stored.startswith("samples/") and stored.endswith(".csv") and ".." not in stored
    assert sample.file_name == "calls for service.csv"
    with stored_uploads.open(stored, "rb") as handle:  # in the storage, not on this machine's disk
        assert handle.read() == content

    result = profile_sample_task.call(sample.pk)  # what the worker runs

    sample.refresh_from_db()
    assert result == {"status": "ready", "columns": 4, "rows": 2, "message": ""}
    assert (sample.status, sample.header) == (ProfileSampleStatus.READY, ["Ref", "Date", "Time", "Type"])
    assert sample.rows == [["C-1", "03/05/2026", "23:15", "Fly tip"], ["C-2", "04/05/2026", "0905", "Graffiti"]]
    assert not stored_uploads.exists(stored) and not sample.upload  # the header and rows are kept, the file is not


def test_a_workbook_sample_is_read_through_the_storage(council_analyst, world, stored_uploads, tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Ref", "Date"])
    workbook.active.append(["C-1", "03/05/2026"])
    workbook.save(tmp_path / "calls.xlsx")
    sample = profile_sample_create(viewer=viewer(council_analyst), file_name="calls.xlsx",
                                   content=ContentFile((tmp_path / "calls.xlsx").read_bytes()))
    stored = sample.upload.name

    profile_sample_task.call(sample.pk)

    sample.refresh_from_db()
    assert (sample.status, sample.header, sample.rows) == (ProfileSampleStatus.READY, ["Ref", "Date"], [["C-1", "03/05/2026"]])
    assert not stored_uploads.exists(stored)


def test_a_sample_that_cannot_be_read_is_refused_and_deleted_all_the_same(council_analyst, world, stored_uploads):
    sample = profile_sample_create(viewer=viewer(council_analyst), file_name="calls.csv", content=ContentFile(b"\xff\xfe,1\n"))
    stored = sample.upload.name

    result = profile_sample_task.call(sample.pk)

    assert result["status"] == ProfileSampleStatus.REFUSED and "not UTF-8" in result["message"]
    assert not stored_uploads.exists(stored) and not ProfileSample.objects.get().upload


def test_a_sample_whose_file_is_gone_says_so(council_analyst, world, stored_uploads):
    sample = profile_sample_create(viewer=viewer(council_analyst), file_name="calls.csv", content=ContentFile(b"a,b\n1,2\n"))
    stored_uploads.delete(sample.upload.name)

    sample = profile_sample_read(sample=sample)

    assert (sample.status, sample.message) == (ProfileSampleStatus.REFUSED, "The sample file is no longer there: upload it again.")
    assert profile_sample_task.call(sample.pk + 1)["status"] == "gone"  # a sample deleted since it was queued


def test_only_people_who_manage_profiles_upload_samples(police_officer, world, stored_uploads):
    with pytest.raises(NotAllowed):
        profile_sample_create(viewer=viewer(police_officer), file_name="calls.csv", content=ContentFile(b"a,b\n1,2\n"))
    assert not ProfileSample.objects.exists()
    assert not stored_uploads.listdir("")[1]  # nothing stored


def test_a_special_category_profile_is_only_for_the_roles_its_category_allows(world, police_analyst, client):
    """An analyst may not see, use or re-file a safeguarding profile of their own force (analysts
    are not among the roles safeguarding allows), nor make one."""
    from saferplace.incidents.profiles import mapping_profile_get
    from tests.conftest import OPERATOR, sign_in

    fields = {
        "header": HEADER, "name": "concerns", "source": "concerns", "date_column": "Date", "date_format": "%d/%m/%Y",
        "category_column": "Type", "location_kind": "none", "category_map": {"Concern": "child-concern"},
    }
    profile = mapping_profile_save(viewer=OPERATOR, data_category=world["categories"]["safeguarding"],
                                   owning_organisation=world["organisations"]["police"], **fields)
    with pytest.raises(NotFound):
        mapping_profile_get(viewer=viewer(police_analyst), profile_id=profile.pk)
    assert sign_in(client, police_analyst).get(f"/profiles/{profile.pk}/edit/").status_code == 404
    with pytest.raises(ValidationError, match="data category your role may see"):
        save(police_analyst, world, name="concerns two", data_category=world["categories"]["safeguarding"])
    profile.refresh_from_db()
    assert profile.data_category == world["categories"]["safeguarding"]
