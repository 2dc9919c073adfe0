"""The explorer on a phone: the search, "Near me" and the records come first, the filters wait
behind MoJ Frontend's toggle, the charts and the map follow the records; on a desktop the
filters sit beside the list. Both pass axe, and "Near me" uses the browser's location."""

import re
from datetime import date, time

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    RESULTS,
    browser_sign_in,
    overflows_horizontally,
    serious_axe_violations,
)
from tests.web.test_explorer_search import POINT_B, add, night  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 360, "height": 640}


@pytest.fixture
def long_outcome(world, night):  # noqa: F811
    """A police.uk outcome as long as they come: the widest choice in the filter panel."""
    add(world, "T-POL-4", "police", "asb", "anti-social-behaviour", date(2026, 1, 6), time(9, 0), None, "",
        "Investigation complete; no suspect identified", "police-asb")


def _top(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


def test_on_a_phone_the_records_come_before_the_filters(page, live_server, council_analyst, night, long_outcome):  # noqa: F811
    browser_sign_in(page, live_server, "council_analyst")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/incidents/")
    page.wait_for_load_state("networkidle")

    filters = page.locator(".moj-filter")
    toggle = page.get_by_role("button", name="Show filters")
    records = page.locator(".app-incident-table")
    assert toggle.is_visible() and records.is_visible()
    assert not filters.is_visible()  # behind the toggle
    assert not page.get_by_role("button", name="Apply filters").is_visible()
    search = page.get_by_label("Search by reference, street or postcode")
    assert _top(page, "#id_q") < toggle.bounding_box()["y"] < records.bounding_box()["y"]
    assert search.is_visible()
    for heading in ("#months", "#hours", "#map"):
        assert _top(page, heading) > records.bounding_box()["y"], heading  # chart, hours and map after the records
    assert "11:15pm, Saturday" in records.inner_text()  # as the incident page says it
    # Three columns fit a phone: where it happened is under when, and nothing scrolls sideways.
    row = records.locator("tr", has=page.get_by_role("link", name="T-POL-1"))
    assert "High Street" in row.inner_text()
    where_column = page.locator(".app-incident-table th", has_text=re.compile("^Where$"))
    assert where_column.count() == 1 and where_column.is_hidden()
    region = page.locator(".app-table-scroll").first
    assert region.evaluate("element => element.scrollWidth <= element.clientWidth")
    caption = records.locator("caption").bounding_box()
    assert caption["x"] >= 0 and caption["x"] + caption["width"] <= PHONE["width"]

    problems = []
    violations = serious_axe_violations(page)
    if violations:
        problems.append(f"filters hidden: {violations}")
    if overflows_horizontally(page):
        problems.append("the page scrolls sideways")
    page.screenshot(path=str(RESULTS / "explorer-phone-records-first.png"), full_page=True)

    toggle.click()
    assert filters.is_visible()
    assert page.get_by_role("button", name="Apply filters").is_visible()
    assert page.get_by_role("button", name="Hide filters").get_attribute("aria-expanded") == "true"
    violations = serious_axe_violations(page)
    if violations:
        problems.append(f"filters shown: {violations}")
    page.screenshot(path=str(RESULTS / "explorer-phone-filters.png"))

    # On a small phone the open panel fits the screen, the days of the week too.
    page.set_viewport_size(SMALL_PHONE)
    panel = page.locator(".moj-filter-layout__filter").bounding_box()
    assert panel["x"] >= 0 and panel["y"] >= 0, panel
    assert panel["x"] + panel["width"] <= SMALL_PHONE["width"], panel
    assert panel["y"] + panel["height"] <= SMALL_PHONE["height"], panel
    saturday = page.get_by_label("Saturday")
    saturday.scroll_into_view_if_needed()
    box = saturday.bounding_box()
    assert saturday.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= SMALL_PHONE["width"]
    page.set_viewport_size(PHONE)

    page.get_by_label("Outcome").select_option("No further action")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/incidents/?*")
    assert "outcome=No+further+action" in page.url
    assert page.get_by_role("link", name="T-POL-2").is_visible()
    assert page.get_by_role("link", name="T-POL-1").count() == 0
    assert not problems, "\n".join(problems)
    assert not page.csp_errors, page.csp_errors


def test_on_a_desktop_the_filters_sit_beside_the_records(page, live_server, council_analyst, night):  # noqa: F811
    browser_sign_in(page, live_server, "council_analyst")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/incidents/?hour_from=22&hour_to=4&sort=oldest")
    page.wait_for_load_state("networkidle")
    filters = page.locator(".moj-filter")
    records = page.locator(".app-incident-table")
    assert filters.is_visible() and records.is_visible()
    assert filters.bounding_box()["x"] + filters.bounding_box()["width"] <= records.bounding_box()["x"] + 1
    assert [link.inner_text() for link in records.locator("a").all()] == ["T-POL-1", "T-POL-2"]
    assert page.locator(".moj-filter__tag", has_text="22:00 to 04:00 (past midnight)").is_visible()
    assert not page.locator(".app-explorer__in-use").is_visible()  # the tags say it, beside the list
    region = page.locator(".app-table-scroll").first
    assert region.evaluate("element => element.scrollWidth <= element.clientWidth")  # the list fits
    assert page.get_by_role("columnheader", name="Where", exact=True).is_visible()
    assert serious_axe_violations(page) == []
    page.screenshot(path=str(RESULTS / "explorer-desktop-night.png"), full_page=True)

    # Hiding the filters leaves no empty column: the list takes the whole width.
    page.get_by_role("button", name="Hide filters").click()
    assert not page.locator(".moj-filter-layout__filter").is_visible()
    content = page.locator(".moj-filter-layout__content").bounding_box()
    assert content["x"] == page.locator(".app-explorer").bounding_box()["x"]
    assert content["width"] == page.locator(".app-explorer").bounding_box()["width"]
    page.get_by_role("button", name="Show filters").click()
    assert filters.is_visible()

    # The search box and the sort order, outside the filter panel, submit with its filters.
    page.get_by_label("Search by reference, street or postcode").fill("High Street")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**q=High+Street*")
    assert "hour_from=22" in page.url
    assert [link.inner_text() for link in records.locator("a").all()] == ["T-POL-1"]
    page.get_by_label("Sort by").select_option("newest")
    page.get_by_role("button", name="Sort", exact=True).click()
    page.wait_for_url("**sort=newest*")
    assert not page.csp_errors, page.csp_errors


def test_near_me_uses_the_browser_location(browser, live_server, council_analyst, night):  # noqa: F811
    context = browser.new_context(viewport=PHONE, geolocation={"latitude": POINT_B[0], "longitude": POINT_B[1]},
                                  permissions=["geolocation"])
    page = context.new_page()
    try:
        browser_sign_in(page, live_server, "council_analyst")
        page.goto(f"{live_server.url}/incidents/")
        near_me = page.get_by_role("button", name="Near me")
        near_me.wait_for()
        near_me.click()
        page.wait_for_url("**/incidents/?*latitude=*")
        assert "longitude=" in page.url
        links = {link.inner_text() for link in page.locator(".app-incident-table a").all()}
        assert links == {"T-POL-2", "T-CC-1"}
        assert "Filters in use: Near: Within 500 metres of your location." in page.locator(".app-explorer__in-use").inner_text()
        page.get_by_role("button", name="Show filters").click()
        assert page.locator(".moj-filter__tag", has_text="Within 500 metres of your location").is_visible()
    finally:
        context.close()


def test_without_a_location_near_me_says_so(browser, live_server, council_analyst, night):  # noqa: F811
    context = browser.new_context(viewport=PHONE)  # the page may not have the location
    page = context.new_page()
    try:
        browser_sign_in(page, live_server, "council_analyst")
        page.goto(f"{live_server.url}/incidents/")
        page.get_by_role("button", name="Near me").click()
        status = page.locator("#near-me-status")
        status.get_by_text("Your location could not be found").wait_for()
        assert "/incidents/" in page.url and "latitude" not in page.url
    finally:
        context.close()


def test_an_error_link_opens_the_filters_on_a_phone(page, live_server, council_analyst, night):  # noqa: F811
    browser_sign_in(page, live_server, "council_analyst")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/incidents/?hour_from=abc")
    page.wait_for_load_state("networkidle")
    assert not page.locator(".moj-filter").is_visible()
    page.locator(".govuk-error-summary a").first.click()
    assert page.locator(".moj-filter").is_visible()
    assert page.evaluate("document.activeElement.id") == "id_hour_from"
    assert serious_axe_violations(page) == []
