"""POST requests: a client application's key makes a resident's report (attributes of every
datatype, photos as a multipart `media`, a private service reported but never listed); without a
key, or with an unknown or revoked one, nothing is made; every mistake is a 400 that says what."""

import io

import pytest
from PIL import Image

from saferplace.reports.keys import api_key_revoke
from saferplace.reports.models import Channel, Report
from tests.conftest import OPERATOR
from tests.open311.conftest import BASE, answer, post_report, xml


def _jpeg(colour=(200, 30, 30)) -> io.BytesIO:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(output, format="JPEG")
    output.seek(0)
    output.name = "photo.jpg"
    return output


def test_a_key_makes_a_report(client, services, app_key):
    response = post_report(client, app_key, email="sam@example.com", first_name="Sam", last_name="Jones",
                           phone="07700 900123", address_string="By the garages", device_id="phone-1",
                           **{"attribute[bags]": "6", "attribute[seen]": "2026-11-28T09:30:00Z",
                              "attribute[hazards][]": ["needles", "asbestos"]})
    assert response.status_code == 200
    [made] = answer(response)
    report = Report.objects.get()
    assert made == {"service_request_id": report.pk, "token": report.token,
                    "service_notice": "Thank you: your report has been received by Riverford City Council.",
                    "account_id": None}
    assert report.channel == Channel.OPEN311 and report.api_key.name == "Riverford app"
    assert (report.name, report.email, report.phone, report.address) == (
        "Sam Jones", "sam@example.com", "07700 900123", "By the garages")
    assert report.attributes == {"what": "household", "bags": "6", "seen": "2026-11-28T09:30:00+00:00",
                                 "hazards": ["needles", "asbestos"]}
    assert report.events.get().actor_name == "open311:Riverford app"


def test_the_answer_in_xml(client, services, app_key):
    root = xml(post_report(client, app_key, fmt="xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("service_request_id") == str(Report.objects.get().pk)
    assert request.findtext("token") == Report.objects.get().token
    assert request.find("account_id") is not None


def test_photos_as_multipart_media(client, services, app_key):
    response = post_report(client, app_key, media=[_jpeg(), _jpeg((0, 90, 0))])
    assert response.status_code == 200, response.content
    assert Report.objects.get().photos.count() == 2
    refused = post_report(client, app_key, media=[_jpeg() for _ in range(4)])
    assert refused.status_code == 400
    assert "3 photos" in answer(refused)[0]["description"]
    not_a_photo = io.BytesIO(b"<script>alert(1)</script>")
    not_a_photo.name = "photo.jpg"
    assert post_report(client, app_key, media=[not_a_photo]).status_code == 400
    assert Report.objects.count() == 1


def test_a_private_service_may_be_reported(client, services, app_key):
    response = post_report(client, app_key, service_code="safeguarding", description="A child alone at night",
                           **{"attribute[what]": None})
    assert response.status_code == 200
    report = Report.objects.get()
    assert not report.is_public and report.urgent


@pytest.mark.parametrize("key", ["", "o311_not-a-key", "sp_some-other-token", "x" * 5000])
def test_without_a_good_key_nothing_is_made(client, services, key):
    response = post_report(client, key)
    assert response.status_code == 403
    assert answer(response) == [{"code": 403, "description": "api_key is missing, unknown or revoked"}]
    assert not Report.objects.exists()


def test_a_revoked_key_makes_nothing(client, services, app_key):
    api_key_revoke(viewer=OPERATOR, name="Riverford app")
    assert post_report(client, app_key).status_code == 403
    assert not Report.objects.exists()


def test_no_csrf_token_is_needed(services, app_key):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post_report(strict, app_key).status_code == 200


@pytest.mark.parametrize(("fields", "says"), [
    ({"service_code": None}, "service_code is required"),
    ({"service_code": "no-such"}, "service_code: there is no such service"),
    ({"lat": None, "long": None, "address_string": "1 High Street"}, "not by address_string alone"),
    ({"lat": None, "long": None}, "lat and long are required"),
    ({"lat": "nan"}, "not on the map"),
    ({"lat": "1e309"}, "not on the map"),
    ({"long": "west"}, "must be numbers"),
    ({"lat": "51.5", "long": "-0.1"}, "outside the area"),
    ({"description": ""}, "Description is needed"),
    ({"description": "x" * 5001}, "at most 5000"),
    ({"attribute[what]": None}, "needs an answer"),
    ({"attribute[what]": "piano"}, "choose one of the listed values"),
    ({"attribute[bags]": "1e400"}, "give a number"),
    ({"attribute[seen]": "yesterday"}, "give a date and time"),
    ({"attribute[hazards][]": ["needles", "uranium"]}, "choose from the listed values"),
    ({"email": "not an address"}, "Email address"),
    ({"media_url": "javascript:alert(1)"}, "media_url"),
    ({"first_name": "x" * 201}, "first_name: at most 200"),
    ({"device_id": "x" * 201}, "device_id: at most 200"),
])
def test_mistakes_are_told(client, services, app_key, fields, says):
    response = post_report(client, app_key, **fields)
    assert response.status_code == 400, response.content
    [error] = answer(response)
    assert error["code"] == 400
    assert says in error["description"]
    assert not Report.objects.exists()


def test_a_nul_character_is_refused(client, services, app_key):
    response = post_report(client, app_key, description="bags\x00 by the bins")
    assert response.status_code == 400
    assert "NUL" in answer(response)[0]["description"]


def test_a_wrong_jurisdiction_is_not_found(client, services, app_key):
    response = post_report(client, app_key, jurisdiction_id="elsewhere.example")
    assert response.status_code == 404
    assert answer(response)[0]["description"] == "jurisdiction_id not found"
    assert post_report(client, app_key, jurisdiction_id="riverford.example").status_code == 200


def test_get_only_endpoints_refuse_a_post(client, services, app_key):
    response = client.post(f"{BASE}services.json", {"api_key": app_key})
    assert response.status_code == 405
    assert answer(response)[0]["code"] == 405
