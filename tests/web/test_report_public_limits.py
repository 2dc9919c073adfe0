"""The public pages that cost most (the map's streets, the place search) are limited per network
address more tightly than pages, and the confirmation's reference is shown once."""

import pytest
from django.core.cache import cache
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@override_settings(PUBLIC_READS_PER_MINUTE_PER_ADDRESS=30)
def test_the_streets_and_the_search_are_a_tenth_of_the_reads(client, services):
    answers = [client.get("/report/streets.geojson?bbox=-1,52,0,53&zoom=14").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert client.get("/report/where/?q=Mill").status_code == 429  # the same allowance
    assert client.get("/report/where/").status_code == 200  # the page itself is not a search


def test_a_browser_adds_its_voice_once(client, make_report):
    report = make_report()
    for _ in range(3):
        assert client.post(f"/report/{report.pk}/support").status_code == 302
    report.refresh_from_db()
    assert report.supporters == 1
    assert "already added your voice" in client.get(f"/report/{report.pk}/").content.decode()
