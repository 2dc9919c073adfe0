"""Making reports and triaging them: routing, every check of what a resident sends, who may
triage, and that a refusal changes nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from saferplace.errors import NotAllowed, NotFound
from saferplace.notifications.models import NotificationSend
from saferplace.reports.models import Report, ReportEvent, ReportEventKind, ReportPhoto
from saferplace.reports.public import resident_viewer
from saferplace.reports.services import (
    report_accept,
    report_comment,
    report_duplicate,
    report_reassign,
    report_reopen,
    report_state_set,
    report_support,
    report_task_make,
    state_get,
)
from saferplace.tasking.models import TaskStatus
from saferplace.tasking.services import task_complete, task_take
from tests.conftest import viewer
from tests.reports.fixtures import IN_CENTRAL_NOT_PARKSIDE, OUTSIDE

pytestmark = pytest.mark.django_db


def _photo(name="photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _unchanged(report: Report) -> None:
    again = Report.objects.get(pk=report.pk)
    assert (again.state_id, again.owning_organisation_id, again.is_public) == ("open", report.owning_organisation_id, True)
    assert list(ReportEvent.objects.filter(record=report).values_list("kind", flat=True)) == [ReportEventKind.CREATED]


@pytest.mark.parametrize(("service", "at", "partner"), [
    ("fly", IN_CENTRAL_NOT_PARKSIDE, "council"),
    ("litter", IN_CENTRAL_NOT_PARKSIDE, "council"),
    ("drugs", IN_CENTRAL_NOT_PARKSIDE, "police"),
])
def test_a_report_goes_to_the_partner_the_routing_table_names(make_report, world, service, at, partner):
    report = make_report(service, at=at, description="It is there")
    assert report.owning_organisation == world["organisations"][partner]


def test_the_rule_of_the_smallest_area_wins(make_report, world):
    assert make_report("litter", description="Crisp packets").owning_organisation == world["organisations"]["bid"]


def test_a_point_no_rule_covers_is_refused_and_nothing_is_stored(make_report):
    with pytest.raises(ValueError, match="outside the area"):
        make_report(at=OUTSIDE)
    assert not Report.objects.exists()


@pytest.mark.parametrize(("fields", "message"), [
    ({"description": "   "}, "Description is needed"),
    ({"description": "x" * 5001}, "Description: at most 5000"),
    ({"answers": {}}, "What has been dumped"),
    ({"answers": {"what": "piano"}}, "choose one of the listed values"),
    ({"answers": {"what": "garden", "bags": "lots"}}, "give a number"),
    ({"answers": {"what": "garden", "bags": "1e400"}}, "give a number"),
    ({"answers": {"what": "garden", "bags": "nan"}}, "give a number"),
    ({"answers": {"what": "garden", "seen": "yesterday"}}, "give a date and time"),
    ({"answers": {"what": "garden", "seen": "9999-01-01T00:00:00"}}, "give a date and time"),
    ({"answers": {"what": "garden", "hazards": ["needles", "plutonium"]}}, "choose from the listed values"),
    ({"email": "not-an-address"}, "Email address"),
    ({"media_url": "javascript:alert(1)"}, "media_url"),
    ({"name": "n" * 151}, "Name: at most 150"),
    ({"photos": [_photo(), _photo(), _photo(), _photo()]}, "At most 3 photos"),
    ({"photos": [SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")]}, "not a photo"),
])
def test_what_a_resident_sends_is_checked_whole_before_anything_is_stored(make_report, fields, message):
    with pytest.raises(ValueError, match=message):
        make_report(**fields)
    assert not Report.objects.exists() and not ReportPhoto.objects.exists()


def test_bad_points_are_refused(services):
    from saferplace.reports.services import report_create

    for latitude, longitude in (("abc", "1"), ("nan", "0"), ("91", "0"), ("1e309", "0"), (None, None)):
        with pytest.raises(ValueError, match="lat"):
            report_create(viewer=resident_viewer(), service=services["drugs"], latitude=latitude,
                          longitude=longitude, description="x")


def test_answers_are_stored_as_their_questions_ask(make_report):
    report = make_report(answers={"what": "garden", "bags": " 4 ", "seen": "2026-11-27T08:00:00Z",
                                  "hazards": ["needles", "needles"], "unasked": "ignored"})
    assert report.attributes == {"what": "garden", "bags": "4", "seen": "2026-11-27T08:00:00+00:00",
                                 "hazards": ["needles"]}


def test_a_report_is_made_with_its_photos_its_event_and_the_resident_s_receipt(make_report):
    report = make_report(email="resident@example.org", photos=[_photo()])
    assert report.state_id == "open" and report.is_public and len(report.token) == 10
    assert report.photos.count() == 1
    event = ReportEvent.objects.get(record=report)
    assert event.kind == ReportEventKind.CREATED and event.actor_name == "resident"
    sent = NotificationSend.objects.get(address="resident@example.org")
    assert report.token in sent.body and "received by Riverford City Council" in sent.body


def test_no_address_no_message(make_report):
    make_report()
    assert not NotificationSend.objects.exists()


def test_a_private_report_is_urgent_and_never_public(make_report, world):
    report = make_report("safeguarding", description="A child alone at night")
    assert (report.is_public, report.urgent, report.owning_organisation) == (False, True, world["organisations"]["police"])
    assert report.data_category == world["categories"]["safeguarding"]


def test_the_partner_accepts_and_the_resident_hears(make_report, council_analyst):
    report = make_report(email="resident@example.org")
    report_accept(viewer=viewer(council_analyst), report=report)
    report.refresh_from_db()
    assert report.state_id == "investigating"
    assert NotificationSend.objects.filter(subject__endswith="Investigating").exists()


def test_another_organisation_cannot_triage_and_nothing_changes(make_report, police_officer, fire_officer, bid_analyst,
                                                                world):
    report = make_report()
    for person in (police_officer, fire_officer, bid_analyst):
        with pytest.raises(NotFound):
            report_accept(viewer=viewer(person), report=report)
        with pytest.raises(NotFound):
            report_reassign(viewer=viewer(person), report=report, organisation=world["organisations"]["police"],
                            reason="Mine")
        with pytest.raises(NotFound):
            report_comment(viewer=viewer(person), report=report, text="Hello")
    _unchanged(report)


def test_a_role_without_triage_cannot_and_nothing_changes(make_report, council_volunteer, council_auditor,
                                                          council_admin):
    report = make_report()
    for person in (council_volunteer, council_auditor, council_admin):
        with pytest.raises(NotAllowed):
            report_accept(viewer=viewer(person), report=report)
        with pytest.raises(NotAllowed):
            report_state_set(viewer=viewer(person), report=report, state=state_get("fixed"))
    _unchanged(report)


def test_closing_needs_the_reason_the_resident_reads_and_hidden_is_never_public(make_report, council_analyst):
    report = make_report()
    with pytest.raises(ValueError, match="Say why"):
        report_state_set(viewer=viewer(council_analyst), report=report, state=state_get("unable_to_fix"))
    _unchanged(report)
    report_state_set(viewer=viewer(council_analyst), report=report, state=state_get("hidden"), text="Abusive")
    report.refresh_from_db()
    assert report.state_id == "hidden" and not report.is_public


def test_closed_not_fixed_is_not_fixed(make_report, council_analyst):
    report = make_report()
    report_state_set(viewer=viewer(council_analyst), report=report, state=state_get("unable_to_fix"),
                     text="The land is private")
    report.refresh_from_db()
    assert report.state.kind == "closed" and report.state.open311_status == "closed"
    assert report.updates.last().text == "The land is private"


def test_a_duplicate_points_at_the_first_report_and_adds_its_voices(make_report, council_analyst):
    first, second = make_report(), make_report(description="Bags again")
    report_support(viewer=resident_viewer(), report=second)
    report_duplicate(viewer=viewer(council_analyst), report=second, of=first)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.state_id, second.duplicate_of_id, first.supporters) == ("duplicate", first.pk, 2)
    with pytest.raises(ValueError, match="itself"):
        report_duplicate(viewer=viewer(council_analyst), report=first, of=first)


def test_a_public_report_never_points_at_a_private_one(make_report, police_officer):
    private = make_report("safeguarding", description="At risk")
    public = make_report("drugs", description="Dealing by the shop")
    with pytest.raises(ValueError, match="public report"):
        report_duplicate(viewer=viewer(police_officer), report=public, of=private)


def test_reassigned_it_is_the_other_partner_s_to_triage(make_report, council_analyst, police_officer, world):
    report = make_report()
    report_reassign(viewer=viewer(council_analyst), report=report, organisation=world["organisations"]["police"],
                    reason="Dealing, not tipping")
    report_accept(viewer=viewer(police_officer), report=report)
    with pytest.raises(NotFound):
        report_comment(viewer=viewer(council_analyst), report=report, text="Still ours?")


def test_a_fly_tip_made_a_volunteer_task_completed_tells_the_resident_what_was_done(make_report, council_analyst,
                                                                                    volunteer):
    report = make_report(email="resident@example.org")
    task = report_task_make(viewer=viewer(council_analyst), report=report, title="Collect the bags",
                            for_volunteers=True)
    assert (task.source_kind, task.source_id, task.organisation_id) == ("report", report.pk,
                                                                       report.owning_organisation_id)
    task_take(viewer=viewer(volunteer), task=task)
    task_complete(viewer=viewer(volunteer), task=task, outcome="Collected six bags and the mattress")
    report.refresh_from_db()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and report.state_id == "fixed"
    told = NotificationSend.objects.filter(address="resident@example.org").order_by("id").last()
    assert "What was done: Collected six bags and the mattress" in told.body


def test_a_private_report_is_never_given_to_volunteers(make_report, police_officer):
    report = make_report("safeguarding", description="At risk")
    with pytest.raises(NotAllowed):
        report_task_make(viewer=viewer(police_officer), report=report, title="Visit", for_volunteers=True)


def test_the_resident_reopens_a_fixed_problem_with_their_reference(make_report, council_analyst):
    report = make_report()
    with pytest.raises(ValueError, match="marked fixed"):
        report_reopen(viewer=resident_viewer(), report=report, token=report.token, text="Still there")
    report_state_set(viewer=viewer(council_analyst), report=report, state=state_get("fixed"))
    with pytest.raises(NotAllowed):
        report_reopen(viewer=resident_viewer(), report=report, token="WRONGTOKEN", text="Still there")
    report_reopen(viewer=resident_viewer(), report=report, token=report.token.lower(), text="Still there")
    report.refresh_from_db()
    update = report.updates.last()
    assert report.state_id == "open" and update.from_resident and update.text == "Still there"


def test_a_voice_is_added_only_to_an_open_public_report(make_report, council_analyst, police_officer):
    report = make_report()
    report_support(viewer=resident_viewer(), report=report)
    report.refresh_from_db()
    assert report.supporters == 1
    report_state_set(viewer=viewer(council_analyst), report=report, state=state_get("fixed"))
    with pytest.raises(ValueError, match="closed"):
        report_support(viewer=resident_viewer(), report=report)
    private = make_report("safeguarding", description="At risk")
    with pytest.raises(NotFound):
        report_support(viewer=resident_viewer(), report=private)

