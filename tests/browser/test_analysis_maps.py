"""The analysis pages' maps in Chromium: the hotspot map draws one hexagon per kept hotspot in its
confidence class, the repeats map a circle per live risk area and a point per repeat location,
each with its legend; a popup's text (a hostile place name too) is text; axe passes."""

import pytest
from django.urls import reverse

from saferplace.analysis.models import AnalysisResult, RepeatRule
from saferplace.analysis.results import analysis_compute, analysis_request
from saferplace.incidents.selectors import IncidentFilters
from tests.analysis.test_selectors import burglaries  # noqa: F401 - the fixture
from tests.browser.conftest import (
    PHONE,
    RESULTS,
    browser_sign_in,
    overflows_horizontally,
    serious_axe_violations,
)
from tests.browser.test_script_sinks import MARKUP, assert_nothing_ran
from tests.conftest import viewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILTERS = IncidentFilters(categories=("burglary",))
HOSTILE = f'{MARKUP}Mill Road & "quoted"'


def _worked_out(user, kind: str, **choices) -> AnalysisResult:
    return analysis_compute(result_id=analysis_request(viewer=viewer(user), kind=kind,
                                                       choices={"filters": FILTERS, **choices}).pk)


def _popup(page, text: str):
    """The popup with `text` in it, once the last one has gone and it has faded in (axe would
    find its text too faint while it fades)."""
    popup = page.locator(".leaflet-popup-content", has_text=text)
    popup.wait_for()
    page.wait_for_function("""() => {
        const popups = document.querySelectorAll('.leaflet-popup');
        return popups.length === 1 && getComputedStyle(popups[0]).opacity === '1';
    }""")
    return popup


def _checked_for_access(page, name: str) -> list[str]:
    problems = [f"desktop: {violation}" for violation in serious_axe_violations(page)]
    page.screenshot(path=str(RESULTS / f"analysis-{name}-map-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    problems += [f"phone: {violation}" for violation in serious_axe_violations(page)]
    if overflows_horizontally(page):
        problems.append("phone: the page scrolls sideways")
    page.screenshot(path=str(RESULTS / f"analysis-{name}-map-phone.png"), full_page=True)
    return problems


def test_the_hotspot_map_draws_each_hexagon_with_its_class_a_legend_and_text_popups(
        page, live_server, burglaries, police_analyst):  # noqa: F811
    result = _worked_out(police_analyst, "hotspots", resolution=9, by="count")
    rows = result.result["hotspots"]
    rows[0]["places"] = HOSTILE  # the hottest: the first drawn
    AnalysisResult.objects.filter(pk=result.pk).update(result={**result.result, "hotspots": rows})
    browser_sign_in(page, live_server, police_analyst.username)
    page.goto(f"{live_server.url}{reverse('web:analysis-hotspots')}?category=burglary")
    hexagons = page.locator("path.app-hotspot")
    hexagons.first.wait_for()

    assert hexagons.count() == len(rows) > 1
    most_sure = [row for row in rows if row["kind"] == "hot" and row["q_value"] <= 0.01]
    assert page.locator("path.app-hotspot--hot-99").count() == len(most_sure) > 0
    legend = page.locator("#hotspots-legend")
    assert "Hotspot, 99% confidence" in legend.inner_text() and legend.locator(".app-hotspot--hot-99").is_visible()
    hot = sum(row["kind"] == "hot" for row in rows)
    assert page.locator("#hotspots-map-status").inner_text() == f"{hot} hotspots and {len(rows) - hot} cold spots on the map."
    assert page.locator(".app-map-key").is_visible()  # the streets' and place names' key

    hexagons.first.click(force=True)
    text = _popup(page, "Incidents").inner_text()
    assert HOSTILE in text and "Hotspot, 99% confidence" in text  # the markup, literally
    assert "Incidents" in text and "40" in text and f"{rows[0]['z']:.2f}" in text
    assert HOSTILE in page.locator("table").inner_text()  # the table, rendered by the server
    assert_nothing_ran(page)
    assert _checked_for_access(page, "hotspots") == []


def test_the_repeats_map_draws_the_risk_areas_and_repeat_locations(page, live_server, burglaries,  # noqa: F811
                                                                  police_analyst):
    # The starting rule (a transactional test before this one may have emptied the table).
    RepeatRule.objects.get_or_create(category=None, times=3, days=28, defaults={"description": "Three in four weeks"})
    repeats = _worked_out(police_analyst, "repeats")
    near = _worked_out(police_analyst, "near_repeat")
    locations = repeats.result["repeat_locations"]
    locations[0]["place"] = HOSTILE
    AnalysisResult.objects.filter(pk=repeats.pk).update(result={**repeats.result, "repeat_locations": locations})
    # Planted risk areas away from the repeat locations (whether the test finds any is luck).
    areas = [{"latitude": 52.585, "longitude": -0.27, "from": "2026-05-28", "until": "2026-06-11", "radius_m": 200.0},
             {"latitude": 52.555, "longitude": -0.21, "from": "2026-05-20", "until": "2026-06-03", "radius_m": 200.0}]
    AnalysisResult.objects.filter(pk=near.pk).update(result={**(near.result or {}), "risk_areas": areas,
                                                             "near_repeat": {"metres": 200.0, "days": 14}})
    browser_sign_in(page, live_server, police_analyst.username)
    page.goto(f"{live_server.url}{reverse('web:analysis-repeats')}?category=burglary")
    page.locator("path.app-repeat-location").first.wait_for()

    assert page.locator("path.app-risk-area").count() == 2
    assert page.locator("path.app-repeat-location").count() == len(locations) == 7
    assert page.locator("#repeats-map-status").inner_text() == "2 live risk areas and 7 repeat locations on the map."
    assert "Live near-repeat risk area: within 200 m" in page.locator("#repeats-legend").inner_text()

    page.locator("path.app-risk-area").first.click(force=True)
    popup = _popup(page, "risk area")
    assert "Within 200 m of an incident on 28 May 2026" in popup.inner_text() and "11 Jun 2026" in popup.inner_text()
    page.locator("path.app-repeat-location").first.click(force=True)
    popup = _popup(page, HOSTILE)
    assert HOSTILE in popup.inner_text() and locations[0]["rule"] in popup.inner_text()
    assert_nothing_ran(page)
    assert _checked_for_access(page, "repeats") == []
