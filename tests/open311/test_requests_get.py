"""GET requests: public reports with every filter, paging and extensions, in JSON and XML; one
request; the id a token stands for. Never a private or hidden report, never who made one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saferplace.reports.models import Report
from saferplace.reports.services import report_state_set, state_get
from tests.conftest import OPERATOR
from tests.open311.conftest import BASE, answer, xml
from tests.reports.fixtures import IN_CENTRAL_NOT_PARKSIDE

PERSONAL = {"name": "Sam Secret", "email": "sam.secret@example.com", "phone": "07700 900999",
            "address": "12 Private Road"}


def _ids(response) -> list[int]:
    return [request["service_request_id"] for request in answer(response)]


def _aged(report: Report, days: float, updated_days: float | None = None) -> Report:
    at = timezone.now() - timedelta(days=days)
    updated = timezone.now() - timedelta(days=days if updated_days is None else updated_days)
    Report.objects.filter(pk=report.pk).update(created_at=at, updated_at=updated)
    report.refresh_from_db()
    return report


@pytest.fixture
def reports(make_report):
    fly = make_report(**PERSONAL)
    litter = make_report("litter", at=IN_CENTRAL_NOT_PARKSIDE, description="Crisp packets everywhere")
    drugs = make_report("drugs", description="Dealing at the stairwell")
    fixed = make_report(description="Old sofa")
    report_state_set(viewer=OPERATOR, report=fixed, state=state_get("fixed"), text="Collected on Tuesday.")
    private = make_report("safeguarding", description="A child alone at night", **PERSONAL)
    hidden = make_report(description="Spam spam spam")
    report_state_set(viewer=OPERATOR, report=hidden, state=state_get("hidden"), text="Abuse")
    return {"fly": fly, "litter": litter, "drugs": drugs, "fixed": fixed, "private": private, "hidden": hidden}


def test_a_request_as_the_specification_names_its_fields(client, reports):
    found = {request["service_request_id"]: request for request in answer(client.get(f"{BASE}requests.json"))}
    fly = reports["fly"]
    request = found[fly.pk]
    assert set(request) == {
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url"}
    assert request["status"] == "open"
    assert request["service_code"] == "fly-tipping"
    assert request["agency_responsible"] == "Riverford City Council"
    assert request["status_notes"] == "Thank you: your report has been received by Riverford City Council."
    assert request["requested_datetime"] == timezone.localtime(fly.created_at).isoformat(timespec="seconds")
    assert request["requested_datetime"][-6] in "+-"
    assert (request["lat"], request["long"]) == (52.445, -0.955)
    assert found[reports["fixed"].pk]["status"] == "closed"
    assert found[reports["fixed"].pk]["status_notes"] == "Collected on Tuesday."
    assert found[reports["litter"].pk]["agency_responsible"] == "Riverford City Council"
    assert found[reports["drugs"].pk]["agency_responsible"] == "Fenshire Police"


def test_never_a_private_or_hidden_report_nor_personal_data(client, reports):
    for fmt in ("json", "xml"):
        for query in ({}, {"extensions": "true"}, {"status": "open,closed"},
                      {"service_request_id": ",".join(str(report.pk) for report in reports.values())},
                      {"service_code": "safeguarding,fly-tipping"}):
            response = client.get(f"{BASE}requests.{fmt}", query)
            assert response.status_code == 200
            body = response.content.decode()
            for secret in (*PERSONAL.values(), "A child alone at night", "Spam spam spam", "safeguarding"):
                assert secret not in body, (fmt, query, secret)
    listed = set(_ids(client.get(f"{BASE}requests.json")))
    assert listed == {reports[name].pk for name in ("fly", "litter", "drugs", "fixed")}
    for name in ("private", "hidden"):
        response = client.get(f"{BASE}requests/{reports[name].pk}.json")
        assert response.status_code == 404
        assert answer(response)[0]["code"] == 404


def test_in_xml(client, reports):
    root = xml(client.get(f"{BASE}requests.xml", {"extensions": "true"}))
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert len(requests) == 4
    fly = next(request for request in requests if request.findtext("service_request_id") == str(reports["fly"].pk))
    assert fly.findtext("status") == "open"
    assert fly.findtext("agency_responsible") == "Riverford City Council"
    assert fly.find("expected_datetime").text is None
    assert fly.findtext("extended_attributes/attributes/attribute/code") == "what"
    assert fly.findtext("extended_attributes/notes/note/description").startswith("Thank you")


def test_filter_by_ids_and_service_codes(client, reports):
    wanted = f"{reports['fly'].pk},{reports['drugs'].pk},{reports['private'].pk}"
    assert set(_ids(client.get(f"{BASE}requests.json", {"service_request_id": wanted}))) == {
        reports["fly"].pk, reports["drugs"].pk}
    assert set(_ids(client.get(f"{BASE}requests.json", {"service_code": "litter,drug-dealing"}))) == {
        reports["litter"].pk, reports["drugs"].pk}
    assert _ids(client.get(f"{BASE}requests.json", {"service_code": "safeguarding"})) == []


def test_filter_by_status(client, reports):
    assert set(_ids(client.get(f"{BASE}requests.json", {"status": "closed"}))) == {reports["fixed"].pk}
    assert reports["fixed"].pk not in _ids(client.get(f"{BASE}requests.json", {"status": "open"}))
    assert len(_ids(client.get(f"{BASE}requests.json", {"status": "open,closed"}))) == 4
    assert len(_ids(client.get(f"{BASE}requests.json", {"status": "OPEN"}))) == 3


def test_filter_by_dates_and_the_default_window(client, reports):
    old = _aged(reports["litter"], 120)
    _aged(reports["drugs"], 10, updated_days=1)
    assert old.pk not in _ids(client.get(f"{BASE}requests.json"))  # 90 days unless dates are given
    start = (timezone.now() - timedelta(days=130)).isoformat()
    end = (timezone.now() - timedelta(days=100)).isoformat()
    assert _ids(client.get(f"{BASE}requests.json", {"start_date": start, "end_date": end})) == [old.pk]
    assert reports["drugs"].pk not in _ids(client.get(f"{BASE}requests.json", {
        "start_date": (timezone.now() - timedelta(days=5)).isoformat()}))
    recent = _ids(client.get(f"{BASE}requests.json", {
        "updated_after": (timezone.now() - timedelta(days=2)).isoformat(),
        "updated_before": (timezone.now() - timedelta(hours=12)).isoformat()}))
    assert recent == [reports["drugs"].pk]
    assert old.pk in _ids(client.get(f"{BASE}requests.json", {"end_date": end}))


def test_a_date_with_an_unencoded_plus_is_read(client, reports):
    start = (timezone.now() - timedelta(days=1)).replace(microsecond=0).isoformat()
    response = client.get(f"{BASE}requests.json?start_date={start}")  # "+00:00" arrives as " 00:00"
    assert response.status_code == 200
    assert len(answer(response)) == 4


def test_paging(client, reports):
    first = _ids(client.get(f"{BASE}requests.json", {"page_size": 3}))
    second = _ids(client.get(f"{BASE}requests.json", {"page_size": 3, "page": 2}))
    assert len(first) == 3 and len(second) == 1
    assert set(first) | set(second) == set(_ids(client.get(f"{BASE}requests.json")))
    assert _ids(client.get(f"{BASE}requests.json", {"page_size": 3, "page": 3})) == []


def test_extensions(client, reports, make_report):
    fixed = reports["fixed"]
    [request] = answer(client.get(f"{BASE}requests/{fixed.pk}.json", {"extensions": "true"}))
    extended = request["extended_attributes"]
    assert extended["title"].startswith("Fly tipping")
    assert extended["detail"] == "Old sofa"
    assert extended["comment_count"] == 1  # the updates after the acknowledgement, as FixMyStreet counts
    assert extended["attributes"] == [{"code": "what", "value": "household"}]
    assert [note["description"] for note in extended["notes"]] == [
        "Thank you: your report has been received by Riverford City Council.", "Collected on Tuesday."]
    assert [note["status"] for note in extended["notes"]] == ["OPEN", "FIXED"]
    assert extended["media_urls"] == []
    [plain] = answer(client.get(f"{BASE}requests/{fixed.pk}.json"))
    assert "extended_attributes" not in plain
    listed = make_report(answers={"what": "garden", "hazards": ["needles"]})
    [request] = answer(client.get(f"{BASE}requests/{listed.pk}.json", {"extensions": "true"}))
    assert {"code": "hazards", "values": ["needles"]} in request["extended_attributes"]["attributes"]


def test_one_request_is_a_list_of_one(client, reports):
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}requests/{reports['drugs'].pk}.{fmt}")
        assert response.status_code == 200
    [request] = answer(client.get(f"{BASE}requests/{reports['drugs'].pk}.json"))
    assert request["description"] == "Dealing at the stairwell"
    root = xml(client.get(f"{BASE}requests/{reports['drugs'].pk}.xml"))
    assert [each.findtext("service_request_id") for each in root.findall("request")] == [str(reports["drugs"].pk)]
    for missing in ("999999", "abc", "0", "9" * 30, "-1"):
        response = client.get(f"{BASE}requests/{missing}.json")
        assert response.status_code == 404, missing
        assert answer(response)[0]["code"] == 404


def test_a_token_gives_its_request_id(client, reports):
    fly = reports["fly"]
    assert answer(client.get(f"{BASE}tokens/{fly.token}.json")) == [{"service_request_id": fly.pk, "token": fly.token}]
    root = xml(client.get(f"{BASE}tokens/{fly.token}.xml"))
    assert root.findtext("request/service_request_id") == str(fly.pk)
    assert root.findtext("request/token") == fly.token
    assert client.get(f"{BASE}tokens/NOSUCHTOKEN.json").status_code == 404
    assert client.get(f"{BASE}tokens/{reports['hidden'].token}.json").status_code == 404
