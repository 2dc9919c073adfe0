"""A public report's photos are served through SaferPlace (the address in media_url); a photo of
a private or hidden report never is."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from saferplace.reports.services import report_state_set, state_get
from tests.conftest import OPERATOR
from tests.open311.conftest import BASE, answer


def _photo() -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(output, format="JPEG")
    return SimpleUploadedFile("photo.jpg", output.getvalue(), content_type="image/jpeg")


def test_media_url_is_the_first_photo_through_the_app_else_the_one_given(client, make_report, settings):
    with_photo = make_report(photos=[_photo(), _photo()], media_url="https://photos.example/elsewhere.jpg")
    given = make_report(media_url="https://photos.example/elsewhere.jpg")
    found = {request["service_request_id"]: request for request in answer(client.get(f"{BASE}requests.json"))}
    first, second = with_photo.photos.order_by("id")
    assert found[with_photo.pk]["media_url"] == f"{settings.PUBLIC_URL}/open311/v2/photos/{first.pk}.jpeg"
    assert found[given.pk]["media_url"] == "https://photos.example/elsewhere.jpg"
    [extended] = answer(client.get(f"{BASE}requests/{with_photo.pk}.json", {"extensions": "true"}))
    assert extended["extended_attributes"]["media_urls"] == [
        f"{settings.PUBLIC_URL}/open311/v2/photos/{photo.pk}.jpeg" for photo in (first, second)]


def test_a_public_reports_photo_is_served(client, make_report):
    photo = make_report(photos=[_photo()]).photos.get()
    response = client.get(f"{BASE}photos/{photo.pk}.jpeg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_a_private_or_hidden_reports_photo_is_not(client, make_report):
    private = make_report("safeguarding", description="A child alone", photos=[_photo()]).photos.get()
    hidden_report = make_report(photos=[_photo()])
    report_state_set(viewer=OPERATOR, report=hidden_report, state=state_get("hidden"), text="Abuse")
    for photo in (private, hidden_report.photos.get()):
        assert client.get(f"{BASE}photos/{photo.pk}.jpeg").status_code == 404
    assert client.get(f"{BASE}photos/{10**30}.jpeg").status_code == 404
    assert client.get(f"{BASE}photos/99999.jpeg").status_code == 404
