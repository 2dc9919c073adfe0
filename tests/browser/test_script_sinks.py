"""Every sink encodes (OWASP ASVS): names with markup in them — places, an incident category, a
source, the source's own labels, a location's description, a reference, the tile attribution —
are shown as text wherever a script puts them (map tooltips, the explorer's popups and status)
and wherever the server renders them (the tables beside the maps, the filters, a record's page).
The markup would run `window.__pwned = 1` if it were ever parsed as HTML (or, as the content
security policy forbids inline handlers, leave an <img src=x> behind and a CSP error)."""

from datetime import date
from urllib.parse import urlencode

import h3
import pytest
from django.conf import settings as django_settings

from saferplace.incidents.models import IncidentCategory, LocationPrecision, SourceLabel
from saferplace.incidents.recount import counts_refresh
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from tests.browser.conftest import browser_sign_in
from tests.conftest import OPERATOR, make_incident, make_location, square

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKUP = '<img src=x onerror="window.__pwned=1">'


def named(what: str) -> str:
    return f'{MARKUP}{what} & "quoted"'


COMMUNITY, WARD, LSOA = named("Community"), named("Ward"), named("LSOA")
CATEGORY, SOURCE = named("Category"), f"{MARKUP}source"
SOURCE_LABEL, OUTCOME, WHERE = named("Source label"), named("Outcome"), named("Location")
REFERENCE = f"{MARKUP}REF-1"
POINT = (52.4512, -0.9531)
# One transparent pixel as every tile: a tile layer is drawn (so is its attribution) with no
# request leaving the machine; the content security policy allows data: images.
PIXEL = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="


@pytest.fixture
def hostile_names(world):
    community = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="RVF-X1", name=COMMUNITY,
                                       population=9000, boundary=square(-0.97, 52.43, 0.05))
    ward = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05900009", name=WARD, parent=community,
                                  population=4500, boundary=square(-0.97, 52.43, 0.05))
    lsoa = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01900009", name=LSOA, parent=ward,
                                  boundary=square(-0.97, 52.43, 0.05))
    IncidentCategory.objects.create(code="hostile-category", name=CATEGORY, group="asb")
    location = make_location(*POINT, precision=LocationPrecision.EXACT, description=WHERE,
                             h3_cell=h3.latlng_to_cell(*POINT, django_settings.H3_RESOLUTION))
    incident = make_incident(
        world, owner="police", category="asb", external_id=REFERENCE, incident_category="hostile-category",
        occurred_on=date(2026, 1, 5), location=location, lsoa=lsoa, ward=ward, community=community,
        source_category=SourceLabel.objects.create(text=SOURCE_LABEL), outcome=SourceLabel.objects.create(text=OUTCOME),
        raw={"Where": WHERE, MARKUP: CATEGORY},
    )
    incident.source = SOURCE
    incident.save(update_fields=["source"])
    counts_refresh([incident.partition_id])  # changed after it was counted
    return {"incident": incident}


def assert_nothing_ran(page) -> None:
    assert page.locator('img[src="x"]').count() == 0, "markup from data was parsed as HTML"
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert not page.csp_errors, page.csp_errors


def hover_for_tooltip(page, shape):
    page.locator(shape).first.hover(force=True)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    return tooltip.inner_text()


@pytest.mark.parametrize("kind", ["community", "ward", "lsoa"])
def test_map_tooltips_attribution_and_table_show_names_as_text(page, live_server, settings, police_officer,
                                                               hostile_names, kind):
    name, parent = {"community": (COMMUNITY, ""), "ward": (WARD, COMMUNITY), "lsoa": (LSOA, WARD)}[kind]
    settings.MAP_TILE_URL = PIXEL
    settings.MAP_TILE_ATTRIBUTION = named("Tiles")
    browser_sign_in(page, live_server, "police_officer")
    page.goto(f"{live_server.url}/map/?kind={kind}")
    page.locator("path.leaflet-interactive").first.wait_for()

    tooltip = hover_for_tooltip(page, "path.leaflet-interactive")
    assert name in tooltip  # literally, markup and all
    assert named("Tiles") in page.locator(".leaflet-control-attribution").inner_text()
    # The table beside the map, rendered by the server.
    table = page.locator("table").inner_text()
    assert name in table
    assert parent in table
    assert_nothing_ran(page)


def test_explorer_popups_status_and_pages_show_names_as_text(page, live_server, settings, council_analyst,
                                                             hostile_names):
    settings.MAP_TILE_URL = PIXEL
    settings.MAP_TILE_ATTRIBUTION = named("Tiles")
    browser_sign_in(page, live_server, "council_analyst")
    # Filtered by the hostile source, category and place: the filters travel to the map's data
    # and come back as the selected-filter tags.
    query = urlencode({"source": SOURCE, "category": "hostile-category", "place": "E01900009"})
    page.goto(f"{live_server.url}/incidents/?{query}")
    page.locator("path.app-hexagon").first.wait_for()
    page.wait_for_load_state("networkidle")
    main = page.locator("main").inner_text()
    for text in (SOURCE, CATEGORY, LSOA, REFERENCE):  # tags, filters, the tables and the list
        assert text in main, text
    assert "1 incident, harm 1" in hover_for_tooltip(page, "path.app-hexagon")
    assert named("Tiles") in page.locator(".leaflet-control-attribution").inner_text()

    assert page.locator("#hex-status").inner_text() == "1 incident with a location, in 1 hexagon."

    page.locator("path.app-hexagon").first.click(force=True)
    page.locator("path.app-point").first.wait_for()
    assert "Showing the only incident in this hexagon." in page.locator("#hex-status").inner_text()
    page.locator("path.app-point").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert CATEGORY in popup.inner_text()
    assert "5 Jan 2026" in popup.inner_text() and "2026-01-05" not in popup.inner_text()  # as the pages write dates
    link = popup.get_by_role("link", name=REFERENCE)
    assert link.get_attribute("href") == f"/incidents/{hostile_names['incident'].pk}/"
    assert_nothing_ran(page)

    link.click()
    page.wait_for_url("**/incidents/*/")
    record = page.locator("main").inner_text()
    for text in (SOURCE, SOURCE_LABEL, CATEGORY, REFERENCE, WHERE, OUTCOME, LSOA, WARD, COMMUNITY, MARKUP):
        assert text in record, text
    assert_nothing_ran(page)
