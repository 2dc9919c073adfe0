"""Take the README's screenshots from a running demo: `saferplace demo` in one terminal, then
`.venv/bin/python scripts/readme_screenshots.py [BASE_URL]` in another."""

import os
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplace.settings")
import django  # noqa: E402

django.setup()
from saferplace.demo.personas import DEMO_PASSWORD, demo_totp_code  # noqa: E402
from saferplace.incidents.models import Incident  # noqa: E402
from saferplace.reports.models import Report  # noqa: E402

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


USED_CODES: dict[str, set[str]] = {}


def fresh_code(username: str) -> str:
    """A one-time code this persona has not used yet (a code works once: wait for the next)."""
    while (code := demo_totp_code()) in USED_CODES.setdefault(username, set()):
        time.sleep(2)
    USED_CODES[username].add(code)
    return code


def sign_in(page, username: str) -> None:
    page.goto(f"{BASE}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code from your authenticator app").fill(fresh_code(username))
    page.get_by_role("button", name="Sign in").click()
    # The home page, or where the person's role lands (a practitioner's briefing).
    page.wait_for_url(lambda url: url.startswith(BASE) and "/sign-in/" not in url)


def shoot(browser, username: str, shots: list[tuple[str, str]], viewport: dict) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    sign_in(page, username)
    for path, name in shots:
        page.goto(f"{BASE}{path}")
        page.wait_for_load_state("networkidle")
        if name == "explorer":  # the hexagon map with its streets, labels and key
            page.get_by_role("heading", name="Map", exact=True).evaluate("heading => heading.scrollIntoView()")
            page.wait_for_timeout(1500)
        if name == "analysis-hotspots":  # how many, the map and its legend
            page.locator("h2.govuk-heading-l").first.evaluate("heading => heading.scrollIntoView()")
            page.wait_for_timeout(1500)
        if name == "incident":  # its place, time of day and small map
            page.locator("#where").evaluate("heading => heading.scrollIntoView()")
            page.wait_for_timeout(1500)
        page.screenshot(path=str(OUT / f"{name}.png"))
    context.close()


# A record of the council's own with a time and a place (read before
# Playwright starts its event loop, where the database may not be used).
incident = Incident.objects.filter(owning_organisation__name="Riverford City Council", location__isnull=False,
                                   occurred_time__isnull=False).order_by("-occurred_on").first()

# A fly tip a volunteer collected: its public page shows the resident what was done.
collected = Report.objects.filter(service__code="fly-tipping", state__code="fixed", is_public=True,
                                  updates__text__contains="What was done").order_by("-created_at").first()

# The analyses the pages below show, worked out now as the worker would (so no worker need run).
# (A name of None: worked out for a page shot under another name, the officer's briefing.)
ANALYSES = [("analyst.police", "hotspots", "?category=violent-crime", "analysis-hotspots"),
            ("officer.police", "issues", "", None)]


def analyses_work_out() -> None:
    from django.http import QueryDict

    from saferplace.analysis.results import analysis_compute, analysis_request
    from saferplace.incidents.selectors import incident_category_groups
    from saferplace.partners.models import User
    from saferplace.partners.viewer import WEB, AuditContext, viewer_for
    from saferplace.web.analysis import AnalysisForm
    from saferplace.web.views.analysis import _choices

    for username, kind, query, _ in ANALYSES:
        viewer = viewer_for(User.objects.get(username=username), context=AuditContext(channel=WEB))
        form = AnalysisForm(QueryDict(query.lstrip("?")), category_groups=incident_category_groups())
        form.is_valid()
        analysis_compute(result_id=analysis_request(viewer=viewer, kind=kind, choices=_choices(form, kind)).pk)


def agenda_prepared() -> int:
    """Today's (or the next) meeting's agenda drafted as the worker does each morning."""
    from saferplace.meetings.agenda import agenda_prepare
    from saferplace.meetings.models import MeetingSeries
    from saferplace.partners.viewer import operator_viewer

    return agenda_prepare(viewer=operator_viewer("screenshots"), series=MeetingSeries.objects.get()).meeting.pk


analyses_work_out()
meeting_id = agenda_prepared()

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    )
    desktop = {"width": 1200, "height": 1000}
    shoot(browser, "analyst.council", [("/", "home-analyst"), ("/map/?kind=ward", "map-wards"),
                                       ("/incidents/?category=anti-social-behaviour", "explorer"),
                                       ("/imports/", "imports")], desktop)
    shoot(browser, "analyst.council", [(f"/incidents/{incident.pk}/", "incident")], desktop)
    shoot(browser, "admin.council", [("/agreements/", "agreements")], desktop)
    for username, kind, query, name in ANALYSES:
        if name is not None:
            shoot(browser, username, [(f"/analysis/{kind}/{query}", name)], desktop)
    shoot(browser, "auditor.council", [("/audit/", "audit")], desktop)
    shoot(browser, "chair.police", [(f"/meetings/{meeting_id}/", "meeting")], desktop)
    phone = {"width": 390, "height": 844}
    shoot(browser, "officer.police", [("/", "phone-home"), ("/incidents/?search=Cromwell", "phone-explorer")], phone)
    shoot(browser, "volunteer.cvs", [("/tasks/", "phone-volunteer")], phone)
    # The public pages need no sign-in; a partner signed in sees them as a resident does.
    shoot(browser, "volunteer.cvs", [("/report/new/", "phone-report-where"),
                                     (f"/report/{collected.pk}/", "phone-report")], phone)
    shoot(browser, "analyst.council", [("/triage/", "triage")], desktop)
    browser.close()
