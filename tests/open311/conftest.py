"""Open311's fixtures: the reports' services and reports (tests/reports/fixtures.py), keys for a
client application and for two partners' systems, and rate limits counted afresh in each test."""

import json
from xml.etree import ElementTree

import pytest
from django.core.cache import cache

from saferplace.reports.keys import api_key_create
from tests.conftest import OPERATOR
from tests.reports.fixtures import make_report, services  # noqa: F401 - fixtures
from tests.tasking.fixtures import area  # noqa: F401 - a fixture

BASE = "/open311/v2/"


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def app_key(world):
    """A client application's key (no partner): posts reports, comments, reopens."""
    return api_key_create(viewer=OPERATOR, name="Riverford app")[1]


@pytest.fixture
def council_key(world):
    return api_key_create(viewer=OPERATOR, name="Council CRM", organisation=world["organisations"]["council"])[1]


@pytest.fixture
def police_key(world):
    return api_key_create(viewer=OPERATOR, name="Police RMS", organisation=world["organisations"]["police"])[1]


def answer(response):
    """The JSON answer, after checking its content type."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


def xml(response) -> ElementTree.Element:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own answer, in a test


def post_report(client, key, *, fmt="json", headers=None, **fields):
    data = {"api_key": key, "service_code": "fly-tipping", "lat": "52.445", "long": "-0.955",
            "description": "Mattress dumped by the bins", "attribute[what]": "household", **fields}
    data = {name: value for name, value in data.items() if value is not None}
    return client.post(f"{BASE}requests.{fmt}", data, headers=headers or {})
