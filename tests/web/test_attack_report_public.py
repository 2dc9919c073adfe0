"""Attacks on the public report pages and the keys page (issue 12): what a member of the public,
or an administrator of another partner, could see or do, each shown refused."""

import pytest
from django.core.cache import cache
from django.test import Client

from saferplace.reports.models import ApiKey
from tests.conftest import sign_in
from tests.reports import fixtures
from tests.web.report_journey import FLY_ANSWERS, photo, to_details

pytestmark = pytest.mark.django_db
services, make_report = fixtures.services, fixtures.make_report  # the reports' fixtures, used here


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def test_what_the_resident_typed_of_where_is_never_public(client, make_report):
    """'Describe where it is' is the resident's own words ('outside my flat, number 7'): like
    their name, only the partner reads it (Open311 never gives it either); the public page says
    the street and ward SaferPlace found."""
    report = make_report(address="Outside my flat, 7 Mill Lane")
    page = client.get(f"/report/{report.pk}/").content.decode()
    assert "Outside my flat" not in page and "7 Mill Lane" not in page
    assert report.where and report.where in page
    assert "Outside my flat" not in client.get("/reports/").content.decode()


def test_photos_kept_in_a_session_are_limited_per_address(services, settings, tmp_path):
    """Each new session may keep three photos in the database until it expires: without a limit,
    one address could fill the database with sessions of photos. Past the limit, a 429 and
    nothing kept."""
    settings.REPORTS_PER_HOUR_PER_ADDRESS = 1  # three photos an hour for this address
    settings.MEDIA_ROOT = str(tmp_path)
    first = Client()
    to_details(first)
    assert first.post("/report/details/", {**FLY_ANSWERS, "photos": [photo(), photo(), photo()]}).status_code == 302
    again = Client()
    to_details(again)
    refused = again.post("/report/details/", {**FLY_ANSWERS, "photos": [photo()]})
    assert refused.status_code == 429
    assert not again.session["report_draft"].get("photos")
    # Without a photo, the journey goes on.
    assert again.post("/report/details/", FLY_ANSWERS).status_code == 302


def test_an_administrator_cannot_issue_a_key_that_acts_for_another_partner(client, council_admin, world):
    sign_in(client, council_admin)
    police = world["organisations"]["police"]
    answer = client.post("/reporting/keys/new", {"name": "Police RMS", "per_minute": "600",
                                                 "organisation": str(police.pk)})
    assert answer.status_code == 400
    assert "Choose a partner from the list" in answer.content.decode()  # only their own is offered
    assert 'id="issued-key"' not in answer.content.decode()
    assert not ApiKey.objects.exists()
