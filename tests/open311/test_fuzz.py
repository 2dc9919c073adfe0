"""A schema-driven fuzz of the Open311 API: Schemathesis reads the OpenAPI document the API serves
(/open311/v2/openapi.json, saferplace/open311/schema.py) and sends every operation boundary
values, hostile strings, huge numbers, malformed forms and headers, in process, through Django's
WSGI application and the test database. Whatever it sends, no answer is a server error, and every
answer is one the document describes (its status, its content type, the shape of its body);
input the document forbids is refused (4xx). The POSTs carry a real API key (with a limit high
enough that the fuzz is never rate limited), so they reach the parsing behind the key; reads are
not limited either. Two posts the document allows are also shown answered 200 as it describes."""

import os

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from saferplace.reports.keys import api_key_create
from saferplace.reports.models import Report
from tests.conftest import OPERATOR
from tests.reports.fixtures import IN_PARKSIDE

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

# Examples per operation: enough for CI in well under a minute; set SAFERPLACE_FUZZ_EXAMPLES=1000
# (say) for a longer run.
EXAMPLES = int(os.environ.get("SAFERPLACE_FUZZ_EXAMPLES", "25"))

schema = schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", WSGIHandler())


@pytest.fixture(autouse=True)
def connections_kept_open():
    """Django's WSGI application closes the database connection at the end of each request, and
    the test's transaction would go with it; this stops that around the whole test, as Django's
    test client does around its requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_key(settings, make_report):
    """Reports to read (a public one with its acknowledgement, a private one) and a partner's key
    allowed more requests a minute than the fuzz makes; reads unlimited per address too."""
    settings.PUBLIC_READS_PER_MINUTE_PER_ADDRESS = 1_000_000
    make_report()
    make_report("safeguarding", description="Someone at risk by the canal")
    return api_key_create(viewer=OPERATOR, name="Fuzz", per_minute=100_000)[1]


def keyed(case, key: str) -> None:
    """A form body gets the real key in place of the generated one (a body whose `api_key` the
    fuzz made something other than text, or left out, keeps that: it is what is being tried)."""
    if case.method == "POST" and isinstance(case.body, dict) and isinstance(case.body.get("api_key"), str):
        case.body["api_key"] = key


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_open311_never_fails_and_answers_as_its_schema_says(case, fuzz_key):
    keyed(case, fuzz_key)
    response = case.call_and_validate(checks=CHECKS)
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and case.method == "GET" and case.path in ("/discovery.json", "/services.json") and \
            (case.query or {}).get("jurisdiction_id") in (None, "", django_settings.OPEN311_JURISDICTION):
        assert response.status_code == 200, case.as_curl_command()


def test_posts_the_schema_allows_are_answered_as_it_says(fuzz_key):
    """A report with answers to the questions, then a resident's comment on it, each 200 and in
    the shape the document gives."""
    body = {"api_key": fuzz_key, "service_code": "fly-tipping", "lat": IN_PARKSIDE[0], "long": IN_PARKSIDE[1],
            "description": "Fridge on the verge", "attribute[what]": "household", "attribute[bags]": "3"}
    case = schema["/requests.json"]["POST"].Case(body=body, media_type="application/x-www-form-urlencoded")
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code == 200, response.text
    [made] = response.json()
    assert Report.objects.get(pk=made["service_request_id"]).attributes == {"what": "household", "bags": "3"}

    update = {"api_key": fuzz_key, "service_request_id": made["service_request_id"], "description": "Still there"}
    case = schema["/servicerequestupdates.json"]["POST"].Case(body=update,
                                                               media_type="application/x-www-form-urlencoded")
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code == 200, response.text
    assert response.json()[0]["service_request_id"] == made["service_request_id"]
