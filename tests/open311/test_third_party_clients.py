"""Unmodified Open311 client libraries from PyPI against a running SaferPlace (a real HTTP server
in a thread: pytest-django's `live_server`): georeport 0.3.1 in JSON and in XML, civicbot 0.4.0 in
JSON. They list the services (never the private one) and read each definition; civicbot posts a
resident's report with answers to the questions (a list among them) with a key issued through the
`saferplace open311 key create` command, and both read it back by its token and its id; they
filter by status and service, and page through a date window in sub-windows (georeport cannot
send page=), getting every public report in it once; a safeguarding report is in no list either
can get; a POST retried with the same Idempotency-Key (sent with `requests`, as civicbot cannot
set a header) gets the first answer again and makes one report."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from civicbot.http import HttpError
from django.conf import settings
from django.core.management import call_command

from saferplace.reports.models import Report, ServiceAttribute
from saferplace.reports.services import report_state_set, state_get
from tests.conftest import OPERATOR
from tests.open311.clients import (
    base_url,
    civicbot,
    definition_as_xml,
    flat_as_xml,
    georeport,
    items,
    xml_definition,
)
from tests.reports.fixtures import IN_CENTRAL_NOT_PARKSIDE, IN_PARKSIDE

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_CODES = {"fly-tipping", "litter", "drug-dealing"}
RESIDENT = {"email": "alex.resident@example.org", "first_name": "Alexandra", "last_name": "Quillfeather",
            "phone": "07700 900123"}


@pytest.fixture
def issued_key(services, capsys):
    """A client application's key, made as an administrator makes one: the command prints it alone."""
    capsys.readouterr()
    call_command("open311", "key", "create", "--name", "Third-party client")
    key = capsys.readouterr().out.strip()
    assert key.startswith("o311_") and "\n" not in key
    return key


def stamp(moment: datetime) -> str:
    """W3C date and time as the specification writes it (and georeport's docstring asks)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def refused(call) -> int:
    """The HTTP status a library's call was refused with (each raises its own error)."""
    try:
        call()
    except HttpError as error:  # civicbot
        return error.status
    except requests.HTTPError as error:  # georeport
        return error.response.status_code
    raise AssertionError("the call was answered")


def ids_of(answer: list[dict]) -> list[int]:
    return [int(request["service_request_id"]) for request in answer]


def every_client_lists(live_server, **filters) -> dict[str, list[int]]:
    """The ids each client (civicbot, georeport in JSON and in XML) gets for `filters`."""
    civicbot_filters = dict(filters)
    if "service_request_id" in civicbot_filters:  # civicbot takes a list of ids
        civicbot_filters["service_request_ids"] = civicbot_filters.pop("service_request_id").split(",")
    return {
        "civicbot": ids_of(civicbot(live_server).list_requests(**civicbot_filters)),
        "georeport json": ids_of(georeport(live_server, "json").get_service_requests(**filters)),
        "georeport xml": ids_of(items(georeport(live_server, "xml").get_service_requests(**filters))),
    }


def test_services_and_their_definitions_in_json_and_xml(live_server, services):
    # Litter gets the datatypes fly tipping's questions lack, and a note that is not a question.
    litter = services["litter"]
    ServiceAttribute.objects.create(service=litter, code="spot", description="Where exactly?", datatype="string",
                                    datatype_description="e.g. by the bus stop", order=1)
    ServiceAttribute.objects.create(service=litter, code="more", description="Anything else?", datatype="text", order=2)
    ServiceAttribute.objects.create(service=litter, code="note", description="Litter bins are emptied weekly",
                                    datatype="string", variable=False, order=3)

    listed = civicbot(live_server).list_services()
    assert {service["service_code"] for service in listed} == PUBLIC_CODES
    assert georeport(live_server, "json").get_service_list() == listed
    assert items(georeport(live_server, "xml").get_service_list()) == [flat_as_xml(service) for service in listed]
    assert {service["service_code"]: service["metadata"] for service in listed} == {
        "fly-tipping": True, "litter": True, "drug-dealing": False}

    datatypes = set()
    for code in ("fly-tipping", "litter", "drug-dealing"):
        definition = civicbot(live_server).get_service_definition(code)
        assert georeport(live_server, "json").get_service_definition(code) == definition
        assert xml_definition(georeport(live_server, "xml").get_service_definition(code)) == \
            definition_as_xml(definition)
        assert [attribute["code"] for attribute in definition["attributes"]] == list(
            ServiceAttribute.objects.filter(service__code=code).order_by("order").values_list("code", flat=True))
        datatypes |= {attribute["datatype"] for attribute in definition["attributes"]}
    assert datatypes == {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
    what = next(attribute for attribute in civicbot(live_server).get_service_definition("fly-tipping")["attributes"]
                if attribute["code"] == "what")
    assert what["required"] is True and what["values"][1] == {"key": "builders", "name": "Builders' waste"}

    for code in ("safeguarding", "no-such-service"):
        assert refused(lambda code=code: civicbot(live_server).get_service_definition(code)) == 404
        for fmt in ("json", "xml"):
            assert refused(lambda code=code, fmt=fmt: georeport(live_server, fmt).get_service_definition(code)) == 404


def test_a_report_posted_by_civicbot_is_read_back_by_both_libraries(live_server, services, issued_key):
    client = civicbot(live_server)
    prepared = client.create_request(
        "fly-tipping", dry_run=False, confirm="SEND", api_key=issued_key, validate_remote=True,
        lat=IN_PARKSIDE[0], lng=IN_PARKSIDE[1], description="Builders' rubble & <plasterboard> by the garages",
        attributes={"what": "builders", "bags": "4", "seen": "2026-11-28T09:30:00Z", "hazards": ["needles", "asbestos"]},
        **RESIDENT)
    [posted] = prepared.response
    report_id, token = posted["service_request_id"], posted["token"]
    assert "Riverford City Council" in posted["service_notice"]

    report = Report.objects.get(pk=report_id)
    assert (report.channel, report.api_key.name, report.token, report.email) == (
        "open311", "Third-party client", token, RESIDENT["email"])
    assert report.attributes == {"what": "builders", "bags": "4", "seen": "2026-11-28T09:30:00+00:00",
                                 "hazards": ["needles", "asbestos"]}

    assert client.get_token(token) == [{"service_request_id": report_id, "token": token}]
    read = client.get_request(report_id)
    assert read["service_request_id"] == report_id and read["service_code"] == "fly-tipping"
    assert read["description"] == "Builders' rubble & <plasterboard> by the garages"
    assert (read["status"], read["agency_responsible"]) == ("open", "Riverford City Council")
    assert (read["lat"], read["long"]) == IN_PARKSIDE
    assert datetime.fromisoformat(read["requested_datetime"]) == report.created_at.replace(microsecond=0)
    assert client.list_requests(service_request_ids=[report_id]) == [read]

    as_json = georeport(live_server, "json")
    assert as_json.get_service_request(str(report_id)) == read
    assert as_json.get_service_requests(service_request_id=str(report_id)) == [read]
    as_xml = georeport(live_server, "xml")
    assert as_xml.get_service_request(str(report_id)) == flat_as_xml(read)
    assert as_xml.get_service_requests(service_request_id=str(report_id)) == flat_as_xml(read)

    # Who reported it goes to the partner, never into an answer.
    for answer in (read, flat_as_xml(read), client.get_token(token)):
        text = json.dumps(answer)
        assert not any(value in text for value in RESIDENT.values())


def test_filtered_by_status_and_service(live_server, make_report):
    fly = [make_report(description=f"Fly tipping {number}") for number in range(3)]
    litter = [make_report("litter", at=IN_CENTRAL_NOT_PARKSIDE, description=f"Litter {number}") for number in range(2)]
    drugs = make_report("drugs", description="Dealing by the underpass")
    report_state_set(viewer=OPERATOR, report=fly[0], state=state_get("fixed"), text="Cleared on Tuesday.")
    report_state_set(viewer=OPERATOR, report=litter[1], state=state_get("no_further_action"), text="Nothing there.")
    newest_first = sorted([*fly, *litter, drugs], key=lambda report: (report.created_at, report.pk), reverse=True)

    def expected(keep) -> list[int]:
        return [report.pk for report in newest_first if keep(report)]

    closed = {fly[0].pk, litter[1].pk}
    cases = [
        ({"status": "open"}, expected(lambda report: report.pk not in closed)),
        ({"status": "closed"}, expected(lambda report: report.pk in closed)),
        ({"status": "open,closed"}, expected(lambda report: True)),
        ({"service_code": "litter"}, expected(lambda report: report in litter)),
        ({"service_code": "fly-tipping,drug-dealing", "status": "open"},
         expected(lambda report: report in (*fly, drugs) and report.pk not in closed)),
    ]
    for filters, wanted in cases:
        assert wanted, filters  # georeport cannot read an empty list in XML: no case asks for one
        for name, got in every_client_lists(live_server, **filters).items():
            assert got == wanted, (name, filters)

    statuses = {request["service_request_id"]: request["status"]
                for request in civicbot(live_server).list_requests(status="open,closed")}
    assert statuses[fly[0].pk] == statuses[litter[1].pk] == "closed"
    assert statuses[drugs.pk] == "open"


def test_paging_through_a_date_window_in_sub_windows(live_server, services, make_report):
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first_day = midnight - timedelta(days=20)

    def made(at: datetime, service="fly", **fields) -> Report:
        report = make_report(service, description=f"Reported {at:%d %B %H:%M}", **fields)
        Report.objects.filter(pk=report.pk).update(created_at=at)
        return Report.objects.get(pk=report.pk)

    inside = [made(first_day + timedelta(days=day, hours=12)) for day in range(12)]
    inside.append(made(first_day + timedelta(days=6)))  # exactly on a sub-window's first second
    inside.append(made(first_day + timedelta(days=11, hours=23, minutes=59, seconds=59)))  # the window's last second
    before = made(first_day - timedelta(seconds=1))
    after = made(first_day + timedelta(days=12))
    private = made(first_day + timedelta(days=3, hours=9), "safeguarding")
    hidden = made(first_day + timedelta(days=4, hours=9))
    report_state_set(viewer=OPERATOR, report=hidden, state=state_get("hidden"), text="Abuse")
    wanted = {report.pk for report in inside}

    # Four sub-windows of three days, each from its first second to its last, adjoining.
    windows = [(first_day + timedelta(days=3 * part), first_day + timedelta(days=3 * part + 3, seconds=-1))
               for part in range(4)]
    for name in ("civicbot", "georeport json", "georeport xml"):
        seen: list[int] = []
        for start, end in windows:
            filters = {"start_date": stamp(start), "end_date": stamp(end)}
            if name == "civicbot":
                answer = civicbot(live_server).list_requests(page_size=50, **filters)
            else:
                answer = items(georeport(live_server, name.split()[1]).get_service_requests(**filters))
            moments = [datetime.fromisoformat(request["requested_datetime"]) for request in answer]
            assert all(start <= moment <= end for moment in moments), name
            assert moments == sorted(moments, reverse=True), name  # newest first
            seen += ids_of(answer)
        assert len(seen) == len(set(seen)), f"{name}: a report in two sub-windows"
        assert set(seen) == wanted, name
        assert not {before.pk, after.pk, private.pk, hidden.pk} & set(seen)

    whole = every_client_lists(live_server, start_date=stamp(windows[0][0]), end_date=stamp(windows[-1][1]))
    assert all(set(got) == wanted and len(got) == len(wanted) for got in whole.values()), whole


def test_a_safeguarding_report_is_in_no_list_either_library_gets(live_server, services, issued_key, make_report):
    client = civicbot(live_server)
    posted = client.create_request("safeguarding", dry_run=False, confirm="SEND", api_key=issued_key,
                                   lat=IN_PARKSIDE[0], lng=IN_PARKSIDE[1],
                                   description="Zebedee-7 a child alone at night by the canal").response[0]
    made = make_report("safeguarding", description="Zebedee-7 an older man being threatened for money")
    public = make_report(description="Mattress by the garages")
    private_ids = {posted["service_request_id"], made.pk}
    assert Report.objects.filter(pk__in=private_ids, service__code="safeguarding").count() == 2
    both = f"{posted['service_request_id']},{made.pk},{public.pk}"

    services_lists = [client.list_services(), georeport(live_server, "json").get_service_list(),
                      items(georeport(live_server, "xml").get_service_list())]
    assert all({service["service_code"] for service in listed} == PUBLIC_CODES for listed in services_lists)

    lists = [every_client_lists(live_server), every_client_lists(live_server, status="open"),
             every_client_lists(live_server, status="open,closed"),
             every_client_lists(live_server, service_code="safeguarding,fly-tipping"),
             every_client_lists(live_server, service_request_id=both)]
    for answers in lists:
        for name, got in answers.items():
            assert got == [public.pk], name
    assert client.list_requests(service_code="safeguarding") == []
    assert georeport(live_server, "json").get_service_requests(service_code="safeguarding") == []

    for report_id in private_ids:
        assert refused(lambda report_id=report_id: client.get_request(report_id)) == 404
        for fmt in ("json", "xml"):
            assert refused(lambda report_id=report_id, fmt=fmt:
                           georeport(live_server, fmt).get_service_request(str(report_id))) == 404
    assert refused(lambda: client.get_service_definition("safeguarding")) == 404

    # The updates list (neither library reads it): the acknowledgements of the public report only.
    for fmt in ("json", "xml"):
        body = requests.get(f"{base_url(live_server)}/servicerequestupdates.{fmt}", timeout=10).text
        assert "Zebedee-7" not in body
        if fmt == "json":
            assert {update["service_request_id"] for update in json.loads(body)} == {public.pk}
    # The resident's reference names their report (for them alone), and nothing of it.
    assert client.get_token(posted["token"]) == [{"service_request_id": posted["service_request_id"],
                                                  "token": posted["token"]}]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_post_retried_with_the_same_idempotency_key_makes_one_report(live_server, services, issued_key, fmt):
    url = f"{base_url(live_server)}/requests.{fmt}"
    form = {"api_key": issued_key, "jurisdiction_id": settings.OPEN311_JURISDICTION, "service_code": "fly-tipping",
            "lat": str(IN_PARKSIDE[0]), "long": str(IN_PARKSIDE[1]), "description": "Fridge on the verge",
            "attribute[what]": "household", "attribute[hazards][]": ["needles", "asbestos"]}
    headers = {"Idempotency-Key": f"retry-{fmt}-7f3a"}
    first = requests.post(url, data=form, headers=headers, timeout=10)
    again = requests.post(url, data=form, headers=headers, timeout=10)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    [report] = Report.objects.all()
    assert report.attributes == {"what": "household", "hazards": ["needles", "asbestos"]}
    assert str(report.pk) in first.text and report.token in first.text

    other = requests.post(url, data={**form, "description": "A different fridge"}, headers=headers, timeout=10)
    assert other.status_code == 400 and "different request" in other.text
    assert Report.objects.count() == 1
    assert ids_of(civicbot(live_server).list_requests()) == [report.pk]
    listed = georeport(live_server, fmt).get_service_requests()
    assert (ids_of(listed) if fmt == "json" else [int(listed["service_request_id"])]) == [report.pk]
