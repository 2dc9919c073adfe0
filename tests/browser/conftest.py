"""Browser tests: Debian's Chromium (/usr/bin/chromium) driven by Playwright, against a live
server; axe-core (from node_modules) checks accessibility on every page."""

import base64
import os
from pathlib import Path

import pyotp
import pytest

from tests.conftest import PASSWORD, TOTP_KEY

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SOURCE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
RESULTS = ROOT / "test-results"

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is needed for the browser tests: install Debian's chromium package ({CHROMIUM} is missing)")
    # Playwright's synchronous API keeps an event loop in this thread while the browser is open;
    # the Django ORM calls the tests (and their clean-up) make meanwhile are ordinary synchronous
    # calls, so Django is told they are safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_errors.append(message.text))
    page.on("pageerror", lambda error: page.csp_errors.append(f"script error: {error}"))
    yield page
    context.close()


def current_code() -> str:
    return pyotp.TOTP(base64.b32encode(bytes.fromhex(TOTP_KEY)).decode()).now()


def browser_sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code from your authenticator app").fill(current_code())
    page.get_by_role("button", name="Sign in").click()
    # Signed in: on the home page, or where the person's role lands (web/views/home.py `landing`).
    page.wait_for_url(lambda url: url.startswith(live_server.url) and "/sign-in/" not in url)
    page.wait_for_load_state()


def serious_axe_violations(page) -> list[dict]:
    page.evaluate(AXE_SOURCE)
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ['violations']});
            return results.violations
                .filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}));
        }"""
    )


def overflows_horizontally(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")


def pages_problems(page, live_server, paths: list[str], label: str, *, statuses=(200,)) -> list[str]:
    """Open each page on a desktop and a phone: it answers, passes axe-core with no serious or
    critical violation and does not scroll sideways on the phone; a screenshot of each is kept in
    test-results/. Returns the problems found, one line each."""
    problems = []
    for path in paths:
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            response = page.goto(f"{live_server.url}{path}")
            assert response.status in statuses, f"{path}: HTTP {response.status}"
            page.wait_for_load_state("networkidle")
            violations = serious_axe_violations(page)
            if violations:
                problems.append(f"{label} {name} {path}: {violations}")
            if name == "phone" and overflows_horizontally(page):
                problems.append(f"{label} phone {path}: the page scrolls sideways")
            slug = path.strip("/").replace("/", "-").replace("?", "-") or "home"
            page.screenshot(path=str(RESULTS / f"{label}-{slug}-{name}.png"), full_page=True)
    return problems
