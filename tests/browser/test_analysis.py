"""The analysis pages with results worked out: the hotspots table and the emerging hot spots with
their trend charts pass axe and fit a phone."""

import pytest
from django.urls import reverse

from saferplace.analysis.results import analysis_compute, analysis_request
from saferplace.incidents.selectors import IncidentFilters
from tests.analysis.test_selectors import rising  # noqa: F401 - the fixture
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    RESULTS,
    browser_sign_in,
    overflows_horizontally,
    serious_axe_violations,
)
from tests.conftest import viewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worked_out_analyses_read_well_on_phone_and_desktop(page, live_server, rising, police_analyst):  # noqa: F811
    person = viewer(police_analyst)
    choices = {"filters": IncidentFilters(categories=("burglary",)), "resolution": 9, "by": "count"}
    for kind, extra in (("hotspots", {}), ("emerging", {"interval": "month"})):
        analysis_compute(result_id=analysis_request(viewer=person, kind=kind, choices={**choices, **extra}).pk)
    analysis_compute(result_id=analysis_request(viewer=person, kind="issues",
                                                choices={"filters": IncidentFilters(), "resolution": 9}).pk)
    browser_sign_in(page, live_server, police_analyst.username)
    problems = []
    for name, query, expected in (("hotspots", "?category=burglary", "Hotspot"),
                                  ("emerging", "?category=burglary&interval=month", "Consecutive hot spot"),
                                  ("issues", "", None)):
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.goto(f"{live_server.url}{reverse(f'web:analysis-{name}')}{query}")
            if expected:
                assert page.get_by_role("cell", name=expected).first.is_visible()
            else:
                page.get_by_text("Why this score").first.click()
                assert page.get_by_text("Likelihood").first.is_visible()
            problems += [f"{size} {name}: {violation}" for violation in serious_axe_violations(page)]
            if size == "phone" and overflows_horizontally(page):
                problems.append(f"phone {name}: the page scrolls sideways")
            page.screenshot(path=str(RESULTS / f"analysis-{name}-{size}.png"), full_page=True)
    assert not problems, "\n".join(problems)
    assert page.csp_errors == []
