"""The field briefing on a phone-sized window (375×740, Chromium): opened with a signal, kept by
the service worker, opened again with the network cut (the saved copy, and a banner saying so),
a task completed without a signal, and sent when the signal returns, the person told it was
sent and the task done in the database. Axe on the page; no sideways scroll; no CSP error."""

import pytest

from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from saferplace.tasking.models import Task, TaskEvent, TaskStatus, WorkingArea
from saferplace.tasking.services import task_create
from tests.browser.conftest import (
    PHONE,
    RESULTS,
    browser_sign_in,
    overflows_horizontally,
    serious_axe_violations,
)
from tests.conftest import OPERATOR, square

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Is anyone sleeping there?"
MARKUP = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, service_workers="allow")
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_errors.append(message.text))
    page.on("pageerror", lambda error: page.csp_errors.append(f"script error: {error}"))
    yield page
    context.close()


@pytest.fixture
def underpass_task(world, police_officer):
    ward = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05990021", name="Parkside",
                                  population=4500, boundary=square(-0.96, 52.44))
    WorkingArea.objects.create(user=police_officer, place=ward)
    return task_create(viewer=OPERATOR, organisation=world["organisations"]["police"], assignee=police_officer,
                       title=f"Check the underpass {MARKUP}", where="Mill Street underpass", place=ward,
                       latitude=52.4465, longitude=-0.9535, questions=[QUESTION])


def _controlled(page) -> None:
    """Wait for the service worker to be running and looking after the page. A page opened while
    the worker was still installing may be missed by its claim: opened again, it is looked after."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def test_the_briefing_works_offline_and_sends_a_completed_task_when_the_signal_returns(phone, live_server,
                                                                                      underpass_task):
    page = phone
    browser_sign_in(page, live_server, "police_officer")
    page.goto(f"{live_server.url}/briefing/")
    _controlled(page)
    # The first visit is kept too: the page asks the new worker for what it loaded before it was there.
    page.wait_for_function("() => caches.match('/briefing/').then((copy) => copy !== undefined)")
    # Its style sheet and its script (which shows the offline banner) too: the worker keeps each
    # file as its own fetch ends, so one being kept says nothing of the other.
    page.wait_for_function("() => caches.keys().then((names) => Promise.all(names.map((name) => caches.open(name)"
                           ".then((cache) => cache.keys())))).then((lists) => ['/static/dist/app.css', '/static/dist/app.js']"
                           ".every((file) => lists.flat().some((request) => request.url.includes(file))))")
    assert page.locator("[data-briefing-offline]").is_hidden()
    assert serious_axe_violations(page) == []
    assert not overflows_horizontally(page)
    page.screenshot(path=str(RESULTS / "briefing-phone.png"), full_page=True)

    page.context.set_offline(True)
    page.reload()  # the saved copy, from the service worker
    banner = page.locator("[data-briefing-offline]")
    banner.wait_for(state="visible")
    assert "Saved briefing from" in banner.inner_text() and "you are offline" in banner.inner_text()
    assert page.get_by_role("heading", name=f"Check the underpass {MARKUP}").is_visible()  # text, not markup

    page.get_by_text("Complete this task").click()
    page.get_by_label(QUESTION).fill("No, but bedding was left")
    page.get_by_label("What was done").fill("Checked at 10pm; bedding reported for clearance")
    page.get_by_role("button", name="Complete the task").click()
    waiting = page.locator("[data-briefing-sync-list] li[data-state='waiting']")
    waiting.wait_for()
    assert "Complete: Check the underpass" in waiting.inner_text()
    assert Task.objects.get(pk=underpass_task.pk).status == TaskStatus.OPEN  # nothing sent without a signal
    assert page.evaluate("() => window.__pwned") is None

    page.context.set_offline(False)  # the `online` event: the update is sent
    sent = page.locator("[data-briefing-sync-list] li[data-state='sent']")
    sent.wait_for()
    assert f"Completed: Check the underpass {MARKUP}" in sent.inner_text()
    task = Task.objects.get(pk=underpass_task.pk)
    assert task.status == TaskStatus.DONE and task.answers == {QUESTION: "No, but bedding was left"}
    assert TaskEvent.objects.filter(record=task, kind="done").count() == 1
    assert serious_axe_violations(page) == []
    page.screenshot(path=str(RESULTS / "briefing-phone-sent.png"), full_page=True)

    # Signing out deletes what the briefing kept on the phone.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/sign-in/")
    assert page.evaluate("() => caches.keys().then((names) => names.filter((name) => name.startsWith('saferplace-briefing')).length)") == 0
    assert page.evaluate("() => indexedDB.databases().then((all) => all.filter((d) => d.name === 'saferplace-briefing').length)") == 0
    assert not page.csp_errors, page.csp_errors


def test_a_volunteer_s_briefing_is_accessible_on_a_phone(phone, live_server, world, council_volunteer):
    ward = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05990022", name="Parkside",
                                  population=4500, boundary=square(-0.96, 52.44))
    WorkingArea.objects.create(user=council_volunteer, place=ward)
    task_create(viewer=OPERATOR, organisation=world["organisations"]["council"], for_volunteers=True, place=ward,
                title="Is the graffiti on the bridge racial?", latitude=52.445, longitude=-0.955)
    browser_sign_in(phone, live_server, "council_volunteer")
    phone.goto(f"{live_server.url}/briefing/")
    phone.wait_for_load_state("networkidle")
    assert phone.get_by_role("button", name="Take this task").is_visible()
    assert phone.locator("[data-map='briefing']").get_attribute("data-features") == "2"  # the area and the task
    assert serious_axe_violations(phone) == []
    assert not overflows_horizontally(phone)
    phone.get_by_role("button", name="Take this task").click()
    phone.locator("[data-briefing-sync-list] li[data-state='sent']").wait_for()
    assert Task.objects.get(title="Is the graffiti on the bridge racial?").assignee_id == council_volunteer.pk
    assert not phone.csp_errors, phone.csp_errors


def test_an_update_the_server_refuses_is_reported_as_not_sent(phone, live_server, underpass_task):
    """Completed without the answer the task asks for: refused, said in words, not kept to send again."""
    browser_sign_in(phone, live_server, "police_officer")
    phone.goto(f"{live_server.url}/briefing/")
    phone.get_by_text("Complete this task").click()
    phone.get_by_label("What was done").fill("Went there")
    phone.get_by_role("button", name="Complete the task").click()
    refused = phone.locator("[data-briefing-sync-list] li[data-state='failed']")
    refused.wait_for()
    assert f"Complete: Check the underpass {MARKUP}" in refused.inner_text()
    assert f"{QUESTION!r} has no answer" in refused.inner_text()
    assert Task.objects.get(pk=underpass_task.pk).status == TaskStatus.OPEN
    waiting = phone.evaluate("""() => new Promise((resolve) => {
        const request = indexedDB.open('saferplace-briefing');
        request.onsuccess = () => {
            const all = request.result.transaction('updates').objectStore('updates').getAll();
            all.onsuccess = () => resolve(all.result.length);
        };
    })""")
    assert waiting == 0  # refused for good: not sent again
    assert phone.evaluate("() => window.__pwned") is None
    assert not phone.csp_errors, phone.csp_errors
