"""The tasks' pages: what each persona sees and may do, refusals that disclose and change nothing,
every form error naming its field, hostile input answered with 400, photos served only to who
may see them."""

import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from saferplace.tasking.models import (
    Task,
    TaskEvent,
    TaskEventKind,
    TaskNote,
    TaskPhoto,
    TaskStatus,
)
from saferplace.tasking.services import task_photo_add
from tests.conftest import sign_in, viewer

pytestmark = pytest.mark.django_db

SECRET = "Underpass by Bridge Street: check for SECRET-TITLE"


def _jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 10)).save(output, format="JPEG")
    return output.getvalue()


def _unchanged(task: Task) -> None:
    again = Task.objects.get(pk=task.pk)
    assert (again.status, again.assignee_id, again.team_id, again.outcome) == (
        task.status, task.assignee_id, task.team_id, task.outcome)
    assert list(TaskEvent.objects.filter(record=task).values_list("kind", flat=True)) == [TaskEventKind.CREATED]
    assert not TaskNote.objects.filter(task=task).exists() and not TaskPhoto.objects.filter(task=task).exists()


def _actions(task: Task) -> list[tuple[str, dict]]:
    return [
        ("web:task-accept", {}), ("web:task-take", {}), ("web:task-decline", {"decline-reason": "Not ours"}),
        ("web:task-reassign", {"reassign-assignee": "", "reassign-team": ""}), ("web:task-note", {"note-text": "Seen"}),
        ("web:task-photo", {"photo-photo": SimpleUploadedFile("p.jpg", _jpeg(), content_type="image/jpeg")}),
        ("web:task-answer", {"answers-q1": "No"}), ("web:task-complete", {"answers-q1": "No", "answers-outcome": "Done"}),
        ("web:task-cancel", {"cancel-reason": "No"}),
    ]


def test_my_tasks_and_the_team_queue(client, make_task, council_officer, council_team, council_street_officer):
    mine = make_task(assignee=council_officer, team=council_team, title="Mine: collect the fly tip")
    queued = make_task(team=council_team, title="Queued: check the underpass")
    other_team = make_task(team=council_street_officer.team, title="Other team's: clean the graffiti")
    sign_in(client, council_officer)
    response = client.get(reverse("web:task-list"))
    text = response.content.decode()
    assert response.status_code == 200
    assert mine.title in text and queued.title in text and other_team.title not in text
    assert 'href="/tasks/"' in text  # the navigation's link
    assert reverse("web:task-create") not in text  # a practitioner does not set tasks


@pytest.mark.parametrize("persona", ["police_officer", "police_chair", "fire_officer", "bid_analyst"])
def test_another_organisation_finds_nothing_and_changes_nothing(client, request, make_task, council_officer, persona):
    task = make_task(assignee=council_officer, title=SECRET, questions=["Anyone there?"])
    sign_in(client, request.getfixturevalue(persona))
    assert SECRET not in client.get(reverse("web:task-list")).content.decode()
    response = client.get(reverse("web:task-detail", args=[task.pk]))
    assert response.status_code == 404 and SECRET not in response.content.decode()
    for name, data in _actions(task):
        response = client.post(reverse(name, args=[task.pk]), data)
        assert response.status_code == 404, name
        assert SECRET not in response.content.decode()
    _unchanged(task)


def test_a_role_without_a_task_capability_is_refused(client, make_task, council_auditor):
    task = make_task(title=SECRET)
    sign_in(client, council_auditor)
    assert client.get(reverse("web:task-list")).status_code == 403
    assert 'href="/tasks/"' not in client.get(reverse("web:home")).content.decode()
    assert client.get(reverse("web:task-detail", args=[task.pk])).status_code == 403
    assert client.get(reverse("web:task-create")).status_code == 403
    for name, data in _actions(task):
        assert client.post(reverse(name, args=[task.pk]), data).status_code == 403, name
    _unchanged(task)


def test_a_practitioner_may_not_set_reassign_or_cancel(client, make_task, council_officer, council_team):
    task = make_task(team=council_team, assignee=council_officer)
    sign_in(client, council_officer)
    page = client.get(reverse("web:task-detail", args=[task.pk])).content.decode()
    assert "Reassign the task" not in page and "Cancel the task" not in page and "Decline the task" in page
    assert client.get(reverse("web:task-create")).status_code == 403
    assert client.post(reverse("web:task-reassign", args=[task.pk]), {"reassign-assignee": ""}).status_code == 403
    assert client.post(reverse("web:task-cancel", args=[task.pk]), {"cancel-reason": "Mine"}).status_code == 403
    _unchanged(task)


def test_working_through_a_task(client, make_task, council_officer, stored_uploads):
    task = make_task(team=council_officer.team, title="Check the underpass", questions=["Anyone sleeping there?"],
                     latitude=52.45, longitude=-0.95, where="Underpass by Bridge Street", due_date=date(2026, 12, 1))
    sign_in(client, council_officer)
    page = client.get(reverse("web:task-detail", args=[task.pk])).content.decode()
    assert 'data-module="app-incident-map"' in page and 'data-latitude="52.45"' in page
    assert "Accept this task" in page and "1. Anyone sleeping there?" in page
    assert client.post(reverse("web:task-accept", args=[task.pk])).status_code == 302
    client.post(reverse("web:task-note", args=[task.pk]), {"note-text": "Bedding, nobody there <b>now</b>"})
    response = client.post(reverse("web:task-photo", args=[task.pk]),
                           {"photo-photo": SimpleUploadedFile("p.jpg", _jpeg(), content_type="image/jpeg")})
    assert response.status_code == 302
    client.post(reverse("web:task-answer", args=[task.pk]), {"answers-q1": "No", "answers-outcome": ""})
    task.refresh_from_db()
    assert task.answers == {"Anyone sleeping there?": "No"} and task.status == TaskStatus.ACCEPTED
    page = client.get(reverse("web:task-detail", args=[task.pk])).content.decode()
    assert "Bedding, nobody there &lt;b&gt;now&lt;/b&gt;" in page and "<b>now</b>" not in page
    photo = TaskPhoto.objects.get(task=task)
    assert reverse("web:task-photo-file", args=[photo.pk]) in page
    served = client.get(reverse("web:task-photo-file", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "no-store"
    response = client.post(reverse("web:task-complete", args=[task.pk]),
                           {"answers-q1": "No", "answers-outcome": "Visited at 9; outreach told"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.outcome == "Visited at 9; outreach told"


def test_each_form_error_names_the_field_and_the_reason(client, make_task, council_officer):
    task = make_task(assignee=council_officer, questions=["Anyone sleeping there?"])
    sign_in(client, council_officer)
    cases = [
        ("web:task-decline", {"decline-reason": " "}, "Say why you are declining the task", "id_decline-reason"),
        ("web:task-note", {"note-text": ""}, "Write the note", "id_note-text"),
        ("web:task-photo", {}, "Choose a photo to add", "id_photo-photo"),
        ("web:task-photo", {"photo-photo": SimpleUploadedFile("p.jpg", b"%PDF-1.4", content_type="image/jpeg")},
         "not a photo", "id_photo-photo"),
        ("web:task-complete", {"answers-q1": "", "answers-outcome": ""}, "Answer question 1 before completing",
         "id_answers-q1"),
        ("web:task-complete", {"answers-q1": "No", "answers-outcome": ""}, "Say what was done: the outcome",
         "id_answers-outcome"),
    ]
    for name, data, message, field in cases:
        response = client.post(reverse(name, args=[task.pk]), data)
        text = response.content.decode()
        assert response.status_code == 400, name
        assert message in text and f'href="#{field}"' in text and f'id="{field}"' in text, (name, message)
    _unchanged(task)


def test_setting_a_task_for_a_partner(client, council_analyst, council_officer, world, area):
    sign_in(client, council_analyst)
    form = client.get(reverse("web:task-create"))
    assert form.status_code == 200 and "Fenshire Police" in form.content.decode()
    police = world["organisations"]["police"]
    response = client.post(reverse("web:task-create"), {
        "title": "Patrol the park after dark", "organisation": police.pk, "priority": "high",
        "due_date": "2026-12-01", "questions": "Anyone drinking?\n\nHow many?\n", "latitude": "52.45",
        "longitude": "-0.95"})
    assert response.status_code == 302
    task = Task.objects.get(title="Patrol the park after dark")
    assert (task.organisation, task.priority, task.questions, task.created_by) == (
        police, "high", ["Anyone drinking?", "How many?"], council_analyst)
    assert response["Location"] == reverse("web:task-detail", args=[task.pk])


@pytest.mark.parametrize("data, field, message", [
    ({"title": "", "organisation": ""}, "title", "Enter what is to be done"),
    ({"organisation": "999999"}, "organisation", "Choose an organisation from the list"),
    ({"due_date": "2026-02-30"}, "due_date", "Enter the due date as a real date"),
    ({"due_date": "9999-12-31"}, "due_date", "Enter a due date from 2000 to 2100"),
    ({"latitude": "nan", "longitude": "1"}, "latitude", "Enter the latitude as a number"),
    ({"latitude": "1e400", "longitude": "1"}, "latitude", "Enter the latitude as a number"),
    ({"latitude": "95", "longitude": "1"}, "latitude", "The latitude must be from -90 to 90"),
    ({"latitude": "52.4"}, "longitude", "Enter the longitude too"),
    ({"for_volunteers": "on"}, "place", "Choose the place whose volunteers are offered the task"),
    ({"questions": "\n".join(f"Q{n}?" for n in range(11))}, "questions", "Ask at most 10 questions"),
    ({"priority": "whenever"}, "priority", "Choose a priority from the list"),
])
def test_setting_a_task_with_a_problem_names_the_field(client, council_analyst, world, data, field, message):
    sign_in(client, council_analyst)
    body = {"title": "Patrol the park", "organisation": world["organisations"]["police"].pk, "priority": "normal",
            **data}
    response = client.post(reverse("web:task-create"), body)
    text = response.content.decode()
    assert response.status_code == 400
    assert message in text and f'href="#id_{field}"' in text
    assert not Task.objects.exists()


def test_a_team_or_person_of_another_organisation_is_refused(client, council_analyst, council_officer, world):
    sign_in(client, council_analyst)
    police = world["organisations"]["police"]
    response = client.post(reverse("web:task-create"), {
        "title": "Patrol", "organisation": police.pk, "priority": "normal", "assignee": council_officer.pk,
        "team": council_officer.team_id})
    text = response.content.decode()
    assert response.status_code == 400 and "does not work for Fenshire Police" in text
    assert "is not a team of Fenshire Police" in text and not Task.objects.exists()


def test_reassigning_lists_only_the_organisation_s_people(client, make_task, council_analyst, council_officer,
                                                          police_officer):
    task = make_task(assignee=council_officer)
    sign_in(client, council_analyst)
    page = client.get(reverse("web:task-detail", args=[task.pk])).content.decode()
    assert "Council Officer" in page and "Police Officer" not in page
    response = client.post(reverse("web:task-reassign", args=[task.pk]), {"reassign-assignee": police_officer.pk})
    assert response.status_code == 400 and "Choose a person from the list" in response.content.decode()
    task.refresh_from_db()
    assert task.assignee == council_officer


# Volunteers


def test_a_volunteer_sees_what_is_on_offer_in_their_area_and_their_own(client, make_task, volunteer, area,
                                                                       council_officer):
    offered = make_task(for_volunteers=True, place=area["ward"], title="Confirm what the graffiti shows")
    elsewhere = make_task(for_volunteers=True, place=area["elsewhere"], title="Elsewhere: check the bins")
    staff = make_task(place=area["community"], title="Staff only: visit the family home", assignee=council_officer)
    sign_in(client, volunteer)
    text = client.get(reverse("web:task-list")).content.decode()
    assert offered.title in text and elsewhere.title not in text and staff.title not in text
    assert 'href="/tasks/"' in text
    for task in (elsewhere, staff):
        response = client.get(reverse("web:task-detail", args=[task.pk]))
        assert response.status_code == 404 and task.title not in response.content.decode()
    page = client.get(reverse("web:task-detail", args=[offered.pk])).content.decode()
    assert "Take this task" in page and "Decline the task" not in page and "Add a note" not in page
    assert client.post(reverse("web:task-take", args=[offered.pk])).status_code == 302
    offered.refresh_from_db()
    assert offered.assignee == volunteer
    page = client.get(reverse("web:task-detail", args=[offered.pk])).content.decode()
    assert "Add a note" in page and "Add a photo" in page and "Reassign the task" not in page
    assert re.search(r"With\s*</dt>\s*<dd[^>]*>\s*You\s*</dd>", page)  # their own, whichever organisation
    assert client.post(reverse("web:task-take", args=[elsewhere.pk])).status_code == 404


def test_a_volunteer_cannot_see_another_volunteer_s_task_or_photo(client, make_task, volunteer, other_volunteer,
                                                                  area, stored_uploads):
    from saferplace.tasking.services import task_take

    task = make_task(for_volunteers=True, place=area["community"], title=SECRET)
    task_take(viewer=viewer(other_volunteer), task=task)
    photo = task_photo_add(viewer=viewer(other_volunteer), task=task,
                           upload=SimpleUploadedFile("p.jpg", _jpeg(), content_type="image/jpeg"))
    sign_in(client, volunteer)
    assert SECRET not in client.get(reverse("web:task-list")).content.decode()
    assert client.get(reverse("web:task-detail", args=[task.pk])).status_code == 404
    assert client.get(reverse("web:task-photo-file", args=[photo.pk])).status_code == 404
    assert client.post(reverse("web:task-note", args=[task.pk]), {"note-text": "Me too"}).status_code == 404


def test_a_volunteer_with_no_area_is_told_how_to_get_one(client, council_volunteer):
    sign_in(client, council_volunteer)
    text = client.get(reverse("web:task-list")).content.decode()
    assert "You have no working area yet" in text


def test_a_photo_number_that_is_not_one_is_not_found(client, council_officer):
    sign_in(client, council_officer)
    assert client.get("/tasks/photos/99999999999999999999999").status_code == 404
    assert client.get("/tasks/99999999999999999999999/").status_code == 404


def test_whoever_completes_a_task_from_a_report_is_told_the_outcome_is_public(client, make_report, council_analyst,
                                                                             volunteer):
    from saferplace.reports.services import report_task_make
    from saferplace.tasking.services import task_take

    report = make_report()
    task = report_task_make(viewer=viewer(council_analyst), report=report, title="Collect", for_volunteers=True)
    task_take(viewer=viewer(volunteer), task=task)
    sign_in(client, volunteer)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "shown on the public report" in page
