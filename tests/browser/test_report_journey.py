"""The public "report a problem" journey in Chromium on a phone (375 × 740), with no account: a
postcode search and a tap on the map of the streets, fly tipping found with the list's search,
its questions answered with a photo, the report nearby offered and declined, sent, and the
report's page opened with its photo. axe-core checks every page on the way, and no page scrolls
sideways; "Use my location" places the pin where the phone is."""

import io
import re

import pytest
from PIL import Image

from saferplace.incidents.models import PostcodeCentroid
from saferplace.places.services import streets_load
from saferplace.reports.models import Report
from tests.browser.conftest import (
    PHONE,
    overflows_horizontally,
    pages_problems,
    serious_axe_violations,
)
from tests.conftest import OPERATOR
from tests.reports import fixtures
from tests.reports.fixtures import IN_PARKSIDE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The reports' fixtures (and the area they need), used here.
services, make_report, area = fixtures.services, fixtures.make_report, fixtures.area


@pytest.fixture
def town(services, make_report):
    streets_load(viewer=OPERATOR, source="test streets", streets=[
        {"name": "High Street", "number": "A1", "kind": "A Road",
         "geometry": {"type": "LineString", "coordinates": [[-0.96, 52.445], [-0.95, 52.445]]}},
        {"name": "Mill Lane", "geometry": {"type": "LineString", "coordinates": [[-0.955, 52.44], [-0.955, 52.45]]}},
    ])
    PostcodeCentroid.objects.create(postcode="RV11AA", latitude=IN_PARKSIDE[0], longitude=IN_PARKSIDE[1])
    return make_report(at=IN_PARKSIDE, description="Mattress and bags by the garages")


def _jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 120, 200)).save(output, format="JPEG")
    return output.getvalue()


def _checked(page, problems: list[str], label: str) -> None:
    """axe-core on the page as it is now (a page reached by a form, too), and no sideways scroll."""
    page.wait_for_load_state("networkidle")
    violations = serious_axe_violations(page)
    if violations:
        problems.append(f"{label}: {violations}")
    if overflows_horizontally(page):
        problems.append(f"{label}: the page scrolls sideways")
    assert page.locator("h1").count() == 1, label


def test_the_whole_journey_on_a_phone(page, live_server, town):
    page.set_viewport_size(PHONE)
    problems: list[str] = []
    page.goto(f"{live_server.url}/report/")
    _checked(page, problems, "start")
    page.get_by_role("button", name="Start now").click()  # GOV.UK's start button is a link styled as one

    # Where: a postcode search (works without JavaScript), then the map, centred on the choice.
    page.wait_for_url(re.compile(r"/report/where/$"))
    page.locator(".app-report-where:not([hidden])").wait_for()
    _checked(page, problems, "where")
    page.get_by_label("Search for a street or postcode").fill("rv1 1aa")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("heading", name="1 place found").wait_for()
    _checked(page, problems, "where, search results")
    page.get_by_role("button", name="Choose RV1 1AA").click()
    page.wait_for_url(re.compile(r"/report/what/$"))
    page.get_by_role("link", name="Back").click()
    page.wait_for_url(re.compile(r"/report/where/$"))
    assert "You chose: High Street (A1), Parkside ward" in page.locator("main").inner_text()
    map_box = page.locator("#report-map")
    page.locator(".app-report-where[data-streets]").wait_for(state="attached")  # the streets were drawn
    assert int(page.locator(".app-report-where").get_attribute("data-streets")) > 0
    box = map_box.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 5)
    assert "Pin placed" in page.locator("[data-report-status]").inner_text()
    latitude = float(page.locator("[data-report-latitude]").input_value())
    longitude = float(page.locator("[data-report-longitude]").input_value())
    assert abs(latitude - IN_PARKSIDE[0]) < 0.001 and abs(longitude - IN_PARKSIDE[1]) < 0.001
    assert (latitude, longitude) != IN_PARKSIDE  # the tap moved the pin
    page.get_by_role("button", name="Continue").click()

    # What: the list narrowed by its search box.
    page.wait_for_url(re.compile(r"/report/what/$"))
    _checked(page, problems, "what")
    page.get_by_label("Search the list").fill("dumped")
    assert page.get_by_label("Fly tipping").is_visible() and not page.get_by_label("Drug dealing").is_visible()
    assert "1 problem matches" in page.locator("[data-report-filter-status]").inner_text()
    page.get_by_label("Fly tipping").check()
    page.get_by_role("button", name="Continue").click()

    # The service's questions, a description and a photo; first sent with a mistake.
    page.wait_for_url(re.compile(r"/report/details/$"))
    _checked(page, problems, "details")
    page.get_by_label("About how many bags? (optional)").fill("lots")
    page.get_by_role("button", name="Continue").click()
    page.locator(".govuk-error-summary").wait_for()
    _checked(page, problems, "details with errors")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Answer the question: What has been dumped?" in summary and "Enter a number, like 6" in summary
    page.get_by_label("Household rubbish").check()
    page.get_by_label("About how many bags? (optional)").fill("6")
    page.get_by_label("Describe the problem").fill("Six black bags and a sofa by the garages")
    page.locator("input[type=file]").set_input_files([{"name": "bags.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    page.get_by_role("button", name="Continue").click()

    # The report nearby is offered; this is a new problem.
    page.wait_for_url(re.compile(r"/report/nearby/$"))
    _checked(page, problems, "nearby")
    assert "Mattress and bags by the garages" in page.locator("main").inner_text()
    page.get_by_role("button", name="No, it is a new problem").click()

    page.wait_for_url(re.compile(r"/report/about-you/$"))
    _checked(page, problems, "about you")
    page.get_by_label("No, stay anonymous").check()
    page.get_by_label("Email address (optional)").fill("resident@example.org")
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(re.compile(r"/report/check/$"))
    _checked(page, problems, "check your answers")
    answers = page.locator("main").inner_text()
    assert "Household rubbish" in answers and "1 photo" in answers and "Anonymous" in answers
    honeypot = page.locator("#id_website").bounding_box()
    assert honeypot["x"] + honeypot["width"] <= 0  # out of sight
    assert page.locator("#id_website").get_attribute("tabindex") == "-1"
    page.get_by_role("button", name="Send report").click()

    page.wait_for_url(re.compile(r"/report/sent/$"))
    _checked(page, problems, "sent")
    report = Report.objects.exclude(pk=town.pk).get()
    assert report.token in page.locator(".govuk-panel").inner_text()
    assert (report.anonymous, report.email, report.attributes) == (True, "resident@example.org",
                                                                    {"what": "household", "bags": "6"})
    page.get_by_role("link", name="Follow your report").click()

    page.wait_for_url(re.compile(rf"/report/{report.pk}/$"))
    _checked(page, problems, "the report's page")
    assert "Six black bags and a sofa" in page.locator("main").inner_text()
    assert "resident@example.org" not in page.content()
    assert page.locator("img.app-report-photo").evaluate("image => image.complete && image.naturalWidth") == 120
    assert page.csp_errors == []

    # The pages anyone may open again, on a desktop and a phone.
    problems += pages_problems(page, live_server, ["/report/", "/reports/", f"/report/{report.pk}/",
                                                   "/report/private/safeguarding/"], "report-journey")
    assert problems == [], "\n".join(problems)


def test_use_my_location_places_the_pin(browser, live_server, services):
    context = browser.new_context(viewport=PHONE, geolocation={"latitude": 52.4462, "longitude": -0.9531},
                                  permissions=["geolocation"])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/report/new/")
        page.get_by_role("button", name="Use my location").click()
        page.get_by_text("Pin placed at your location").wait_for()
        assert page.locator("[data-report-latitude]").input_value() == "52.446200"
        assert page.locator("[data-report-longitude]").input_value() == "-0.953100"
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(re.compile(r"/report/what/$"))
    finally:
        context.close()
