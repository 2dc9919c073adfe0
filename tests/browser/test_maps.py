"""Maps people can read, in a browser: every map has its key, place names and streets (named when
zoomed in) drawn without any tile server; a hexagon says where it is in words; the incident page
has a small map of the record's location; the map of places' table sorts numbers as numbers; and
each page passes axe on a phone and a desktop."""

import pytest

from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    RESULTS,
    browser_sign_in,
    overflows_horizontally,
    serious_axe_violations,
)
from tests.conftest import OPERATOR, square
from tests.web.test_maps import incidents, town  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lsoas(town):  # noqa: F811 - the fixture imported above
    """Two more LSOAs, so that sorting residents as text (10,000 before 2,500) would be wrong."""
    for number, population in ((2, 10_000), (3, 2_500)):
        place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code=f"E0190000{number}", name=f"Riverford 00{number}A",
                               parent=town["ward"], population=population, boundary=square(-0.94, 52.44 + 0.01 * (number - 2), 0.01))
    return town


def _zoom_in(page, times: int) -> None:
    for _ in range(times):
        page.locator(".leaflet-control-zoom-in").first.click()
        page.wait_for_timeout(350)  # Leaflet's zoom animation
    page.wait_for_load_state("networkidle")


def _residents(page) -> list[int]:
    cells = page.locator("table[data-module='moj-sortable-table'] tbody tr td:nth-child(3)").all_inner_texts()
    return [int(text.replace(",", "")) for text in cells]


def test_the_map_of_places_has_a_key_names_streets_and_a_table_that_sorts(page, live_server, council_volunteer, lsoas):
    browser_sign_in(page, live_server, "council_volunteer")
    page.goto(f"{live_server.url}/map/?kind=lsoa")
    page.locator("path.leaflet-interactive").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator(".leaflet-tile").count() == 0  # no tile source configured: drawn all the same
    key = page.locator(".app-map-key")
    assert "Main roads (A and B roads)" in key.inner_text() and "Lower layer super output area boundaries" in key.inner_text()
    assert "Riverford Central" not in page.locator("#map-fill-legend").inner_text()  # LSOAs are coloured by ward
    assert "Cathedral" in page.locator("#map-fill-legend").inner_text()
    page.locator(".app-map[data-streets]").wait_for(state="attached")
    assert int(page.locator(".app-map").get_attribute("data-streets")) > 0
    # LSOA names from zoom 14, street names from zoom 12 (main roads) and 15 (the rest).
    _zoom_in(page, 2)
    page.locator(".app-map-label--street").first.wait_for()
    street_labels = page.locator(".app-map-label--street").all_inner_texts()
    assert {"High Street (A1)", "Mill Lane"} & set(street_labels), street_labels
    assert page.locator(".app-map-label--place").count() >= 1

    header = page.get_by_role("button", name="Residents")
    header.click()
    assert _residents(page) == [1500, 2500, 10000]
    assert page.locator("th:has(button:text('Residents'))").get_attribute("aria-sort") == "ascending"
    header.click()
    assert _residents(page) == [10000, 2500, 1500]
    page.get_by_role("button", name="Name").click()
    names = page.locator("table[data-module='moj-sortable-table'] tbody tr th").all_inner_texts()
    assert names == sorted(names)
    page.screenshot(path=str(RESULTS / "map-lsoas-streets.png"))
    assert not page.csp_errors, page.csp_errors


def test_a_hexagon_says_where_it_is_never_its_cell_id(page, live_server, police_officer, incidents):  # noqa: F811
    browser_sign_in(page, live_server, "police_officer")
    page.goto(f"{live_server.url}/incidents/")
    page.locator("path.app-hexagon").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert "Main roads (A and B roads)" in page.locator(".app-map-key").inner_text()
    assert "Number of incidents" in page.locator("#hex-legend").inner_text()
    page.locator("path.app-hexagon").first.hover(force=True)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "Cathedral ward (Riverford 001A)" in tooltip.inner_text()
    for incident in incidents.values():
        assert incident.location.h3_cell not in page.content()
    page.locator(".app-hex-map[data-streets]").wait_for(state="attached")
    assert not page.csp_errors, page.csp_errors


def test_the_incident_page_maps_the_record_at_its_precision(page, live_server, police_officer, incidents):  # noqa: F811
    browser_sign_in(page, live_server, "police_officer")
    page.goto(f"{live_server.url}/incidents/{incidents['snapped'].pk}/")
    page.locator("path.app-incident-area").wait_for()  # approximate: a circle, not a dot
    page.locator(".app-map-label--street").first.wait_for()
    assert "Mill Lane" in page.locator(".app-map-label--street").all_inner_texts()
    assert "Approximate location of the incident" in page.locator(".app-map-key").inner_text()
    assert "2:30pm" in page.locator(".govuk-summary-list").inner_text()
    page.goto(f"{live_server.url}/incidents/{incidents['exact'].pk}/")
    page.locator("path.app-incident-point").wait_for()
    assert "Time not recorded" in page.locator(".govuk-summary-list").inner_text()
    page.screenshot(path=str(RESULTS / "incident-map.png"), full_page=True)
    assert not page.csp_errors, page.csp_errors


def test_maps_are_accessible_on_phone_and_desktop(page, live_server, police_officer, incidents, lsoas):  # noqa: F811
    browser_sign_in(page, live_server, "police_officer")
    problems = []
    paths = ["/map/?kind=ward", "/map/?kind=lsoa", "/incidents/", f"/incidents/{incidents['snapped'].pk}/"]
    for path in paths:
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.goto(f"{live_server.url}{path}")
            page.locator(".leaflet-container").first.wait_for()
            page.wait_for_load_state("networkidle")
            _zoom_in(page, 2)  # with street and place names drawn
            violations = serious_axe_violations(page)
            if violations:
                problems.append(f"{name} {path}: {violations}")
            if name == "phone" and overflows_horizontally(page):
                problems.append(f"phone {path}: the page scrolls sideways")
            if name == "phone" and path.startswith("/map/"):
                # The table's caption wraps on the screen, and the residents come before the codes.
                region = page.locator(".app-table-scroll")
                for what, box in (("caption", region.locator("caption").bounding_box()),
                                  ("Residents", region.locator("th", has_text="Residents").bounding_box())):
                    if box["x"] < 0 or box["x"] + box["width"] > viewport["width"]:
                        problems.append(f"phone {path}: the {what} is off the screen ({box})")
            slug = "maps-" + path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")
            page.screenshot(path=str(RESULTS / f"{slug}-{name}.png"), full_page=True)
    assert not problems, "\n".join(problems)
    assert not page.csp_errors, page.csp_errors
