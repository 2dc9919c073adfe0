"""A partner's report pages in a browser, at desktop and phone size (375×740): the queue and a
report's page pass axe-core with no serious or critical problem, do not scroll sideways on a phone
and break no content security policy rule; the council's analyst makes a fly tip a task for the
volunteers, a mistake first shown as an error on the form."""

import pytest
from django.urls import reverse

from saferplace.reports.models import Report
from saferplace.tasking.models import Task
from tests.browser.conftest import PHONE, browser_sign_in, pages_problems, serious_axe_violations
from tests.reports.fixtures import area, make_report, services  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reports(make_report, council_analyst):  # noqa: F811 - the fixture imported above
    fly = make_report("fly", description="Six black bags and a mattress dumped by the garages",
                      name="Ada Synthetic", email="ada@example.com", answers={"what": "household", "bags": "6"})
    older = make_report("litter", at=(52.455, -0.945), description="Crisp packets all along the verge")
    return {"fly": fly, "litter": older}


def test_the_triage_pages_are_accessible(page, live_server, reports):
    browser_sign_in(page, live_server, "council_analyst")
    paths = [reverse("web:triage-queue"), reverse("web:triage-queue") + "?show=all",
             reverse("web:triage-report", args=[reports["fly"].pk])]
    problems = pages_problems(page, live_server, paths, "triage")
    assert problems == []
    # The actions' forms, each in a closed details element, checked too once opened.
    page.evaluate("() => document.querySelectorAll('details').forEach(details => { details.open = true; })")
    assert page.get_by_label("Report number it repeats").is_visible()
    assert serious_axe_violations(page) == []
    assert page.csp_errors == []


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_fly_tip_made_a_task_for_the_volunteers(page, live_server, reports, viewport):
    if viewport:
        page.set_viewport_size(viewport)
    fly = reports["fly"]
    browser_sign_in(page, live_server, "council_analyst")
    page.goto(f"{live_server.url}{reverse('web:triage-queue')}")
    page.get_by_role("link", name=f"Report {fly.pk}: Fly tipping").click()
    page.wait_for_load_state()
    assert page.get_by_text("What has been dumped?").is_visible()
    assert page.get_by_text("ada@example.com").is_visible()

    page.get_by_text("Make it a task", exact=True).click()
    page.get_by_label("Offer it to the volunteers working where it is").check()
    page.get_by_role("button", name="Make the task").click()  # no title yet
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Enter what is to be done").is_visible()  # the error summary
    assert serious_axe_violations(page) == []

    page.get_by_label("What is to be done").fill("Collect the bags by the garages")
    page.get_by_label("Questions (optional)").fill("How many bags were there?")
    page.get_by_role("button", name="Make the task").click()
    page.wait_for_load_state()
    task = Task.objects.get(source_kind="report", source_id=fly.pk)
    assert task.for_volunteers and task.questions == ["How many bags were there?"]
    assert Report.objects.get(pk=fly.pk).state_id == "action_scheduled"
    page.get_by_role("link", name=f"Task {task.pk}: Collect the bags by the garages").click()
    page.wait_for_url(f"**{reverse('web:task-detail', args=[task.pk])}")
    assert page.get_by_role("heading", name="Collect the bags by the garages").is_visible()
    assert page.csp_errors == []
