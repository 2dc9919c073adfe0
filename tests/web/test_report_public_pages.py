"""A public report's page, its photos, "add my voice", "is it still there?", the list of recent
reports and the map's streets (web/views/report_public_pages.py): reachable with no account, the
same for a signed-in partner, never a private or hidden report, never who made one."""

import pytest
from django.core.cache import cache

from saferplace.places.services import streets_load
from saferplace.reports.models import Report
from saferplace.reports.services import report_state_set, state_get
from tests.conftest import OPERATOR, sign_in
from tests.reports import fixtures
from tests.reports.fixtures import IN_CENTRAL_NOT_PARKSIDE
from tests.web.report_journey import photo

pytestmark = pytest.mark.django_db
services, make_report = fixtures.services, fixtures.make_report  # the reports' fixtures, used here


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _text(response) -> str:
    return response.content.decode()


def _named(**fields):
    return {"name": "Sam Resident", "email": "sam@example.org", "phone": "01632 960001", **fields}


# --- A report's page -------------------------------------------------------------------------------

def test_a_public_reports_page_shows_what_happened_and_never_who_reported_it(client, make_report):
    report = make_report(address="Behind the shops", **_named())
    report_state_set(viewer=OPERATOR, report=report, state=state_get("in_progress"), text="A crew is on its way")
    response = client.get(f"/report/{report.pk}/")
    assert response.status_code == 200
    page = _text(response)
    assert page.count("<h1") == 1 and "Fly tipping" in page and report.where in page
    assert "Six black bags dumped by the garages" in page and "Riverford City Council" in page
    history = page.split('id="history"')[1]
    assert history.index("Open") < history.index("In progress") < history.index("A crew is on its way")
    for private in ("Sam Resident", "sam@example.org", "01632 960001", report.token, "Behind the shops"):
        assert private not in page
    assert "Add my voice" in page and "Is it still there?" not in page
    assert f'data-latitude="{report.latitude}"' in page and 'data-streets-url="/report/streets.geojson"' in page


def test_hostile_text_is_shown_as_text(client, make_report):
    report = make_report(description='<script>alert("x")</script> & <img src=x onerror=alert(1)>',
                         address="<b>bold</b>")
    page = _text(client.get(f"/report/{report.pk}/"))
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in page


def test_a_private_report_has_no_public_page_and_is_not_listed(client, make_report):
    private = make_report("safeguarding", description="A child left alone at night", **_named())
    assert client.get(f"/report/{private.pk}/").status_code == 404
    assert "A child left alone" not in _text(client.get("/reports/"))
    assert "Someone at risk" not in _text(client.get("/reports/"))
    # Nor can anyone add their voice to it or reopen it.
    assert client.post(f"/report/{private.pk}/support").status_code == 404
    assert client.post(f"/report/{private.pk}/reopen", {"reopen-reference": private.token,
                                                        "reopen-text": "Still"}).status_code == 404
    private.refresh_from_db()
    assert private.supporters == 0 and private.state_id == "open"


def test_a_hidden_report_is_not_found(client, make_report):
    report = make_report(description="Abusive words")
    report_state_set(viewer=OPERATOR, report=report, state=state_get("hidden"), text="Abuse")
    response = client.get(f"/report/{report.pk}/")
    assert response.status_code == 404 and "Abusive words" not in _text(response)
    assert "Page not found" in _text(response) and "Sign out" not in _text(response)
    assert "Abusive words" not in _text(client.get("/reports/"))


@pytest.mark.parametrize("path", ["/report/999999/", "/report/999999/photos/1", f"/report/{10**30}/"])
def test_no_such_report(client, services, path):
    assert client.get(path).status_code == 404


# --- Photos ----------------------------------------------------------------------------------------

def test_a_public_reports_photo_is_served_through_the_app(client, make_report, stored_uploads):
    report = make_report(photos=[photo()])
    stored = report.photos.get()
    assert f'src="/report/{report.pk}/photos/{stored.pk}"' in _text(client.get(f"/report/{report.pk}/"))
    response = client.get(f"/report/{report.pk}/photos/{stored.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_photos_of_private_or_hidden_reports_or_of_another_report_are_not_found(client, make_report, stored_uploads):
    private = make_report("safeguarding", description="A child", photos=[photo()])
    hidden = make_report(photos=[photo()])
    report_state_set(viewer=OPERATOR, report=hidden, state=state_get("hidden"), text="Abuse")
    other = make_report(at=IN_CENTRAL_NOT_PARKSIDE)
    for report in (private, hidden):
        assert client.get(f"/report/{report.pk}/photos/{report.photos.get().pk}").status_code == 404
    # A public report's address with another report's photo: not found either.
    assert client.get(f"/report/{other.pk}/photos/{private.photos.get().pk}").status_code == 404


# --- Add my voice, is it still there? ----------------------------------------------------------

def test_add_my_voice(client, make_report):
    report = make_report()
    response = client.post(f"/report/{report.pk}/support")
    assert response["Location"] == f"/report/{report.pk}/"
    report.refresh_from_db()
    assert report.supporters == 1
    page = _text(client.get(f"/report/{report.pk}/"))
    assert "your voice is added" in page and "1 person" in page
    assert client.get(f"/report/{report.pk}/support").status_code == 405


def test_a_closed_report_takes_no_more_voices(client, make_report):
    report = make_report()
    report_state_set(viewer=OPERATOR, report=report, state=state_get("unable_to_fix"), text="Private land")
    assert "Add my voice" not in _text(client.get(f"/report/{report.pk}/"))
    response = client.post(f"/report/{report.pk}/support", follow=True)
    assert "This report is closed" in _text(response)
    report.refresh_from_db()
    assert report.supporters == 0


def test_voices_are_limited_per_address(client, make_report, settings):
    settings.REPORTS_PER_HOUR_PER_ADDRESS = 2
    reports = [make_report(description=f"Bags {number}") for number in range(3)]
    for report in reports[:2]:  # a browser adds its voice to a report once; an address a few times an hour
        assert client.post(f"/report/{report.pk}/support").status_code == 302
    assert client.post(f"/report/{reports[2].pk}/support").status_code == 429
    assert [Report.objects.get(pk=report.pk).supporters for report in reports] == [1, 1, 0]


def test_a_fixed_report_is_reopened_by_who_holds_its_reference(client, make_report):
    report = make_report()
    report_state_set(viewer=OPERATOR, report=report, state=state_get("fixed"), text="Cleared")
    page = _text(client.get(f"/report/{report.pk}/"))
    assert "Is it still there?" in page and "Add my voice" not in page
    wrong = client.post(f"/report/{report.pk}/reopen", {"reopen-reference": "WRONGREF12", "reopen-text": "Still here"})
    assert wrong.status_code == 400 and "not this report&#39;s reference" in _text(wrong)
    assert 'href="#id_reopen-reference"' in _text(wrong)
    empty = client.post(f"/report/{report.pk}/reopen", {"reopen-reference": report.token, "reopen-text": ""})
    assert empty.status_code == 400 and "Say what you see" in _text(empty)
    report.refresh_from_db()
    assert report.state_id == "fixed"
    right = client.post(f"/report/{report.pk}/reopen", {"reopen-reference": report.token.lower(),
                                                        "reopen-text": "The bags are back"})
    assert right["Location"] == f"/report/{report.pk}/"
    report.refresh_from_db()
    assert report.state_id == "open"
    page = _text(client.get(f"/report/{report.pk}/"))
    assert "The bags are back" in page and "The resident who reported it" in page


def test_an_open_report_cannot_be_reopened(client, make_report):
    report = make_report()
    response = client.post(f"/report/{report.pk}/reopen", {"reopen-reference": report.token, "reopen-text": "Again"})
    assert response.status_code == 400 and "Only a report marked fixed can be reopened" in _text(response)


# --- The list --------------------------------------------------------------------------------------

def test_the_list_shows_recent_public_reports_and_filters_them(client, make_report):
    fly = make_report(description="Fly tip one")
    litter = make_report("litter", at=IN_CENTRAL_NOT_PARKSIDE, description="Litter one")
    fixed = make_report(at=IN_CENTRAL_NOT_PARKSIDE, description="Fixed fly tip")
    report_state_set(viewer=OPERATOR, report=fixed, state=state_get("fixed"), text="Cleared")
    page = _text(client.get("/reports/"))
    assert page.count("<h1") == 1
    for report in (fly, litter, fixed):
        assert f'href="/report/{report.pk}/"' in page
    assert "Someone at risk" not in page  # never offered as a filter
    only_litter = _text(client.get("/reports/", {"service": "litter"}))
    assert f'href="/report/{litter.pk}/"' in only_litter and f'href="/report/{fly.pk}/"' not in only_litter
    open_ones = _text(client.get("/reports/", {"status": "open"}))
    assert f'href="/report/{fly.pk}/"' in open_ones and f'href="/report/{fixed.pk}/"' not in open_ones
    closed = _text(client.get("/reports/", {"status": "closed"}))
    assert f'href="/report/{fixed.pk}/"' in closed and f'href="/report/{fly.pk}/"' not in closed


@pytest.mark.parametrize("query", [{"service": "safeguarding"}, {"status": "<script>"}, {"page": "-1"},
                                   {"page": "1e309"}, {"page": "x"}])
def test_a_hostile_filter_is_ignored_never_an_error(client, make_report, query):
    private = make_report("safeguarding", description="A child at risk")
    response = client.get("/reports/", query)
    assert response.status_code == 200
    assert f'href="/report/{private.pk}/"' not in _text(response) and "<script>" not in _text(response)


def test_the_list_pages_by_fifty(client, make_report):
    first = make_report()
    Report.objects.bulk_create([
        Report(service=first.service, state=first.state, owning_organisation=first.owning_organisation,
               data_category=first.data_category, token=f"PAGE{number:06d}", description=f"Bulk {number}",
               latitude=first.latitude, longitude=first.longitude) for number in range(50)])
    page = _text(client.get("/reports/"))
    assert page.count('class="app-report-list__item"') == 50 and 'href="?page=2"' in page
    second = _text(client.get("/reports/", {"page": "2"}))
    assert second.count('class="app-report-list__item"') == 1 and 'href="?page=1"' in second


# --- Streets, reads limited, signed in or not -------------------------------------------------------

def test_the_maps_streets_need_no_account(client, services):
    streets_load(viewer=OPERATOR, source="test streets", streets=[
        {"name": "High Street", "geometry": {"type": "LineString", "coordinates": [[-0.958, 52.445], [-0.952, 52.445]]}}])
    response = client.get("/report/streets.geojson", {"bbox": "-0.97,52.43,-0.93,52.47", "zoom": "16"})
    assert response.status_code == 200
    assert [feature["properties"]["label"] for feature in response.json()["features"]] == ["High Street"]
    assert client.get("/report/streets.geojson", {"bbox": "x"}).status_code == 400


def test_public_reads_are_limited_per_address(client, make_report, settings):
    settings.PUBLIC_READS_PER_MINUTE_PER_ADDRESS = 2
    report = make_report()
    assert client.get(f"/report/{report.pk}/").status_code == 200
    assert client.get("/reports/").status_code == 200
    assert client.get(f"/report/{report.pk}/").status_code == 429


def test_a_signed_in_partner_sees_the_same_public_page_with_nothing_more(client, make_report, police_officer):
    report = make_report(**_named())
    anonymous_page = _text(client.get(f"/report/{report.pk}/"))
    sign_in(client, police_officer)
    page = _text(client.get(f"/report/{report.pk}/"))
    assert "Sam Resident" not in page and "sam@example.org" not in page and report.token not in page
    assert "Sign out" not in page and "/incidents/" not in page and police_officer.username not in page
    strip = lambda text: text.split('name="csrfmiddlewaretoken"')[0]  # noqa: E731 - the page before its forms' tokens
    assert strip(page) == strip(anonymous_page)
    assert client.get("/reports/").status_code == 200
