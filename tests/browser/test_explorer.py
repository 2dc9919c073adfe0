"""The incident explorer in a browser: an analyst opens /incidents/, the hexagon map draws, the
count/harm toggle recolours it and changes the legend, a hexagon opens its points, and the page
passes axe and fits a phone."""

import re

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    RESULTS,
    browser_sign_in,
    overflows_horizontally,
    serious_axe_violations,
)
from tests.web.test_explorer import ROWS, add_incident, build_places

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def explorer_city(world):
    places = build_places()
    for owner, category, code, when, point, ref in ROWS:
        add_incident(world, places, owner=owner, category=category, code=code, when=when, point=point, external_id=ref)
    return places


def _open_explorer(page, live_server, query: str = "") -> None:
    page.goto(f"{live_server.url}/incidents/{query}")
    page.locator("path.app-hexagon").first.wait_for()
    # The map fits itself to the data and may fetch hexagons again at that zoom: wait for it to
    # settle before anything clicks a hexagon that is about to be redrawn.
    page.wait_for_load_state("networkidle")
    page.locator("path.app-hexagon").first.wait_for()


def test_hexagon_map_draws_and_the_measure_toggle_changes_the_legend(page, live_server, council_analyst, explorer_city):
    browser_sign_in(page, live_server, "council_analyst")
    _open_explorer(page, live_server)
    hexagons = page.locator("path.leaflet-interactive")
    assert hexagons.count() > 0
    assert page.locator(".leaflet-tile").count() == 0  # no tile source configured: still drawn
    legend = page.locator("#hex-legend")
    assert "Number of incidents" in legend.inner_text()
    count_legend = legend.inner_text()
    fills_by_count = [hexagons.nth(i).get_attribute("fill") for i in range(hexagons.count())]

    page.get_by_label("Harm (sum of harm weights)").check()
    page.wait_for_function("document.querySelector('#hex-legend').dataset.measure === 'harm'")
    assert "Harm in each hexagon" in legend.inner_text()
    assert legend.inner_text() != count_legend
    fills_by_harm = [hexagons.nth(i).get_attribute("fill") for i in range(hexagons.count())]
    assert len(fills_by_harm) == len(fills_by_count)

    page.get_by_label("Number of incidents").check()
    page.wait_for_function("document.querySelector('#hex-legend').dataset.measure === 'count'")
    assert legend.inner_text() == count_legend
    page.screenshot(path=str(RESULTS / "explorer-map.png"))
    assert not page.csp_errors, page.csp_errors


def test_choosing_a_hexagon_shows_its_incidents_as_points(page, live_server, council_analyst, explorer_city):
    browser_sign_in(page, live_server, "council_analyst")
    _open_explorer(page, live_server)
    page.locator("path.app-hexagon").first.click(force=True)
    page.locator("path.app-point").first.wait_for()
    assert page.locator("path.app-point").count() >= 1
    assert "incident" in page.locator("#hex-status").inner_text()
    page.locator("path.app-point").first.click(force=True)
    popup_link = page.locator(".leaflet-popup-content a")
    popup_link.wait_for()
    assert popup_link.get_attribute("href").startswith("/incidents/")
    # The date as the pages write it ("5 Jan 2026"), not as the data carries it (2026-01-05).
    assert re.search(r"\b\d{1,2} (Jan|Feb|Mar) 2026\b", page.locator(".leaflet-popup-content").inner_text())
    assert not re.search(r"\d{4}-\d{2}", page.locator(".leaflet-popup-content").inner_text())
    assert not page.csp_errors, page.csp_errors


@pytest.mark.parametrize("query", ["", "?category=anti-social-behaviour&period=dates&date_from=2026-01-01&measure=harm",
                                   "?date_from=2026-13-01"])
def test_explorer_is_accessible_on_phone_and_desktop(page, live_server, council_analyst, explorer_city, query):
    browser_sign_in(page, live_server, "council_analyst")
    problems = []
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/incidents/{query}")
        page.wait_for_load_state("networkidle")
        if "13-01" not in query:
            page.locator("path.app-hexagon").first.wait_for()
        violations = serious_axe_violations(page)
        if violations:
            problems.append(f"{name} {query}: {violations}")
        if name == "phone" and overflows_horizontally(page):
            problems.append(f"phone {query}: the page scrolls sideways")
        slug = "explorer" + ("-filtered" if "category" in query else "-error" if "13-01" in query else "")
        page.screenshot(path=str(RESULTS / f"{slug}-{name}.png"), full_page=True)
    assert not problems, "\n".join(problems)
    assert not page.csp_errors, page.csp_errors


def test_filters_work_without_javascript(browser, live_server, council_analyst, explorer_city):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    try:
        browser_sign_in(page, live_server, "council_analyst")
        page.goto(f"{live_server.url}/incidents/")
        page.get_by_text("Categories (any)").click()  # a <details>: opens without JavaScript
        page.get_by_label("Fly-tipping").check()
        page.get_by_label("Place").fill("Northgate")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**/incidents/?*")
        assert "category=fly-tipping" in page.url and "place=Northgate" in page.url
        assert page.get_by_role("link", name="EX-CC-ENV-1").is_visible()
        assert page.get_by_role("link", name="EX-POL-ASB-1").count() == 0
        assert page.get_by_text("The map needs JavaScript").is_visible()
    finally:
        context.close()
