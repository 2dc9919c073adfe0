"""A public read is kept for a moment: the same address asked again is answered from what was
worked out (many apps polling one list cost one answer), and a different address is not."""

import json

import pytest
from django.core.cache import cache

from tests.open311.conftest import BASE

pytestmark = pytest.mark.django_db


def _ids(answer) -> list[int]:
    return [item["service_request_id"] for item in json.loads(answer.content)]


def test_the_same_read_is_answered_from_what_was_kept_until_it_is_forgotten(client, make_report):
    first = make_report()
    assert _ids(client.get(BASE + "requests.json")) == [first.pk]
    second = make_report(description="More bags")
    assert _ids(client.get(BASE + "requests.json")) == [first.pk]  # kept
    assert _ids(client.get(BASE + "requests.json?status=open")) == [second.pk, first.pk]  # another address
    cache.clear()  # as when the moment has passed
    assert _ids(client.get(BASE + "requests.json")) == [second.pk, first.pk]


def test_refusals_are_never_kept(client, make_report):
    assert client.get(BASE + "requests/999.json").status_code == 404
    report = make_report()
    assert client.get(BASE + f"requests/{report.pk}.json").status_code == 200
