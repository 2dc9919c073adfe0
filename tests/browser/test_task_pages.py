"""The tasks' pages in a browser, at phone size (375×740) and desktop: axe-core finds no serious or
critical problem, nothing scrolls sideways on a phone, no content security policy rule is broken;
and a volunteer on a phone takes a task, answers it, adds a photo and completes it."""

import pytest
from django.urls import reverse
from PIL import Image

from saferplace.partners.models import Role
from saferplace.partners.services import team_create
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from saferplace.tasking.models import TaskPhoto, TaskStatus, WorkingArea
from saferplace.tasking.services import task_create, task_note_add
from tests.browser.conftest import (
    PHONE,
    browser_sign_in,
    overflows_horizontally,
    pages_problems,
    serious_axe_violations,
)
from tests.conftest import OPERATOR, _persona, square, viewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tasks_world(world, council_analyst, council_volunteer):
    community = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="RVF-C1",
                                       name="Riverford Central", population=9000, boundary=square(-0.96, 52.44, 0.02))
    council = world["organisations"]["council"]
    team = team_create(viewer=OPERATOR, organisation=council, name="Neighbourhood")
    officer = _persona(world, "council_officer", "council", Role.PRACTITIONER)
    officer.team = team
    officer.save(update_fields=["team"])
    WorkingArea.objects.create(user=council_volunteer, place=community)
    questions = ["Is anyone sleeping there?", "How many tents are there?"]
    staff_task = task_create(
        viewer=viewer(council_analyst), title="Check the underpass by Bridge Street for rough sleeping",
        description="Reports of bedding left under the underpass; look, do not wake anyone.", organisation=council,
        team=team, assignee=officer, place=community, where="Underpass by Bridge Street", latitude=52.45,
        longitude=-0.95, priority="high", questions=questions, source_label="DRMM 27 November 2026, item 2")
    task_note_add(viewer=OPERATOR, task=staff_task, text="Outreach visited last week: nobody there.")
    queued = task_create(viewer=viewer(council_analyst), title="Clear the fly tip on Mill Lane", organisation=council,
                         team=team, priority="normal")
    volunteer_task = task_create(
        viewer=viewer(council_analyst), title="Confirm what the graffiti on the footbridge shows",
        description="A report says it may be racist. Photograph it; say what it shows.", organisation=council,
        for_volunteers=True, place=community, where="Footbridge over the river", latitude=52.451, longitude=-0.949,
        priority="low", questions=["What does the graffiti show?"])
    return {"staff": staff_task, "queued": queued, "volunteer": volunteer_task, "officer": officer}


def test_the_tasks_pages_are_accessible_for_a_practitioner(page, live_server, tasks_world):
    browser_sign_in(page, live_server, "council_officer")
    task = tasks_world["staff"]
    problems = pages_problems(page, live_server, [reverse("web:task-list"), reverse("web:task-detail", args=[task.pk])],
                              "tasks-officer")
    # The map draws the point over the streets, with no tile server.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{reverse('web:task-detail', args=[task.pk])}")
    page.locator("[data-module='app-incident-map'] path.app-incident-point").wait_for()
    assert page.locator(".leaflet-tile").count() == 0
    # A form error is announced in the error summary, linked to its field.
    page.get_by_text("Decline the task", exact=True).first.click()
    page.get_by_role("button", name="Decline the task").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_role("link", name="Say why you are declining the task").is_visible()
    problems += [f"declined without a reason: {v}" for v in serious_axe_violations(page)]
    assert not problems, "\n".join(problems)
    assert not page.csp_errors, page.csp_errors


def test_the_tasks_pages_are_accessible_for_an_assigner(page, live_server, tasks_world):
    browser_sign_in(page, live_server, "council_analyst")
    problems = pages_problems(page, live_server, [reverse("web:task-list"), reverse("web:task-create"),
                                                  reverse("web:task-detail", args=[tasks_world["staff"].pk])], "tasks-assigner")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{reverse('web:task-create')}")
    page.get_by_label("Due date (optional)").fill("2026-02-30")
    page.get_by_role("button", name="Set the task").click()
    assert page.get_by_role("link", name="Enter what is to be done").is_visible()
    assert page.get_by_role("link", name="Enter the due date as a real date, like 2026-12-01").is_visible()
    problems += [f"new task with errors: {v}" for v in serious_axe_violations(page)]
    assert not overflows_horizontally(page)
    assert not problems, "\n".join(problems)
    assert not page.csp_errors, page.csp_errors


def test_a_volunteer_on_a_phone_takes_answers_photographs_and_completes_a_task(page, live_server, tasks_world,
                                                                               tmp_path, stored_uploads):
    task = tasks_world["volunteer"]
    page.set_viewport_size(PHONE)
    browser_sign_in(page, live_server, "council_volunteer")
    page.goto(f"{live_server.url}{reverse('web:task-list')}")
    assert page.get_by_role("link", name=task.title).is_visible()
    assert page.get_by_text(tasks_world["staff"].title).count() == 0
    problems = pages_problems(page, live_server, [reverse("web:task-list"), reverse("web:task-detail", args=[task.pk])],
                              "tasks-volunteer")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{reverse('web:task-detail', args=[task.pk])}")
    page.get_by_role("button", name="Take this task").click()
    page.get_by_text("The task is yours").wait_for()
    photo = tmp_path / "graffiti.png"
    Image.new("RGB", (40, 30), (120, 20, 20)).save(photo)
    page.get_by_label("Add a photo").set_input_files(str(photo))
    page.get_by_role("button", name="Add the photo").click()
    page.get_by_text("Your photo is added").wait_for()
    assert page.locator("img.app-photo").count() == 1
    page.locator("img.app-photo").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('img.app-photo').complete")
    assert page.evaluate("() => document.querySelector('img.app-photo').naturalWidth") == 40  # served, and an image
    page.get_by_label("1. What does the graffiti show?").fill("A tag; nothing racist")
    page.get_by_label("Outcome").fill("Photographed; reported to street scene")
    problems += [f"own task: {v}" for v in serious_axe_violations(page)]
    assert not overflows_horizontally(page)
    page.get_by_role("button", name="Complete the task").click()
    page.get_by_text("The task is complete").wait_for()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.answers == {"What does the graffiti show?": "A tag; nothing racist"}
    assert TaskPhoto.objects.filter(task=task).count() == 1
    assert not problems, "\n".join(problems)
    assert not page.csp_errors, page.csp_errors

