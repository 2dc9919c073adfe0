"""A partner's report pages: the triage queue holds the organisation's own reports only, urgent
first; a report's page shows the resident's details (its opening audited) to who may see it, and
every triage action works for the council's analyst; another organisation's account finds
nothing and changes nothing, a role without `reports.triage` is refused, hostile input is a form
error or a 404, never a 500."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from saferplace.audit.models import AuditEntry
from saferplace.incidents.models import IncidentCategory
from saferplace.meetings.models import Item
from saferplace.meetings.services import series_create
from saferplace.reports.models import Report, ReportEvent, ReportEventKind, ReportUpdate
from saferplace.tasking.models import Task
from tests.conftest import sign_in, viewer
from tests.reports.fixtures import IN_CENTRAL_NOT_PARKSIDE, IN_PARKSIDE

pytestmark = pytest.mark.django_db

SECRET = "SECRET-DESCRIPTION fridge and mattress"
RESIDENT = {"name": "Ada Synthetic", "email": "ada@example.com", "phone": "07700 900123"}


def _jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (30, 20), (120, 10, 10)).save(output, format="JPEG")
    return output.getvalue()


def _state(report: Report) -> tuple:
    report = Report.objects.get(pk=report.pk)
    return (report.state_id, report.owning_organisation_id, report.duplicate_of_id, report.incident_id,
            report.is_public, report.supporters,
            list(ReportEvent.objects.filter(record=report).values_list("kind", flat=True)),
            ReportUpdate.objects.filter(report=report).count(),
            Task.objects.filter(source_kind="report", source_id=report.pk).count())


def _actions(world, other: Report) -> list[tuple[str, dict]]:
    return [
        ("web:triage-accept", {"accept-text": "On it"}),
        ("web:triage-reject", {"reject-state": "unable_to_fix", "reject-text": "No access to the land"}),
        ("web:triage-state", {"state-state": "fixed", "state-text": "Collected"}),
        ("web:triage-duplicate", {"duplicate-of": str(other.pk)}),
        ("web:triage-reassign", {"reassign-organisation": str(world["organisations"]["bid"].pk),
                                 "reassign-reason": "Theirs"}),
        ("web:triage-task", {"task-title": "Collect the fly tip", "task-for_volunteers": "on", "task-priority": "normal"}),
        ("web:triage-meeting", {"meeting-series": "1", "meeting-note": "Repeat fly tipping"}),
        ("web:triage-incident", {}),
        ("web:triage-comment", {"comment-text": "We will look"}),
    ]


@pytest.fixture
def fly(make_report):
    return make_report("fly", description=SECRET, **RESIDENT)


@pytest.fixture
def series(world, police_chair):
    organisations = world["organisations"]
    return series_create(viewer=viewer(police_chair), name="Riverford DRMM", chair=police_chair,
                         member_organisations=[organisations["council"]])


def test_the_queue_holds_the_organisations_own_reports_urgent_first(client, make_report, council_analyst,
                                                                   police_officer, bid_analyst):
    fly = make_report("fly", description="Council's fly tip FLY-1")
    drugs = make_report("drugs", description="Police's drug dealing DRUGS-1")
    safeguarding = make_report("safeguarding", description="A child alone at night SAFE-1")
    bid_litter = make_report("litter", at=IN_PARKSIDE, description="BID's litter LITTER-1")
    council_litter = make_report("litter", at=IN_CENTRAL_NOT_PARKSIDE, description="Council's litter LITTER-2")

    def queue_of(user, query=""):
        sign_in(client, user)
        response = client.get(reverse("web:triage-queue") + query)
        assert response.status_code == 200
        return response.content.decode()

    council = queue_of(council_analyst)
    assert f"Report {fly.pk}:" in council and f"Report {council_litter.pk}:" in council
    assert f"Report {drugs.pk}:" not in council and f"Report {safeguarding.pk}:" not in council
    assert f"Report {bid_litter.pk}:" not in council
    assert 'href="/triage/"' in council  # the navigation's "Reports"

    police = queue_of(police_officer)
    assert f"Report {fly.pk}:" not in police  # the police never see the council's fly tip in their queue
    assert police.index(f"Report {safeguarding.pk}:") < police.index(f"Report {drugs.pk}:")  # urgent first
    assert "Urgent" in police and "Private" in police
    assert "SAFE-1" not in police  # the queue shows no description

    bid = queue_of(bid_analyst)
    assert f"Report {bid_litter.pk}:" in bid
    assert all(f"Report {each.pk}:" not in bid for each in (fly, drugs, safeguarding, council_litter))


def test_the_queue_tabs_and_the_oldest_first(client, make_report, council_analyst):
    first, second = make_report("fly"), make_report("fly")
    closed = make_report("fly")
    sign_in(client, council_analyst)
    client.post(reverse("web:triage-reject", args=[closed.pk]),
                {"reject-state": "no_further_action", "reject-text": "Private land"})
    text = client.get(reverse("web:triage-queue")).content.decode()
    assert text.index(f"Report {first.pk}:") < text.index(f"Report {second.pk}:")
    assert f"Report {closed.pk}:" not in text
    closed_tab = client.get(reverse("web:triage-queue") + "?show=closed").content.decode()
    assert f"Report {closed.pk}:" in closed_tab and f"Report {first.pk}:" not in closed_tab
    every = client.get(reverse("web:triage-queue") + "?show=all").content.decode()
    assert all(f"Report {each.pk}:" in every for each in (first, second, closed))
    assert f"Report {first.pk}:" not in client.get(reverse("web:triage-queue") + "?urgent=on").content.decode()
    response = client.get(reverse("web:triage-queue") + "?show=%3Cscript%3E")
    assert response.status_code == 400 and "Choose open, closed or all reports" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_the_report_page_shows_the_resident_only_there_and_is_audited(client, fly, council_analyst):
    sign_in(client, council_analyst)
    response = client.get(reverse("web:triage-report", args=[fly.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "What has been dumped?" in text and "Household rubbish" in text and SECRET in text
    assert all(value in text for value in RESIDENT.values()) and "Personal data" in text
    assert fly.token not in text  # the resident's reference lets them reopen it: never shown
    entry = AuditEntry.objects.filter(action="view", object_type="reports.report", object_id=str(fly.pk))
    assert entry.filter(actor_username=council_analyst.username).count() == 1
    queue = client.get(reverse("web:triage-queue")).content.decode()
    assert RESIDENT["email"] not in queue and RESIDENT["name"] not in queue


def _post(client, name, report, data):
    return client.post(reverse(name, args=[report.pk]), data)


def test_accept_reject_and_set_state(client, make_report, council_analyst):
    accepted, rejected, fixed = make_report("fly", email="r@example.com"), make_report("fly"), make_report("fly")
    sign_in(client, council_analyst)
    response = _post(client, "web:triage-accept", accepted, {"accept-text": "We are sending a crew"})
    assert response.status_code == 302 and response.url == reverse("web:triage-report", args=[accepted.pk])
    assert Report.objects.get(pk=accepted.pk).state_id == "investigating"
    assert ReportUpdate.objects.filter(report=accepted, text="We are sending a crew").exists()

    response = _post(client, "web:triage-reject", rejected, {"reject-state": "unable_to_fix", "reject-text": ""})
    assert response.status_code == 400 and "Say why the report is closed" in response.content.decode()
    response = _post(client, "web:triage-reject", rejected, {"reject-state": "fixed", "reject-text": "x"})
    assert response.status_code == 400 and "Choose why it is closed from the list" in response.content.decode()
    assert Report.objects.get(pk=rejected.pk).state_id == "open"
    response = _post(client, "web:triage-reject", rejected,
                     {"reject-state": "unable_to_fix", "reject-text": "The land is private"})
    assert response.status_code == 302
    assert Report.objects.get(pk=rejected.pk).state_id == "unable_to_fix"  # "Closed: not fixed", not "Fixed"

    response = _post(client, "web:triage-state", fixed, {"state-state": "fixed", "state-text": ""})
    assert response.status_code == 302 and Report.objects.get(pk=fixed.pk).state_id == "fixed"
    response = _post(client, "web:triage-state", fixed, {"state-state": "fixed"})
    assert response.status_code == 400 and "already fixed" in response.content.decode()
    response = _post(client, "web:triage-state", fixed, {"state-state": "duplicate"})
    assert response.status_code == 400 and "Choose new state from the list" in response.content.decode()


def test_mark_as_duplicate(client, make_report, council_analyst):
    original, repeat = make_report("fly"), make_report("fly")
    bids = make_report("litter", at=IN_PARKSIDE)  # the BID's: no agreement shares it with the council
    sign_in(client, council_analyst)
    for number, message in (("99999999999999999999", "There is no report with that number"),
                            ("abc", "Enter the number of the report"), (str(bids.pk), f"There is no report {bids.pk}"),
                            (str(repeat.pk), "cannot duplicate itself")):
        response = _post(client, "web:triage-duplicate", repeat, {"duplicate-of": number})
        assert response.status_code == 400 and message in response.content.decode(), number
    assert Report.objects.get(pk=repeat.pk).state_id == "open"
    response = _post(client, "web:triage-duplicate", repeat, {"duplicate-of": str(original.pk)})
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert (repeat.state_id, repeat.duplicate_of_id) == ("duplicate", original.pk)
    assert Report.objects.get(pk=original.pk).supporters == 1


def test_reassign_to_another_partner(client, world, fly, council_analyst):
    sign_in(client, council_analyst)
    police = world["organisations"]["police"]
    response = _post(client, "web:triage-reassign", fly, {"reassign-organisation": str(police.pk), "reassign-reason": ""})
    assert response.status_code == 400 and "Say why it is passed on" in response.content.decode()
    page = client.get(reverse("web:triage-report", args=[fly.pk])).content.decode()
    assert world["organisations"]["bid"].name in page and ">Riverford City Council</option>" not in page
    response = _post(client, "web:triage-reassign", fly,
                     {"reassign-organisation": str(police.pk), "reassign-reason": "Drug litter: the police's"})
    assert response.status_code == 302 and response.url == reverse("web:triage-queue")
    assert Report.objects.get(pk=fly.pk).owning_organisation_id == police.pk


def test_make_it_a_task_for_the_volunteers(client, fly, council_analyst, council_team, council_officer):
    sign_in(client, council_analyst)
    page = client.get(reverse("web:triage-report", args=[fly.pk])).content.decode()
    assert council_team.name in page and council_officer.display_name in page
    response = _post(client, "web:triage-task", fly, {"task-title": "", "task-priority": "normal",
                                                      "task-due_date": "2026-02-30"})
    text = response.content.decode()
    assert response.status_code == 400 and "Enter what is to be done" in text and "real date" in text
    response = _post(client, "web:triage-task", fly, {
        "task-title": "Collect the fly tip", "task-for_volunteers": "on", "task-priority": "high",
        "task-due_date": "2026-12-01", "task-questions": "How many bags?\nAny needles?"})
    assert response.status_code == 302
    task = Task.objects.get(source_kind="report", source_id=fly.pk)
    assert task.for_volunteers and task.priority == "high" and task.questions == ["How many bags?", "Any needles?"]
    assert task.description == SECRET and Report.objects.get(pk=fly.pk).state_id == "action_scheduled"
    page = client.get(response.url).content.decode()
    assert reverse("web:task-detail", args=[task.pk]) in page


def test_a_private_report_is_never_offered_to_volunteers(client, make_report, police_chair):
    safeguarding = make_report("safeguarding")
    sign_in(client, police_chair)
    page = client.get(reverse("web:triage-report", args=[safeguarding.pk])).content.decode()
    assert "Make it a task" in page and "task-for_volunteers" not in page


def test_put_forward_to_the_meeting(client, fly, council_analyst, series):
    sign_in(client, council_analyst)
    assert "Riverford DRMM" in client.get(reverse("web:triage-report", args=[fly.pk])).content.decode()
    response = _post(client, "web:triage-meeting", fly, {"meeting-series": "99999999999999999999"})
    assert response.status_code == 400 and "Choose meeting from the list" in response.content.decode()
    response = _post(client, "web:triage-meeting", fly, {"meeting-series": str(series.pk),
                                                         "meeting-note": "Fly tips every week here"})
    assert response.status_code == 302
    assert Item.objects.filter(summary="Fly tips every week here").exists()
    assert list(ReportEvent.objects.filter(record=fly).values_list("kind", flat=True))[-1] == ReportEventKind.MEETING


def test_raise_as_an_incident(client, services, fly, council_analyst):
    pytest.importorskip("saferplace.reports.incidents", reason="report_incident_raise is written by another helper")
    sign_in(client, council_analyst)
    response = _post(client, "web:triage-incident", fly, {})
    assert response.status_code == 400 and "no incident category" in response.content.decode()
    services["fly"].incident_category = IncidentCategory.objects.get(code="fly-tipping")
    services["fly"].save()
    response = _post(client, "web:triage-incident", fly, {})
    assert response.status_code == 302
    assert Report.objects.get(pk=fly.pk).incident_id is not None
    response = _post(client, "web:triage-incident", fly, {})
    assert response.status_code == 400 and "already been raised" in response.content.decode()


def test_message_the_resident_hostile_text_escaped(client, fly, council_analyst):
    sign_in(client, council_analyst)
    response = _post(client, "web:triage-comment", fly, {"comment-text": "bad\x00text"})
    assert response.status_code == 400 and "cannot contain a NUL character" in response.content.decode()
    response = _post(client, "web:triage-comment", fly, {"comment-text": "  "})
    assert response.status_code == 400 and "Write the message" in response.content.decode()
    response = _post(client, "web:triage-comment", fly, {"comment-text": "<script>alert(1)</script> we are on it"})
    assert response.status_code == 302
    text = client.get(response.url).content.decode()
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; we are on it" in text


@pytest.mark.parametrize("persona", ["bid_analyst", "fire_officer", "health_analyst", "police_officer"])
def test_another_organisation_finds_nothing_and_changes_nothing(client, request, world, make_report, fly, series,
                                                                persona):
    other = make_report("fly")
    before = _state(fly)
    sign_in(client, request.getfixturevalue(persona))
    if persona != "police_officer":  # the police read the council's environmental reports by agreement
        response = client.get(reverse("web:triage-report", args=[fly.pk]))
        assert response.status_code == 404 and SECRET not in response.content.decode()
        assert RESIDENT["email"] not in response.content.decode()
    assert SECRET not in client.get(reverse("web:triage-queue")).content.decode()
    for name, data in _actions(world, other):
        if name == "web:triage-meeting":
            data = {**data, "meeting-series": str(series.pk)}
        response = client.post(reverse(name, args=[fly.pk]), data)
        assert response.status_code == 404, name
        assert SECRET not in response.content.decode()
    assert _state(fly) == before


@pytest.mark.parametrize("persona", ["council_volunteer", "council_auditor", "council_admin"])
def test_a_role_without_triage_is_refused(client, request, world, make_report, fly, persona):
    other = make_report("fly")
    before = _state(fly)
    sign_in(client, request.getfixturevalue(persona))
    assert 'href="/triage/"' not in client.get(reverse("web:home")).content.decode()
    assert client.get(reverse("web:triage-queue")).status_code == 403
    response = client.get(reverse("web:triage-report", args=[fly.pk]))
    assert response.status_code == 403 and SECRET not in response.content.decode()
    for name, data in _actions(world, other):
        response = client.post(reverse(name, args=[fly.pk]), data)
        assert response.status_code == 403, name
    assert _state(fly) == before


def test_a_safeguarding_report_reaches_only_the_roles_allowed(client, world, make_report, police_officer,
                                                              police_analyst):
    report = make_report("safeguarding", description="A child alone at night SAFE-2", **RESIDENT)
    sign_in(client, police_officer)
    response = client.get(reverse("web:triage-report", args=[report.pk]))
    assert response.status_code == 200 and "SAFE-2" in response.content.decode()
    assert "Urgent" in response.content.decode()
    before = _state(report)
    sign_in(client, police_analyst)
    assert f"Report {report.pk}:" not in client.get(reverse("web:triage-queue") + "?show=all").content.decode()
    response = client.get(reverse("web:triage-report", args=[report.pk]))
    assert response.status_code == 404 and "SAFE-2" not in response.content.decode()
    response = client.post(reverse("web:triage-comment", args=[report.pk]), {"comment-text": "Hello"})
    assert response.status_code == 404 and _state(report) == before


def test_photos_are_served_only_to_who_may_open_the_report(client, make_report, council_analyst, bid_analyst):
    fly = make_report("fly", photos=[SimpleUploadedFile("p.jpg", _jpeg(), content_type="image/jpeg")])
    other = make_report("fly", photos=[SimpleUploadedFile("q.jpg", _jpeg(), content_type="image/jpeg")])
    photo, other_photo = fly.photos.get(), other.photos.get()
    sign_in(client, council_analyst)
    assert reverse("web:triage-photo", args=[fly.pk, photo.pk]) in client.get(
        reverse("web:triage-report", args=[fly.pk])).content.decode()
    response = client.get(reverse("web:triage-photo", args=[fly.pk, photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(reverse("web:triage-photo", args=[fly.pk, other_photo.pk])).status_code == 404
    assert client.get(f"/triage/{fly.pk}/photos/99999999999999999999").status_code == 404
    sign_in(client, bid_analyst)
    assert client.get(reverse("web:triage-photo", args=[fly.pk, photo.pk])).status_code == 404


def test_hostile_addresses_and_methods(client, fly, council_analyst):
    sign_in(client, council_analyst)
    assert client.get("/triage/99999999999999999999/").status_code == 404
    assert client.post("/triage/99999999999999999999/comment", {"comment-text": "x"}).status_code == 404
    assert client.get(reverse("web:triage-comment", args=[fly.pk])).status_code == 405
    strict = sign_in(Client(enforce_csrf_checks=True), council_analyst)
    assert strict.post(reverse("web:triage-comment", args=[fly.pk]), {"comment-text": "x"}).status_code == 403
    assert ReportUpdate.objects.filter(report=fly).count() == 1
