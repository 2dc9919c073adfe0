"""Rate limits: reads per network address, POSTs per API key (its own limit a minute), and
refused POSTs (no key, or a wrong one) per address; each a 429 in Open311's error shape."""

from saferplace.reports.keys import api_key_create
from saferplace.reports.models import Report
from tests.conftest import OPERATOR
from tests.open311.conftest import BASE, answer, post_report, xml


def test_reads_are_limited_per_address(client, services, settings):
    settings.PUBLIC_READS_PER_MINUTE_PER_ADDRESS = 3
    for _ in range(3):
        assert client.get(f"{BASE}services.json").status_code == 200
    refused = client.get(f"{BASE}requests.json")
    assert refused.status_code == 429
    assert answer(refused)[0]["code"] == 429
    assert xml(client.get(f"{BASE}services.xml")).findtext("error/code") == "429"
    other = client.get(f"{BASE}services.json", REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_posts_are_limited_per_key(client, services, world):
    _, slow = api_key_create(viewer=OPERATOR, name="Slow app", per_minute=2)
    _, other = api_key_create(viewer=OPERATOR, name="Other app")
    assert post_report(client, slow).status_code == 200
    assert post_report(client, slow).status_code == 200
    refused = post_report(client, slow)
    assert refused.status_code == 429
    assert "2 requests a minute" in answer(refused)[0]["description"]
    assert Report.objects.count() == 2
    assert post_report(client, other).status_code == 200


def test_a_rate_limited_retry_is_not_kept_as_the_answer(client, services, world):
    _, slow = api_key_create(viewer=OPERATOR, name="Slow app", per_minute=1)
    assert post_report(client, slow).status_code == 200
    assert post_report(client, slow, headers={"Idempotency-Key": "later"}).status_code == 429
    from django.core.cache import cache

    cache.clear()  # the next minute
    assert post_report(client, slow, headers={"Idempotency-Key": "later"}).status_code == 200


def test_refused_posts_are_limited_per_address(client, services, settings, app_key):
    settings.PUBLIC_READS_PER_MINUTE_PER_ADDRESS = 2
    assert post_report(client, "o311_guess-1").status_code == 403
    assert post_report(client, "o311_guess-2").status_code == 403
    assert post_report(client, "o311_guess-3").status_code == 429
    assert post_report(client, app_key).status_code == 200  # a good key is counted by its own limit
