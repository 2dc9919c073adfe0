"""Paging the API's list by cursor (keyset pagination): the pages join up exactly as offset
paging does, each page costs the same at any depth, and a cursor is only a place in the order,
so it discloses nothing another organisation's person could not already see."""

import pytest

from tests.conftest import make_incident, sign_in
from tests.web.test_explorer_search import COUNCIL_SEES, night  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _page(client, **params) -> dict:
    response = client.get("/api/v1/incidents", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_pages_by_cursor_join_up_as_pages_by_offset(client, council_analyst, night, world):  # noqa: F811
    for number in range(7):  # more of the council's, some on the same day
        make_incident(world, owner="council", category="environmental", external_id=f"EXTRA-{number}")
    sign_in(client, council_analyst)
    everything = [item["id"] for item in _page(client, limit=1000)["results"]]
    assert len(everything) == len(COUNCIL_SEES) + 7
    by_cursor, after = [], ""
    while True:
        page = _page(client, limit=3, **({"after": after} if after else {}))
        by_cursor += [item["id"] for item in page["results"]]
        after = page["next"]
        if not after:
            break
    assert by_cursor == everything
    by_offset = [item["id"] for offset in range(0, len(everything), 3)
                 for item in _page(client, limit=3, offset=offset)["results"]]
    assert by_offset == everything
    assert _page(client, limit=3, sort="newest")["next"] is None  # cursors are for the date order


@pytest.mark.parametrize("query", ["after=2026-01-01.5&sort=oldest", "after=yesterday", "after=2026-01-01",
                                   "after=2026-13-01.1", "after=2026-01-01.1234567890123456789"])
def test_a_cursor_that_is_not_one_is_a_400(client, council_analyst, night, query):  # noqa: F811
    sign_in(client, council_analyst)
    response = client.get(f"/api/v1/incidents?{query}")
    assert response.status_code == 400, response.content


def test_a_cursor_at_another_organisations_record_shows_only_what_the_viewer_may_see(
        client, council_analyst, night):  # noqa: F811
    hidden = night["T-POL-CRIME"]  # the police's crime: not the council's to see
    sign_in(client, council_analyst)
    page = _page(client, after=f"{hidden.occurred_on.isoformat()}.{hidden.pk}", limit=100)
    references = {item["external_id"] for item in page["results"]}
    assert references <= COUNCIL_SEES and "T-POL-CRIME" not in references


def test_a_day_the_month_does_not_have_is_a_place_in_the_order(client, council_analyst, night):  # noqa: F811
    sign_in(client, council_analyst)
    after_31_february = {item["external_id"] for item in _page(client, after="2026-02-31.1")["results"]}
    assert after_31_february == COUNCIL_SEES  # everything is on or before 1 February 2026
