"""Service request updates (FixMyStreet's extension). Anyone reads the updates of public reports;
a partner's key moves its own reports through their states (never another partner's); any
other key only adds a resident's comment or reopens a fixed report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saferplace.audit.models import AuditEntry
from saferplace.reports.models import Report, ReportUpdate
from saferplace.reports.services import report_state_set, state_get
from tests.conftest import OPERATOR
from tests.open311.conftest import BASE, answer, xml
from tests.reports.fixtures import IN_CENTRAL_NOT_PARKSIDE

URL = f"{BASE}servicerequestupdates.json"


def _post(client, key, report, fmt="json", **fields):
    data = {"api_key": key, "service_request_id": report.pk, **fields}
    return client.post(f"{BASE}servicerequestupdates.{fmt}", {k: v for k, v in data.items() if v is not None})


def test_updates_of_public_reports_only(client, make_report):
    fly = make_report()
    report_state_set(viewer=OPERATOR, report=fly, state=state_get("action_scheduled"), text="Booked for Friday.")
    private = make_report("safeguarding", description="A child alone")
    hidden = make_report(description="Spam")
    report_state_set(viewer=OPERATOR, report=hidden, state=state_get("hidden"), text="Abuse")
    found = answer(client.get(URL))
    assert {update["service_request_id"] for update in found} == {fly.pk}
    scheduled = found[-1]
    update = fly.updates.order_by("id").last()
    assert scheduled == {"update_id": update.pk, "service_request_id": fly.pk, "status": "ACTION_SCHEDULED",
                         "updated_datetime": timezone.localtime(update.at).isoformat(timespec="seconds"),
                         "description": "Booked for Friday.", "media_url": None}
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}servicerequestupdates.{fmt}").content.decode()
        assert "A child alone" not in body and "Abuse" not in body
        assert f'"service_request_id":{private.pk},' not in body
        assert f"<service_request_id>{private.pk}</service_request_id>" not in body
    root = xml(client.get(f"{BASE}servicerequestupdates.xml"))
    assert root.tag == "service_request_updates"
    assert [each.findtext("status") for each in root.findall("request_update")] == ["OPEN", "ACTION_SCHEDULED"]


def test_updates_between_dates_and_paged(client, make_report):
    fly = make_report()
    old = fly.updates.get()
    ReportUpdate.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=100))
    report_state_set(viewer=OPERATOR, report=fly, state=state_get("investigating"), text="Looking.")
    report_state_set(viewer=OPERATOR, report=fly, state=state_get("in_progress"), text="On it.")
    assert [each["description"] for each in answer(client.get(URL))] == ["Looking.", "On it."]
    start = (timezone.now() - timedelta(days=120)).isoformat()
    end = (timezone.now() - timedelta(days=90)).isoformat()
    assert [each["update_id"] for each in answer(client.get(URL, {"start_date": start, "end_date": end}))] == [old.pk]
    assert [each["description"] for each in answer(client.get(URL, {"page_size": 1, "page": 2}))] == ["On it."]


def test_a_partners_key_moves_its_own_report(client, make_report, council_key):
    fly = make_report()
    response = _post(client, council_key, fly, status="ACTION_SCHEDULED", description="Booked for Friday.",
                     update_id="crm-77", updated_datetime="2026-11-28T09:30:00Z")
    assert response.status_code == 200, response.content
    fly.refresh_from_db()
    assert fly.state_id == "action_scheduled"
    update = fly.updates.order_by("id").last()
    assert answer(response) == [{"update_id": update.pk, "service_request_id": fly.pk}]
    assert update.text == "Booked for Friday." and update.by == "Riverford City Council"
    assert fly.events.order_by("id").last().actor_name == "open311:Council CRM"
    entry = AuditEntry.objects.filter(object_type="reports.report", object_id=str(fly.pk)).order_by("id").last()
    assert (entry.actor_username, entry.actor_organisation) == ("open311:Council CRM", "Riverford City Council")
    fixed = _post(client, council_key, fly, status="fixed", description="Cleared this morning.")
    assert fixed.status_code == 200
    fly.refresh_from_db()
    assert fly.state_id == "fixed"


def test_a_partners_key_with_the_same_status_sends_a_message(client, make_report, council_key):
    fly = make_report()
    response = _post(client, council_key, fly, status="OPEN", description="We will look at it tomorrow.")
    assert response.status_code == 200
    fly.refresh_from_db()
    assert fly.state_id == "open"
    assert fly.updates.order_by("id").last().text == "We will look at it tomorrow."


def test_a_partners_key_cannot_touch_another_partners_report(client, make_report, police_key, council_key):
    fly = make_report()  # the council's
    drugs = make_report("drugs", description="Dealing")  # the police's
    for key, report in ((police_key, fly), (council_key, drugs)):
        response = _post(client, key, report, status="FIXED", description="Done")
        assert response.status_code == 404
        assert answer(response)[0]["code"] == 404
        report.refresh_from_db()
        assert report.state_id == "open"
        assert report.updates.count() == 1


def test_a_partners_key_never_opens_a_special_category(client, make_report, police_key):
    """A key has no role, and special categories (safeguarding) are opened by role."""
    private = make_report("safeguarding", description="A child alone")
    response = _post(client, police_key, private, status="INVESTIGATING", description="Seen")
    assert response.status_code == 404
    private.refresh_from_db()
    assert private.state_id == "open"


@pytest.mark.parametrize(("fields", "says"), [
    ({"status": "EXPLODED", "description": "x"}, "status: one of"),
    ({"status": "DUPLICATE", "description": "x"}, "Mark a duplicate"),
    ({"status": "NO_FURTHER_ACTION", "description": ""}, "Say why"),
    ({"status": "OPEN", "description": ""}, "description"),
    ({"status": "FIXED", "description": "x" * 2001}, "at most 2000"),
    ({"status": "FIXED", "description": "x", "updated_datetime": "last tuesday"}, "updated_datetime"),
    ({"status": "FIXED", "description": "x", "email": "nope"}, "email"),
    ({"status": "FIXED", "description": "x", "media_url": "ftp://x.example/a.jpg"}, "media_url"),
])
def test_a_partners_mistakes_are_told(client, make_report, council_key, fields, says):
    fly = make_report()
    response = _post(client, council_key, fly, **fields)
    assert response.status_code == 400, response.content
    assert says in answer(response)[0]["description"]
    fly.refresh_from_db()
    assert fly.state_id == "open" and fly.updates.count() == 1


def test_a_public_key_adds_a_residents_comment(client, make_report, app_key):
    fly = make_report()
    response = _post(client, app_key, fly, description="Still there, and more bags now.", email="sam@example.com",
                     first_name="Sam", last_name="Jones")
    assert response.status_code == 200, response.content
    update = fly.updates.order_by("id").last()
    assert update.from_resident and update.by == "A resident" and update.state_id == "open"
    body = client.get(URL).content.decode()
    assert "Still there, and more bags now." in body
    assert "Sam" not in body and "sam@example.com" not in body


def test_a_public_key_reopens_a_fixed_report(client, make_report, app_key):
    fly = Report.objects.get(pk=answer(client.post(f"{BASE}requests.json", {
        "api_key": app_key, "service_code": "fly-tipping", "lat": "52.445", "long": "-0.955",
        "description": "Mattress dumped", "attribute[what]": "household"}))[0]["service_request_id"])
    report_state_set(viewer=OPERATOR, report=fly, state=state_get("fixed"), text="Cleared.")
    response = _post(client, app_key, fly, status="OPEN", description="It is back again.")
    assert response.status_code == 200
    fly.refresh_from_db()
    assert fly.state_id == "open"
    [request] = answer(client.get(f"{BASE}requests/{fly.pk}.json"))
    assert request["status"] == "open" and request["status_notes"] == "It is back again."


def test_a_public_key_changes_no_status(client, make_report, app_key):
    fly = make_report()
    for status in ("FIXED", "CLOSED", "NO_FURTHER_ACTION", "HIDDEN"):
        response = _post(client, app_key, fly, status=status, description="Done, honest")
        assert response.status_code == 403, status
        assert answer(response)[0]["code"] == 403
    fly.refresh_from_db()
    assert fly.state_id == "open" and fly.updates.count() == 1


def test_a_public_key_reaches_no_private_report_but_its_own(client, make_report, app_key, services):
    private = make_report("safeguarding", description="A child alone")
    assert _post(client, app_key, private, description="More to say").status_code == 404
    made = client.post(f"{BASE}requests.json", {"api_key": app_key, "service_code": "safeguarding",
                                                "lat": IN_CENTRAL_NOT_PARKSIDE[0], "long": IN_CENTRAL_NOT_PARKSIDE[1],
                                                "description": "Someone sleeping in the stairwell"})
    own = Report.objects.get(pk=answer(made)[0]["service_request_id"])
    assert _post(client, app_key, own, description="They are still there").status_code == 200
    assert "They are still there" not in client.get(URL).content.decode()


@pytest.mark.parametrize("report_id", ["", "abc", "0", "-4", "9" * 30, "1e3"])
def test_a_bad_request_id_is_told(client, make_report, app_key, report_id):
    response = client.post(URL, {"api_key": app_key, "service_request_id": report_id, "description": "x"})
    assert response.status_code == 400
    assert "service_request_id" in answer(response)[0]["description"]


def test_an_unknown_report_is_not_found(client, world, app_key):
    response = client.post(URL, {"api_key": app_key, "service_request_id": "424242", "description": "x"})
    assert response.status_code == 404


def test_without_a_key_nothing_changes(client, make_report):
    fly = make_report()
    assert client.post(URL, {"service_request_id": fly.pk, "description": "x"}).status_code == 403
    assert fly.updates.count() == 1
