"""The API's list takes the explorer's filters (owner, outcome, hours of the day, days of the
week, sort) through the same selector, so the same access policy; bad values are a 400."""

import pytest

from tests.conftest import sign_in
from tests.web.test_explorer_search import COUNCIL_SEES, night  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _references(client, **params) -> list[str]:
    response = client.get("/api/v1/incidents", params)
    assert response.status_code == 200, response.content
    return [item["external_id"] for item in response.json()["results"]]


@pytest.mark.parametrize(("params", "expected"), [
    ({}, COUNCIL_SEES),
    ({"owner": "Fenshire Police"}, {"T-POL-1", "T-POL-2", "T-POL-3"}),
    ({"owner": "Riverford Business Improvement District"}, set()),  # not the council's to see
    ({"outcome": "No further action"}, {"T-POL-2"}),
    ({"outcome": "Resolved by the BID"}, set()),
    ({"hour_from": 22, "hour_to": 4}, {"T-POL-1", "T-POL-2"}),
    ({"hour_from": 0, "hour_to": 3}, {"T-POL-2"}),
    ({"hour_to": 15}, {"T-POL-2", "T-POL-3"}),
    ({"hour_from": 0, "hour_to": 0}, {"T-POL-1", "T-POL-2", "T-POL-3"}),  # the whole day, with a time recorded
    ({"weekday": [6, 7]}, {"T-POL-1", "T-POL-2", "T-CC-1"}),
    ({"weekday": 1}, {"T-POL-3"}),
    ({"q": "mill lane"}, {"T-POL-2", "T-CC-1"}),  # the street, whatever the case; not another's
    ({"q": "T-POL-CRIME"}, set()),
    ({"q": "NOTHING-MATCHES"}, set()),
])
def test_new_filters(client, council_analyst, night, params, expected):  # noqa: F811
    sign_in(client, council_analyst)
    assert set(_references(client, **params)) == expected


def test_sort_and_time_of_day(client, council_analyst, night):  # noqa: F811
    sign_in(client, council_analyst)
    assert _references(client, sort="oldest") == ["T-POL-1", "T-POL-2", "T-POL-3", "T-CC-1", "T-CC-2"]
    assert _references(client, sort="category")[:3] == ["T-POL-3", "T-POL-2", "T-POL-1"]
    first = client.get("/api/v1/incidents", {"sort": "oldest", "limit": 1}).json()["results"][0]
    assert (first["external_id"], first["occurred_time"]) == ("T-POL-1", "23:15:00")


@pytest.mark.parametrize("query", [
    "hour_from=24", "hour_from=-1", "hour_from=abc", "hour_to=1.5",
    "weekday=0", "weekday=8", "weekday=Monday", "sort=random", "sort=-id", "owner=a%00b", "outcome=" + "x" * 201,
    "weekday=1&weekday=2&weekday=3&weekday=4&weekday=5&weekday=6&weekday=7&weekday=1",
    "near=52.45", "near=1e309,0", "near=nan,0", "near=91,0", "near=52,181", "near=52,0&radius=-1",
    "near=52,0&radius=99999", "near=52.1234567,0",
    "q=" + "x" * 201, "q=a%00b",
])
def test_bad_values_are_a_400(client, council_analyst, night, query):  # noqa: F811
    sign_in(client, council_analyst)
    response = client.get(f"/api/v1/incidents?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("Check the request.")


def test_the_schema_documents_the_new_filters(client):
    parameters = {
        parameter["name"] for parameter in client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/incidents"]["get"]["parameters"]
    }
    assert {"owner", "outcome", "hour_from", "hour_to", "weekday", "sort", "q", "near", "radius"} <= parameters


def test_near_a_point_through_the_policy(client, council_analyst, night):  # noqa: F811
    from tests.web.test_explorer_search import POINT_A

    sign_in(client, council_analyst)
    near = set(_references(client, near=f"{POINT_A[0]},{POINT_A[1]}", radius=250))
    assert near == {"T-POL-1", "T-POL-3"}  # not the police crime nor the BID's record at the same point
