"""The import pages in a real browser: accessible on a phone and a desktop, no sideways scrolling
on a phone, and the run page that follows the worker by itself (htmx polling)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from saferplace.incidents.models import ImportRejection, ImportRun, ImportStatus
from saferplace.incidents.profiles import mapping_profile_save
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    RESULTS,
    browser_sign_in,
    overflows_horizontally,
    serious_axe_violations,
)
from tests.conftest import OPERATOR
from tests.web.test_imports import GOOD_ROWS, SAMPLE_HEADER, data_dir, police_csv, sample_csv  # noqa: F401 - data_dir: autouse fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, name: str, problems: list[str]) -> None:
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_load_state("networkidle")
        violations = serious_axe_violations(page)
        if violations:
            problems.append(f"{size} {name}: {violations}")
        if size == "phone" and overflows_horizontally(page):
            problems.append(f"phone {name}: the page scrolls sideways")
        page.screenshot(path=str(RESULTS / f"imports-{name}-{size}.png"), full_page=True)


def test_import_and_profile_pages_are_accessible(page, live_server, council_analyst, world):
    council = world["organisations"]["council"]
    finished = ImportRun.objects.create(
        importer="police-uk", file_name="2026-04-fenshire-police-street-with-a-long-name.csv", file_hash="x",
        status=ImportStatus.SUCCEEDED, started_by=council_analyst, rows_read=3, rows_imported=2, rows_rejected=1,
        message="3 rows read, 2 imported, 1 rejected.", organisation=council,
    )
    ImportRejection.objects.create(run=finished, row_number=4, field="Crime type", reason="Unknown crime type “Dragon sighting”")
    refused = ImportRun.objects.create(importer="police-uk", file_name="wrong.csv", file_hash="y", status=ImportStatus.REFUSED,
                                       started_by=council_analyst, organisation=council,
                                       message="This is not a police.uk street-level crime file: expected the columns Crime ID, Month, …")
    profile = mapping_profile_save(
        viewer=OPERATOR, header=SAMPLE_HEADER, name="council-environment", owning_organisation=world["organisations"]["council"],
        data_category=world["categories"]["environmental"], source="council-environment", date_column="Date reported",
        date_format="%d/%m/%Y", category_column="Type", location_kind="coordinates", latitude_column="Latitude",
        longitude_column="Longitude", category_map={"Fly tip": "fly-tipping", "Graffiti": "graffiti"},
    )
    browser_sign_in(page, live_server, council_analyst.username)
    problems: list[str] = []
    for name, path in [
        ("list", reverse("web:import-list")), ("new", reverse("web:import-new")),
        ("run", reverse("web:import-detail", args=[finished.pk])), ("refused", reverse("web:import-detail", args=[refused.pk])),
        ("profiles", reverse("web:profile-list")), ("profile-new", reverse("web:profile-create")),
        ("profile-edit", reverse("web:profile-edit", args=[profile.pk])),
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{path}: HTTP {response.status}"
        check(page, name, problems)

    # the upload form with errors
    page.goto(f"{live_server.url}{reverse('web:import-new')}")
    page.get_by_role("button", name="Import").click()
    page.get_by_text("There is a problem").wait_for()
    check(page, "new-errors", problems)

    # a profile from a sample: the preview and the mapping form
    page.goto(f"{live_server.url}{reverse('web:profile-create')}")
    page.get_by_label("Upload a sample file").set_input_files(
        {"name": "environment.csv", "mimeType": "text/csv", "buffer": sample_csv()})
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_text("Reading your sample").wait_for()
    check(page, "profile-sample-waiting", problems)
    call_command("worker", "--batch")  # the worker reads the sample; the page shows it by itself
    page.get_by_text("Sample: environment.csv").wait_for(timeout=15_000)
    check(page, "profile-preview", problems)
    page.get_by_label("Name", exact=True).fill("Bad name!")
    page.get_by_role("button", name="Save the profile").click()
    page.get_by_text("There is a problem").wait_for()
    check(page, "profile-errors", problems)

    assert not problems, "\n".join(problems)
    assert not page.csp_errors, page.csp_errors


def test_the_run_page_follows_the_worker_by_itself(page, live_server, police_analyst, world):
    # The force's own analyst: the file's "Reported by" is Fenshire Police (docs/decisions.md).
    browser_sign_in(page, live_server, police_analyst.username)
    page.goto(f"{live_server.url}{reverse('web:import-new')}")
    page.get_by_label("police.uk street-level crime").check()
    page.get_by_label("Upload the file").set_input_files(
        {"name": "2026-05-fenshire-street.csv", "mimeType": "text/csv", "buffer": police_csv(*GOOD_ROWS)})
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(f"{live_server.url}/imports/*/")
    status = page.locator("#import-run")
    assert "Queued" in status.inner_text()

    call_command("worker", "--batch")  # the run finishes while the page is open

    page.locator("#import-run .govuk-tag", has_text="Imported").wait_for(timeout=15_000)
    assert page.locator("#import-run").get_attribute("hx-trigger") is None  # polling stopped
    assert page.locator("#import-run").get_by_text("2", exact=True).count() >= 1
    assert not page.csp_errors, page.csp_errors
