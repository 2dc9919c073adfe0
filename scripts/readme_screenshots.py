"""Take the README's screenshots from a running demo: `saferplace demo` in one terminal, then
`.venv/bin/python scripts/readme_screenshots.py [BASE_URL]` in another."""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplace.settings")
import django  # noqa: E402

django.setup()
from saferplace.demo.personas import DEMO_PASSWORD, demo_totp_code  # noqa: E402

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def sign_in(page, username: str) -> None:
    page.goto(f"{BASE}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code from your authenticator app").fill(demo_totp_code())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{BASE}/")


def shoot(browser, username: str, shots: list[tuple[str, str]], viewport: dict) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    sign_in(page, username)
    for path, name in shots:
        page.goto(f"{BASE}{path}")
        page.wait_for_load_state("networkidle")
        if name == "explorer":  # the chart and the map, rather than the filters above them
            page.get_by_role("heading", name="Incidents each month").evaluate("heading => heading.scrollIntoView()")
        if name == "incident":  # the first record of the list, its map and its history
            page.locator("a[href^='/incidents/']").filter(has_text=" ").first.click()
            page.wait_for_load_state("networkidle")
            page.locator("#where").evaluate("heading => heading.scrollIntoView()")
            page.wait_for_timeout(500)
        if name == "agreement":  # an agreement's page: its terms, signatures and history
            page.locator("a[href^='/agreements/']").filter(has_text="RVF").first.click()
            page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / f"{name}.png"))
    context.close()


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    )
    desktop = {"width": 1200, "height": 1000}
    shoot(browser, "analyst.council", [("/", "home-analyst"), ("/map/?kind=ward", "map-wards"),
                                       ("/incidents/?category=anti-social-behaviour", "explorer"),
                                       ("/imports/", "imports")], desktop)
    shoot(browser, "analyst.council", [("/incidents/?category=anti-social-behaviour&sort=newest", "incident")], desktop)
    shoot(browser, "admin.council", [("/agreements/", "agreements"), ("/agreements/", "agreement")], desktop)
    shoot(browser, "auditor.council", [("/audit/", "audit")], desktop)
    phone = {"width": 390, "height": 844}
    shoot(browser, "officer.police", [("/", "phone-home"), ("/incidents/?search=Cromwell", "phone-explorer")], phone)
    browser.close()
