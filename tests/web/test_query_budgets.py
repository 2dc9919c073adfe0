"""Query budgets: the pages a person waits for make a handful of queries, and the number does
not grow with the records shown. Each page is counted with a few records and again with many
more; the counts must be equal and within the page's budget."""

import os
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saferplace.incidents.models import ImportRun, ImportStatus, SourceLabel
from saferplace.partners.services import api_token_create
from tests.conftest import OPERATOR, make_incident, make_location, sign_in

pytestmark = pytest.mark.django_db

# The most queries each page may make (sessions, the viewer, the page's reads and its audit
# entry included). Raise one only with a reason in the commit message.
BUDGETS = {
    "home": 14,
    "explorer": 29,  # with located records, the busiest hexagons are described (places, streets): five more;
    # and a page asks the counts which pairs have any matching record: one more (here and the API)
    "incident": 16,
    "imports": 10,
    "api": 12,  # the page is read off the index (pages.py), then its records, the pairs to walk from the counts
}


def _add_records(world, count: int, start: int) -> None:
    outcome = SourceLabel.objects.get_or_create(text="Under investigation")[0]
    for number in range(start, start + count):
        make_incident(
            world, owner="police" if number % 2 else "council", category="asb" if number % 2 else "environmental",
            external_id=f"QB-{number}", occurred_on=date(2026, 6, 1) - timedelta(days=number),
            location=make_location(52.45 + number / 1000, -0.95, description=f"On or near Street {number}"),
            outcome=outcome,
        )
    for number in range(start, start + count):
        ImportRun.objects.create(importer="police-uk", file_name=f"file-{number}.csv", file_hash=f"{number:064d}",
                                 organisation=world["organisations"]["police"], status=ImportStatus.SUCCEEDED,
                                 started_by_name="operator:test-suite")


def _budget(page: str) -> int:
    # PostgreSQL takes an advisory lock before appending to the audit trail: one query more.
    return BUDGETS[page] + (1 if connection.vendor == "postgresql" else 0)


def _queries(client, path: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    if os.environ.get("SHOW_QUERIES"):
        print(path, *(query["sql"][:300] for query in captured.captured_queries), sep="\n  ")
    return len(captured.captured_queries)


@pytest.fixture
def signed_in(client, police_analyst):
    return sign_in(client, police_analyst)


def _measure(world, client, path_for, **kwargs) -> tuple[int, int]:
    _add_records(world, 3, 0)
    _queries(client, path_for(), **kwargs)  # the first request of a session records it; count the next ones
    few = _queries(client, path_for(), **kwargs)
    _add_records(world, 30, 3)
    many = _queries(client, path_for(), **kwargs)
    return few, many


@pytest.mark.parametrize(("page", "path"), [
    ("home", "/"),
    ("explorer", "/incidents/"),
    ("imports", "/imports/"),
])
def test_a_page_s_queries_do_not_grow_with_its_records(world, signed_in, page, path):
    few, many = _measure(world, signed_in, lambda: path)
    assert few == many, f"{page}: {few} queries with a few records, {many} with many"
    assert many <= _budget(page), f"{page}: {many} queries, budget {_budget(page)}"


def test_the_incident_page_s_queries_are_within_budget(world, signed_in):
    from saferplace.incidents.models import Incident

    few, many = _measure(world, signed_in, lambda: f"/incidents/{Incident.objects.order_by('pk').first().pk}/")
    assert few == many and many <= _budget("incident"), (few, many)


def test_the_api_list_s_queries_do_not_grow_with_its_records(world, client, police_analyst):
    _, token = api_token_create(viewer=OPERATOR, user=police_analyst, name="budget")
    headers = {"Authorization": f"Bearer {token}"}
    few, many = _measure(world, client, lambda: "/api/v1/incidents", headers=headers)
    assert few == many and many <= _budget("api"), (few, many)
