"""The public "report a problem" journey (web/views/report_public.py) with no account: each step,
each error on its field (never a server error), the photos cleaned of their EXIF, the honeypot,
the limit per address, CSRF, and a private service's report that is never public."""

import io

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from saferplace.incidents.models import PostcodeCentroid
from saferplace.places.services import streets_load
from saferplace.reports.models import Report, ReportEvent
from tests.conftest import OPERATOR, sign_in
from tests.reports import fixtures
from tests.reports.fixtures import IN_CENTRAL_NOT_PARKSIDE, IN_PARKSIDE, OUTSIDE
from tests.web.report_journey import FLY_ANSWERS, begin, gps_of, photo, send, to_check, to_details

pytestmark = pytest.mark.django_db
services, make_report = fixtures.services, fixtures.make_report  # the reports' fixtures, used here


@pytest.fixture(autouse=True)
def fresh_limits():
    """The limits per address are counted in the cache: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def gazetteer(services):
    streets_load(viewer=OPERATOR, source="test streets", streets=[
        {"name": "High Street", "number": "A1", "kind": "A Road",
         "geometry": {"type": "LineString", "coordinates": [[-0.958, 52.445], [-0.952, 52.445]]}},
        {"name": "Highfield Close", "geometry": {"type": "LineString",
                                                 "coordinates": [[-0.955, 52.446], [-0.954, 52.447]]}},
        {"name": "Mill Lane", "geometry": {"type": "LineString", "coordinates": [[-0.95, 52.44], [-0.95, 52.446]]}},
    ])
    PostcodeCentroid.objects.create(postcode="RV11AA", latitude=IN_PARKSIDE[0], longitude=IN_PARKSIDE[1])


def _text(response) -> str:
    return response.content.decode()


# --- Start ---------------------------------------------------------------------------------------

def test_the_start_page_needs_no_account_and_offers_the_private_route(client, services):
    response = client.get("/report/")
    assert response.status_code == 200
    page = _text(response)
    assert "Start now" in page and 'href="/report/new/"' in page
    assert "Worried someone is at risk" in page and 'href="/report/private/safeguarding/">Someone at risk</a>' in page
    assert page.count("<h1") == 1
    assert "Sign out" not in page and "/incidents/" not in page


def test_every_private_service_has_its_private_route_whatever_its_code(client, services):
    from saferplace.reports.models import Service

    Service.objects.create(code="hate-incident", name="Hate incident", group="Safety", private=True,
                           data_category=services["safeguarding"].data_category)
    page = _text(client.get("/report/"))
    assert 'href="/report/private/hate-incident/">Hate incident</a>' in page
    assert 'href="/report/private/safeguarding/">Someone at risk</a>' in page


def test_without_a_private_service_there_is_no_private_route(client, services):
    services["safeguarding"].delete()
    assert "at risk" not in _text(client.get("/report/"))


def test_a_step_before_its_turn_sends_the_resident_back(client, services):
    assert client.get("/report/what/")["Location"] == "/report/where/"
    assert client.get("/report/details/")["Location"] == "/report/where/"
    assert client.get("/report/check/")["Location"] == "/report/where/"
    begin(client)
    assert client.get("/report/details/")["Location"] == "/report/what/"
    assert client.get("/report/sent/")["Location"] == "/report/"


# --- Where ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("latitude, longitude", [("", ""), ("52.4", ""), ("abc", "-0.95"), ("nan", "-0.95"),
                                                 ("1e309", "-0.95"), ("91", "-0.95")])
def test_where_needs_a_point_on_the_map(client, services, latitude, longitude):
    response = client.post("/report/where/", {"latitude": latitude, "longitude": longitude})
    assert response.status_code == 400
    assert "Choose where the problem is" in _text(response)
    assert 'href="#id_q"' in _text(response)  # the summary links to the search box


def test_a_point_outside_the_partnerships_area_is_a_form_error(client, services):
    response = client.post("/report/where/", {"latitude": OUTSIDE[0], "longitude": OUTSIDE[1]})
    assert response.status_code == 400
    assert "outside the area the partnership covers" in _text(response)
    assert "latitude" not in client.session.get("report_draft", {})


def test_the_map_draws_the_streets_of_this_site_and_centres_on_the_area(client, services):
    page = _text(client.get("/report/where/"))
    assert 'data-module="app-report-map"' in page and 'data-streets-url="/report/streets.geojson"' in page
    assert 'data-bounds="52.44,-0.96,52.52,-0.88"' in page  # Riverford Central, Parkside, Riverford North
    assert "Use my location" in page


def test_search_lists_streets_and_postcodes_to_choose_without_javascript(client, gazetteer):
    page = _text(client.get("/report/where/", {"q": "high"}))
    assert "High Street (A1)" in page and "Highfield Close" in page and "Mill Lane" not in page
    assert _text(client.get("/report/where/", {"q": "rv1 1"})).count("RV1 1AA") >= 1
    assert "No places found" in _text(client.get("/report/where/", {"q": "nowhere at all"}))
    short = client.get("/report/where/", {"q": "h"})
    assert short.status_code == 400 and "at least 2 characters" in _text(short)
    # Choosing a result posts its point (and its name, as where the resident said it is).
    response = client.post("/report/where/", {"latitude": IN_PARKSIDE[0], "longitude": IN_PARKSIDE[1],
                                              "address": "RV1 1AA"})
    assert response["Location"] == "/report/what/"
    assert client.session["report_draft"]["address"] == "RV1 1AA"


def test_hostile_search_text_is_shown_as_text(client, gazetteer):
    response = client.get("/report/where/", {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert(1)" not in _text(response) and "&lt;script&gt;alert(1)" in _text(response)


# --- What ----------------------------------------------------------------------------------------

def test_what_lists_public_services_by_group_never_a_private_one(client, services):
    begin(client)
    page = _text(client.get("/report/what/"))
    assert "Streets and rubbish" in page and "Anti-social behaviour" in page
    assert page.index("Streets and rubbish") < page.index("Fly tipping") < page.index("Litter")
    assert 'data-report-words="fly tipping rubbish dumped in the street' in page  # the search reads these
    assert "safeguarding" not in page and "Someone at risk" not in page


@pytest.mark.parametrize("chosen, message", [("", "Choose what the problem is"),
                                             ("safeguarding", "Choose what the problem is from the list"),
                                             ("no-such-thing", "Choose what the problem is from the list")])
def test_what_must_be_a_listed_service(client, services, chosen, message):
    begin(client)
    response = client.post("/report/what/", {"service": chosen})
    assert response.status_code == 400 and message in _text(response)
    first_radio = _text(response).split('class="govuk-radios__input" id="')[1].split('"')[0]
    assert first_radio == "service-drug-dealing" and f'href="#{first_radio}"' in _text(response)


# --- The service's questions, description and photos ----------------------------------------

def test_each_question_has_the_input_of_its_datatype(client, services):
    to_details(client)
    page = " ".join(_text(client.get("/report/details/")).split())
    assert 'id="id_a_what" name="a_what" type="radio" value="household"' in page  # singlevaluelist: radios
    assert 'id="id_a_bags" name="a_bags" type="text" spellcheck="false" value="" inputmode="decimal"' in page  # number
    for part in ("day", "month", "year", "time"):  # datetime: a date and a time
        assert f'id="id_a_seen-{part}" name="a_seen-{part}"' in page
    assert 'id="id_a_hazards" name="a_hazards" type="checkbox" value="needles"' in page  # multivaluelist: checkboxes
    # A required question is asked as it is; the others are marked optional (GOV.UK's way).
    assert "What has been dumped? </legend>" in page and "About how many bags? (optional)" in page
    assert 'data-module="govuk-character-count" data-maxlength="5000"' in page
    assert 'name="photos" type="file" multiple' in page and 'accept="image/*"' in page


@pytest.mark.parametrize("answers, field, message", [
    ({"description": "Bags"}, "a_what", "Answer the question: What has been dumped?"),
    ({**FLY_ANSWERS, "description": ""}, "description", "Describe the problem"),
    ({**FLY_ANSWERS, "description": "x" * 5001}, "description", "5,000 characters or fewer"),
    ({**FLY_ANSWERS, "a_what": "gold"}, "a_what", "Choose an answer from the list"),
    ({**FLY_ANSWERS, "a_bags": "lots"}, "a_bags", "Enter a number, like 6"),
    ({**FLY_ANSWERS, "a_bags": "1e309"}, "a_bags", "Enter a number, like 6"),
    ({**FLY_ANSWERS, "a_bags": "nan"}, "a_bags", "Enter a number, like 6"),
    ({**FLY_ANSWERS, "a_seen-day": "31", "a_seen-month": "2", "a_seen-year": "2026", "a_seen-time": "10:00"},
     "a_seen", "Enter a real date and a time like 14:30"),
    ({**FLY_ANSWERS, "a_seen-day": "3", "a_seen-month": "2", "a_seen-year": "2026", "a_seen-time": "25:99"},
     "a_seen", "Enter a real date and a time like 14:30"),
    ({**FLY_ANSWERS, "a_seen-day": "3", "a_seen-month": "2", "a_seen-year": "99999", "a_seen-time": "10:00"},
     "a_seen", "Enter a real date"),
    ({**FLY_ANSWERS, "a_seen-day": "3", "a_seen-month": "2"}, "a_seen", "Enter the year and time"),
    ({**FLY_ANSWERS, "a_hazards": ["needles", "plutonium"]}, "a_hazards", "Choose answers from the list"),
])
def test_a_wrong_answer_is_an_error_on_its_field(client, services, answers, field, message):
    to_details(client)
    response = client.post("/report/details/", answers)
    assert response.status_code == 400
    page = _text(response)
    assert message in page
    anchor = f"#id_{field}-day" if field == "a_seen" else f"#id_{field}"
    assert f'href="{anchor}"' in page
    assert "description" not in client.session["report_draft"]


def test_answers_of_every_datatype_are_kept_as_the_service_checks_them(client, services):
    to_details(client)
    response = client.post("/report/details/", {
        **FLY_ANSWERS, "a_bags": "6", "a_seen-day": "3", "a_seen-month": "2", "a_seen-year": "2026",
        "a_seen-time": "2:30pm", "a_hazards": ["needles", "asbestos"]})
    assert response["Location"] == "/report/nearby/"
    answers = client.session["report_draft"]["answers"]
    assert answers["what"] == "household" and answers["bags"] == "6" and answers["hazards"] == ["needles", "asbestos"]
    assert answers["seen"].startswith("2026-02-03T14:30:00")
    # Back on the page, the answers are where the resident left them.
    page = _text(client.get("/report/details/"))
    assert 'value="2026"' in page and 'value="14:30"' in page and "Six black bags dumped" in page


def test_at_most_three_photos(client, services, stored_uploads):
    to_details(client)
    response = client.post("/report/details/", {**FLY_ANSWERS, "photos": [photo(f"p{n}.jpg") for n in range(4)]})
    assert response.status_code == 400 and "Add at most 3 photos" in _text(response)
    assert 'href="#id_photos"' in _text(response)
    # Two now and two more later is four too.
    assert client.post("/report/details/", {**FLY_ANSWERS, "photos": [photo(), photo()]}).status_code == 302
    again = client.post("/report/details/", {**FLY_ANSWERS, "photos": [photo(), photo()]})
    assert again.status_code == 400 and "you have already added 2" in _text(again)
    assert "You have added 2 photos" in _text(client.get("/report/details/"))
    removed = client.post("/report/details/", {**FLY_ANSWERS, "remove_photos": "on", "photos": [photo()]})
    assert removed.status_code == 302 and len(client.session["report_draft"]["photos"]) == 1


def test_a_file_that_is_not_a_photo_is_an_error_on_the_field(client, services):
    to_details(client)
    fake = SimpleUploadedFile("bags.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    response = client.post("/report/details/", {**FLY_ANSWERS, "photos": [fake]})
    assert response.status_code == 400
    assert "bags.jpg: The file is not a photo SaferPlace can read" in _text(response)
    assert "photos" not in client.session["report_draft"]


def test_a_photos_gps_exif_is_not_in_the_stored_copy(client, services, stored_uploads):
    upload = photo("where.jpg", gps=True)
    assert gps_of(upload.read())  # the photo sent says where it was taken
    upload.seek(0)
    to_check(client, details={**FLY_ANSWERS, "photos": [upload]})
    assert send(client)["Location"] == "/report/sent/"
    stored = Report.objects.get().photos.get()
    with default_storage.open(stored.file) as kept:
        content = kept.read()
    assert content.startswith(b"\xff\xd8") and gps_of(content) == {}
    with Image.open(io.BytesIO(content)) as image:
        assert dict(image.getexif()) == {}


# --- Reports nearby ------------------------------------------------------------------------------

def test_an_open_report_nearby_can_have_the_residents_voice_instead(client, services, make_report):
    existing = make_report(at=IN_PARKSIDE, description="Mattress by the garages")
    make_report("litter", at=IN_PARKSIDE)  # another kind: not shown
    to_details(client)
    assert client.post("/report/details/", FLY_ANSWERS)["Location"] == "/report/nearby/"
    page = _text(client.get("/report/nearby/"))
    assert "Is it one of these?" in page and "Mattress by the garages" in page and "Litter" not in page
    assert f'name="support" value="{existing.pk}"' in page and "No, it is a new problem" in page
    response = client.post("/report/nearby/", {"support": str(existing.pk)})
    assert response["Location"] == f"/report/{existing.pk}/"
    existing.refresh_from_db()
    assert existing.supporters == 1 and Report.objects.count() == 2
    assert "report_draft" not in client.session
    assert "your voice is added" in _text(client.get(response["Location"]))


def test_a_report_not_nearby_cannot_be_supported_from_the_journey(client, services, make_report):
    far = make_report(at=(52.455, -0.945))
    to_details(client)
    client.post("/report/details/", FLY_ANSWERS)
    response = client.post("/report/nearby/", {"support": str(far.pk)})
    far.refresh_from_db()
    assert far.supporters == 0 and response.status_code == 302


def test_no_its_a_new_problem_goes_on(client, services, make_report):
    make_report(at=IN_PARKSIDE)
    to_details(client)
    client.post("/report/details/", FLY_ANSWERS)
    assert client.post("/report/nearby/", {"new": "1"})["Location"] == "/report/about-you/"
    assert 'href="/report/nearby/"' in _text(client.get("/report/about-you/"))  # the back link


# --- About you, check your answers, send ---------------------------------------------------------

@pytest.mark.parametrize("about, message", [
    ({}, "Choose whether to give your name or stay anonymous"),
    ({"anonymous": "no"}, "Enter your name, or choose to stay anonymous"),
    ({"anonymous": "yes", "email": "not an address"}, "Enter an email address like name@example.com"),
    ({"anonymous": "yes", "phone": "call me <b>"}, "Enter a phone number using only digits"),
    ({"anonymous": "no", "name": "x" * 151}, "150 characters or fewer"),
])
def test_about_you_errors(client, services, about, message):
    to_details(client)
    client.post("/report/details/", FLY_ANSWERS)
    response = client.post("/report/about-you/", about)
    assert response.status_code == 400 and message in _text(response)


def test_the_whole_journey_makes_the_report(client, services, stored_uploads):
    to_check(client, details={**FLY_ANSWERS, "a_bags": "6", "photos": [photo()]},
             about={"anonymous": "no", "name": "Sam Resident", "email": "sam@example.org", "phone": "01632 960001"})
    page = _text(client.get("/report/check/"))
    for shown in ("Fly tipping", "Household rubbish", "About how many bags?", "Six black bags", "1 photo",
                  "Sam Resident", "sam@example.org", "Parkside ward", 'href="/report/where/?change=check"'):
        assert shown in page
    assert 'name="website"' in page and 'tabindex="-1"' in page and "Leave this empty" in page
    response = send(client)
    assert response["Location"] == "/report/sent/"
    report = Report.objects.get()
    assert (report.service.code, report.is_public, report.owning_organisation.name) == (
        "fly-tipping", True, "Riverford City Council")
    assert report.attributes == {"what": "household", "bags": "6"}
    assert (report.name, report.email, report.phone, report.anonymous) == (
        "Sam Resident", "sam@example.org", "01632 960001", False)
    assert report.photos.count() == 1 and report.channel == "web"
    assert ReportEvent.objects.filter(record=report).get().actor_name == "resident"
    sent = _text(client.get("/report/sent/"))
    assert report.token in sent and "govuk-panel--confirmation" in sent and f'href="/report/{report.pk}/"' in sent
    assert "report_draft" not in client.session


def test_change_from_check_your_answers_comes_back_to_it(client, services):
    to_check(client)
    response = client.post("/report/where/?change=check", {"latitude": IN_PARKSIDE[0], "longitude": IN_PARKSIDE[1],
                                                           "address": "By the garages"})
    assert response["Location"] == "/report/check/"
    assert client.post("/report/what/?change=check", {"service": "fly-tipping"})["Location"] == "/report/check/"
    # Another service asks other questions: they are asked.
    assert client.post("/report/what/?change=check", {"service": "litter"})["Location"] == "/report/details/"


def test_a_sending_the_service_refuses_shows_the_problem(client, services):
    to_check(client)
    services["fly"].routes.all().delete()  # nobody handles fly tipping here any more
    response = send(client)
    assert response.status_code == 400 and "outside the area the partnership covers" in _text(response)
    assert Report.objects.count() == 0


def test_the_honeypot_answers_as_if_sent_and_keeps_nothing(client, services, stored_uploads):
    to_check(client, details={**FLY_ANSWERS, "photos": [photo()]})
    response = send(client, website="http://spam.example")
    assert response["Location"] == "/report/sent/"
    sent = _text(client.get("/report/sent/"))
    assert "Report sent" in sent and "/report/1/" not in sent
    assert Report.objects.count() == 0 and ReportEvent.objects.count() == 0
    assert "report_draft" not in client.session


def test_too_many_reports_from_one_address_is_429(client, services, settings):
    settings.REPORTS_PER_HOUR_PER_ADDRESS = 1
    to_check(client)
    assert send(client)["Location"] == "/report/sent/"
    to_check(client, at=IN_CENTRAL_NOT_PARKSIDE)  # not beside the first (which would be offered instead)
    response = send(client)
    assert response.status_code == 429 and "too many" in _text(response)
    assert Report.objects.count() == 1
    # Another address is not limited by this one.
    other = Client(REMOTE_ADDR="198.51.100.7")
    to_check(other, at=(52.457, -0.95))
    assert send(other)["Location"] == "/report/sent/"


def test_every_form_needs_its_csrf_token(services):
    strict = Client(enforce_csrf_checks=True)
    assert strict.get("/report/new/").status_code == 302
    response = strict.post("/report/where/", {"latitude": IN_PARKSIDE[0], "longitude": IN_PARKSIDE[1]})
    assert response.status_code == 403
    page = _text(strict.get("/report/where/"))
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = strict.post("/report/where/", {"latitude": IN_PARKSIDE[0], "longitude": IN_PARKSIDE[1],
                                              "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_only_get_and_post(client, services):
    assert client.put("/report/where/").status_code == 405
    assert client.post("/report/").status_code == 405


# --- A private service: someone at risk --------------------------------------------------------

def test_a_private_report_goes_through_without_what_or_nearby_and_is_never_public(client, services, make_report):
    make_report("safeguarding", at=IN_PARKSIDE, description="Earlier concern about a child")
    page = _text(client.get("/report/private/safeguarding/"))
    assert "Someone at risk" in page and "never shown publicly" in page
    assert "Earlier concern" not in page
    assert client.post("/report/private/safeguarding/")["Location"] == "/report/where/"
    assert 'href="/report/private/safeguarding/"' in _text(client.get("/report/where/"))  # the back link
    response = client.post("/report/where/", {"latitude": IN_PARKSIDE[0], "longitude": IN_PARKSIDE[1]})
    assert response["Location"] == "/report/details/"
    assert client.get("/report/what/")["Location"] == "/report/details/"
    details = _text(client.get("/report/details/"))
    assert "Tell us what is happening" in details and "Do not include anyone" not in details
    response = client.post("/report/details/", {"description": "A child left alone at night"})
    assert response["Location"] == "/report/about-you/"
    assert client.post("/report/about-you/", {"anonymous": "yes", "email": "me@example.org"}).status_code == 302
    check = _text(client.get("/report/check/"))
    assert "Earlier concern" not in check and "never shown publicly" in check
    assert send(client)["Location"] == "/report/sent/"
    report = Report.objects.get(description="A child left alone at night")
    assert not report.is_public and report.urgent and report.owning_organisation.name == "Fenshire Police"
    sent = _text(client.get("/report/sent/"))
    assert report.token in sent and f"/report/{report.pk}/" not in sent and "not shown publicly" in sent
    assert "marked fixed" not in sent
    assert client.get(f"/report/{report.pk}/").status_code == 404
    assert "A child left alone" not in _text(client.get("/reports/"))


def test_a_public_services_code_on_the_private_start_is_the_ordinary_journey(client, services):
    assert client.get("/report/private/fly-tipping/")["Location"] == "/report/where/"
    assert client.get("/report/private/no-such/").status_code == 404


# --- Signed in or not, the same --------------------------------------------------------------------

def test_a_signed_in_partner_sees_the_same_public_journey(client, services, council_admin):
    sign_in(client, council_admin)
    page = _text(client.get("/report/"))
    assert "Start now" in page and "Sign out" not in page and "Your account" not in page
    assert council_admin.username not in page
    to_check(client)
    assert send(client)["Location"] == "/report/sent/"
    report = Report.objects.get()
    assert report.name == "" and ReportEvent.objects.get(record=report).actor_name == "resident"
