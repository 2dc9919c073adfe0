"""Every page, for every persona who can open it, in a phone-sized and a desktop window: it
renders, passes axe-core with no serious or critical violations, does not scroll sideways on a
phone, and breaks no content security policy rule (no inline script anywhere)."""

import pytest
from django.urls import reverse

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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def small_city(world):
    community = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="RVF-C1", name="Riverford Central",
                                       population=9000, boundary=square(-0.96, 52.44, 0.02))
    wards = [
        place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code=f"E0590000{n}", name=f"Ward {n}", parent=community,
                               population=4500, boundary=square(-0.96 + 0.01 * n, 52.44))
        for n in (0, 1)
    ]
    return {"community": community, "wards": wards}


def _pages_for(persona: str, records, world, request) -> list[str]:
    agreement = world["agreements"]["csp"]
    pages = [reverse("web:home"), reverse("web:map"), reverse("web:account"), reverse("web:password-change")]
    if persona in {"council_analyst", "police_officer", "police_chair", "council_admin"}:
        pages += [reverse("web:incident-list"), reverse("web:incident-detail", args=[records["police_asb"].pk]),
                  reverse("web:incident-list") + "?date_from=not-a-date", reverse("web:analysis-hotspots"),
                  reverse("web:analysis-emerging") + "?interval=week", reverse("web:analysis-emerging"), reverse("web:analysis-harm"),
                  reverse("web:analysis-hotspots") + "?date_from=2026-02-30", reverse("web:analysis-issues"),
                  reverse("web:analysis-repeats"), reverse("web:analysis-priority"),
                  reverse("web:analysis-harm-category", args=["burglary"])]
    if persona in {"council_analyst", "bid_analyst", "council_admin"}:
        pages += [reverse("web:token-create")]
    if persona == "council_admin":
        police, council = world["organisations"]["police"], world["organisations"]["council"]
        colleague = request.getfixturevalue("council_analyst")
        pages += [reverse("web:organisation-list"), reverse("web:organisation-detail", args=[police.pk]),
                  reverse("web:organisation-detail", args=[council.pk]), reverse("web:organisation-create"),
                  reverse("web:user-add", args=[council.pk]), reverse("web:user-detail", args=[colleague.pk]),
                  reverse("web:agreement-list"), reverse("web:role-table"), reverse("web:reporting-keys"),
                  reverse("web:agreement-detail", args=[agreement.pk]), reverse("web:agreement-edit", args=[agreement.pk]),
                  reverse("web:agreement-detail", args=[world["agreements"]["safeguarding"].pk]),
                  reverse("web:agreement-create"), reverse("web:agreement-suspend", args=[agreement.pk]),
                  reverse("web:agreement-end", args=[agreement.pk]), reverse("web:agreement-resume", args=[agreement.pk]),
                  reverse("web:analysis-harm-change", args=["burglary"]), reverse("web:analysis-harm-table-upload"),
                  reverse("web:analysis-harm-derive"), reverse("web:analysis-priority-weight-change", args=["likelihood"]),
                  reverse("web:analysis-priority-category-change", args=["burglary"]),
                  reverse("web:analysis-repeat-rule-add")]
    if persona == "council_auditor":
        pages += [reverse("web:audit-list"), reverse("web:audit-list") + "?action=view&date_from=2020-13-01",
                  reverse("web:audit-list") + f"?record_type=incidents.incident&record_id={records['police_asb'].pk}",
                  reverse("web:audit-detail", args=[1]), reverse("web:role-table")]
    return pages


@pytest.mark.parametrize("persona", ["council_analyst", "police_officer", "police_chair", "bid_analyst", "council_admin",
                                     "council_auditor", "council_volunteer"])
def test_every_page_is_accessible_on_phone_and_desktop(page, live_server, request, records, world, small_city, persona):
    user = request.getfixturevalue(persona)
    browser_sign_in(page, live_server, user.username)
    problems = []
    for path in _pages_for(persona, records, world, request):
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            response = page.goto(f"{live_server.url}{path}")
            assert response.status in (200, 400), f"{path}: HTTP {response.status}"
            page.wait_for_load_state("networkidle")
            violations = serious_axe_violations(page)
            if violations:
                problems.append(f"{name} {path}: {violations}")
            if name == "phone" and overflows_horizontally(page):
                problems.append(f"phone {path}: the page scrolls sideways")
            slug = path.strip("/").replace("/", "-").replace("?", "-") or "home"
            page.screenshot(path=str(RESULTS / f"{persona}-{slug}-{name}.png"), full_page=True)
    assert not problems, "\n".join(problems)
    assert not page.csp_errors, page.csp_errors


def test_sign_in_pages_are_accessible(page, live_server, police_officer):
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/sign-in/")
        assert serious_axe_violations(page) == []
        assert not overflows_horizontally(page)
    page.get_by_label("Username").fill("police_officer")
    page.get_by_label("Password", exact=True).fill("wrong")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("alert").is_visible()  # the error summary takes focus
    assert serious_axe_violations(page) == []
    assert not page.csp_errors, page.csp_errors


def test_map_draws_boundaries_without_tiles(page, live_server, police_officer, small_city):
    browser_sign_in(page, live_server, "police_officer")
    page.goto(f"{live_server.url}/map/?kind=ward")
    page.locator("path.leaflet-interactive").first.wait_for()
    assert page.locator("path.leaflet-interactive").count() == 2
    assert page.locator(".leaflet-tile").count() == 0  # no tile source configured
    # The same places as a table, for people who cannot use the map.
    assert page.get_by_role("cell", name="E05900000").is_visible()
    page.screenshot(path=str(RESULTS / "map-wards.png"))
    assert not page.csp_errors, page.csp_errors


def test_sign_in_with_the_keyboard_alone(page, live_server, police_officer):
    from tests.browser.conftest import current_code
    from tests.conftest import PASSWORD

    page.goto(f"{live_server.url}/sign-in/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    for _ in range(10):  # on to the username field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_username":
            break
    page.keyboard.type("police_officer")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign-in/code/**")
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.id") != "id_code":
        page.keyboard.press("Tab")
    page.keyboard.type(current_code())
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/briefing/")  # a practitioner lands on their briefing
    assert page.get_by_role("heading", name="Your briefing").is_visible()


def test_harm_and_priority_forms_and_their_errors_are_accessible(page, live_server, world, council_admin, tmp_path):
    """The administrator's harm and priority pages in every state: a table refused with its
    problems, a derivation previewed, a weight that is not a number, a rule's page and history."""
    from saferplace.analysis.services import harm_table_load
    from tests.analysis.test_harm import MAPPING, WEIGHTS
    from tests.conftest import viewer

    admin = viewer(council_admin)
    harm_table_load(viewer=admin, kind="css", name="CSS 2025", content=WEIGHTS, illustrative=True)
    harm_table_load(viewer=admin, kind="offence-mapping", name="Mapping 2025", content=MAPPING)
    browser_sign_in(page, live_server, "council_admin")
    problems = []

    def check(name: str) -> None:
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            violations = serious_axe_violations(page)
            if violations:
                problems.append(f"{size} {name}: {violations}")
            if size == "phone" and overflows_horizontally(page):
                problems.append(f"phone {name}: the page scrolls sideways")
            page.screenshot(path=str(RESULTS / f"harm-{name}-{size}.png"), full_page=True)

    bad = tmp_path / "weights.csv"
    bad.write_bytes(b"Offence code,Weight\n28E,380\n30C,abc\n")
    page.goto(f"{live_server.url}{reverse('web:analysis-harm-table-upload')}")
    page.get_by_label("ONS Crime Severity Score weights").check()
    page.get_by_label("Name").fill("Bad table")
    page.get_by_label("Upload the table").set_input_files(str(bad))
    page.get_by_role("button", name="Load the table", exact=True).click()
    assert page.get_by_role("alert").is_visible() and "Row 3, weight" in page.content()
    check("upload-refused")

    page.goto(f"{live_server.url}{reverse('web:analysis-harm-derive')}")
    page.get_by_role("button", name="See what it would give").click()
    assert page.get_by_role("button", name="Apply these weights").is_visible()
    check("derive-preview")

    page.goto(f"{live_server.url}{reverse('web:analysis-priority-weight-change', args=['likelihood'])}")
    page.get_by_label("Weight", exact=True).fill("nan")
    page.get_by_label("Why it changes").fill("Testing")
    page.get_by_role("button", name="Save the weight").click()
    assert page.get_by_role("alert").is_visible()
    check("weight-refused")

    page.goto(f"{live_server.url}{reverse('web:analysis-priority-category-change', args=['burglary'])}")
    page.get_by_label("Physical harm").select_option("3")
    page.get_by_label("Why it changes").fill("Aggravated burglaries")
    page.get_by_role("button", name="Save the levels").click()
    page.wait_for_url(f"{live_server.url}{reverse('web:analysis-priority')}")
    assert "The levels of Burglary" in page.content()
    check("priority-changed")
    assert not problems, "\n".join(problems)
    assert not page.csp_errors, page.csp_errors
