"""Hostile and malformed input is a 400 with a description (or a 404 for what is not there),
never a 500 and never a stack trace."""

import pytest

from saferplace.open311.formats import as_xml
from tests.open311.conftest import BASE, answer, post_report

HOSTILE_QUERIES = [
    {"page": "-1"}, {"page": "0"}, {"page": "1e309"}, {"page_size": "1e309"}, {"page_size": "0"},
    {"page_size": "1001"}, {"page_size": "9" * 400}, {"page": "NaN"}, {"start_date": "yesterday"},
    {"start_date": "2026-13-45T99:99:99Z"}, {"end_date": "99999-01-01"}, {"updated_after": "0000-01-01T00:00:00Z"},
    {"updated_before": "x" * 5000}, {"start_date": "1800-01-01"}, {"status": "pending"}, {"status": "open\x00"},
    {"service_request_id": "1,abc"}, {"service_request_id": "9" * 40}, {"service_request_id": "-3"},
    {"service_request_id": ",".join(["1"] * 1001)}, {"service_code": "x" * 61}, {"extensions": "maybe"},
    {"jurisdiction_id\x00": "x"},
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_hostile_queries_are_told(client, services, query, fmt):
    path = "servicerequestupdates" if set(query) <= {"page", "page_size", "start_date", "end_date"} else "requests"
    response = client.get(f"{BASE}{path}.{fmt}", query)
    assert response.status_code == 400, (query, response.content[:300])
    if fmt == "json":
        [error] = answer(response)
        assert error["code"] == 400 and error["description"]
    else:
        assert b"<errors><error><code>400</code><description>" in response.content
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("fields", [
    {"lat": "nan", "long": "nan"}, {"lat": "inf"}, {"lat": "1e309"}, {"lat": "91"}, {"long": "-181"},
    {"lat": "0x10"}, {"lat": "9" * 500}, {"service_code": "x" * 61}, {"service_code": "../../etc/passwd"},
    {"attribute[bags]": "NaN"}, {"attribute[seen]": "9999-99-99"}, {"attribute[what]": "x" * 5001},
    {"address_string": "x" * 201}, {"phone": "0" * 41}, {"email": "a@b" + "c" * 300},
])
def test_hostile_posts_are_told(client, services, app_key, fields):
    response = post_report(client, app_key, **fields)
    assert response.status_code in (400, 404), (fields, response.content[:300])
    assert response.status_code == 400 or "service_code" in fields
    assert answer(response)[0]["description"]


def test_too_many_attributes_are_refused(client, services, app_key):
    fields = {f"attribute[q{number}]": "x" for number in range(101)}
    response = post_report(client, app_key, **fields)
    assert response.status_code == 400
    assert "at most 100 answers" in answer(response)[0]["description"]


def test_a_request_too_large_is_refused_before_it_is_read(client, services, app_key):
    response = client.post(f"{BASE}requests.json", {"api_key": app_key}, CONTENT_LENGTH=str(64 * 1024 * 1024))
    assert response.status_code == 400
    assert "too large" in answer(response)[0]["description"]


def test_too_many_fields_are_refused(client, services, app_key, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    response = post_report(client, app_key, **{f"f{number}": "x" for number in range(60)})
    assert response.status_code == 400
    assert "could not be read" in answer(response)[0]["description"]


def test_a_malformed_multipart_body_is_refused(client, services, app_key):
    response = client.generic("POST", f"{BASE}requests.json", b"--nonsense\r\nnot a part",
                              content_type="multipart/form-data; boundary=other")
    assert response.status_code in (400, 403)
    assert answer(response)[0]["description"]


def test_a_failure_is_a_500_without_a_trace(client, services, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("saferplace.open311.views_services.services_listed", broken)
    response = client.get(f"{BASE}services.json")
    assert response.status_code == 500
    assert answer(response) == [{"code": 500, "description": "Something went wrong on the server; try again later"}]
    assert b"secret internals" not in response.content


def test_xml_escapes_markup_and_drops_characters_xml_cannot_carry(client, make_report):
    report = make_report(description='<script>alert("x")</script> & \x07bell ]]>')
    body = client.get(f"{BASE}requests/{report.pk}.xml").content.decode()
    assert "<script>" not in body
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; bell ]]&gt;" in body
    assert as_xml("errors", [{"code": 1, "description": "\ud800\x00ok"}]).endswith(
        "<errors><error><code>1</code><description>ok</description></error></errors>")


def test_hostile_paths_are_told(client, services):
    for path in ("services/fly%00tipping.json", "tokens/AB%00CD.json", "requests/1%00.json"):
        response = client.get(f"{BASE}{path}")
        assert response.status_code == 400, path
        assert "NUL" in answer(response)[0]["description"]
    for path in ("services/" + "x" * 100 + ".json", "tokens/" + "Z" * 40 + ".json", "requests/%F0%9F%92%A3.json"):
        response = client.get(f"{BASE}{path}")
        assert response.status_code == 404, path
        assert answer(response)[0]["code"] == 404


def test_head_answers_like_get(client, services):
    response = client.head(f"{BASE}services.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
