"""The briefing's page, its map's data, the updates endpoint and the service worker, tried as
every persona: each sees only what their access allows, another organisation's task is not
found and unchanged, hostile input is a 400 with a message, never a 500."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from saferplace.audit.models import AuditEntry
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from saferplace.tasking.models import ClientUpdate, Task, TaskEvent, TaskStatus, WorkingArea
from saferplace.tasking.services import task_create
from tests.conftest import OPERATOR, sign_in, square

pytestmark = pytest.mark.django_db

KEY = "0b7a4c52-9d6e-4f0a-8c1b-2e3d4f5a6b7c"


@pytest.fixture
def ward(world):
    return place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05990011", name="Parkside",
                                  population=4500, boundary=square(-0.96, 52.44))


def _task(world, organisation="council", **fields) -> Task:
    fields.setdefault("title", "Check the underpass for rough sleeping")
    return task_create(viewer=OPERATOR, organisation=world["organisations"][organisation], **fields)


def _post(client, body, **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(reverse("web:briefing-updates"), data=data, content_type="application/json", **headers)


@pytest.mark.parametrize(("persona", "status"), [
    ("police_officer", 200), ("council_analyst", 200), ("police_chair", 200), ("council_admin", 200),
    ("bid_analyst", 200), ("council_volunteer", 200), ("council_auditor", 403),
])
def test_who_may_open_the_briefing(client, request, persona, status):
    sign_in(client, request.getfixturevalue(persona))
    assert client.get(reverse("web:briefing")).status_code == status
    assert client.get(reverse("web:briefing-map")).status_code == status


def test_signed_out_the_briefing_asks_to_sign_in(client, world):
    for name in ("web:briefing", "web:briefing-map"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("web:sign-in") in response["Location"]
    assert _post(client, {"key": KEY}).status_code == 302


def test_a_practitioner_s_briefing_shows_their_tasks_and_not_another_organisation_s(client, world, ward,
                                                                                  police_officer, fire_officer):
    mine = _task(world, "police", title="Patrol the car park <after dark>", assignee=police_officer, place=ward,
                 where="Mill Street", questions=["Are the lights working?"])
    _task(world, "fire", title="Fire service home visit", assignee=fire_officer)
    page = sign_in(client, police_officer).get(reverse("web:briefing")).content.decode()
    assert "Patrol the car park &lt;after dark&gt;" in page and "<after dark>" not in page  # escaped
    assert "Fire service home visit" not in page
    assert "Today&#39;s priorities" in page or "Today's priorities" in page
    assert "Are the lights working?" in page and "Mill Street" in page
    # Without JavaScript each update is a form posting to the endpoint, with a key of its own.
    assert page.count(f'action="{reverse("web:briefing-updates")}"') >= 4
    keys = [part.split('"', 1)[0] for part in page.split('name="key" value="')[1:]]
    assert len(keys) == len(set(keys)) >= 4
    assert "New task" in page  # what changed since yesterday
    entry = AuditEntry.objects.filter(actor_username="police_officer", object_type="tasking.task").latest("sequence")
    assert str(mine.pk) in entry.record_ids


def test_a_volunteer_s_briefing_has_no_analysis_and_only_offered_and_own_tasks(client, world, ward, council_volunteer):
    WorkingArea.objects.create(user=council_volunteer, place=ward)
    _task(world, for_volunteers=True, place=ward, title="Is the graffiti on the bridge racial?")
    _task(world, title="Visit the family at number 4", place=ward)  # the council's, not offered
    page = sign_in(client, council_volunteer).get(reverse("web:briefing")).content.decode()
    assert "Is the graffiti on the bridge racial?" in page and "Take this task" in page
    assert "Visit the family at number 4" not in page
    assert "priorities" not in page.lower().replace("what changed", "")
    assert reverse("web:analysis-issues") not in page and reverse("web:incident-list") not in page
    collection = sign_in(client, council_volunteer).get(reverse("web:briefing-map")).json()
    assert {feature["properties"]["kind"] for feature in collection["features"]} <= {"area", "task"}


def test_an_update_sent_twice_is_made_once(client, world, police_officer):
    task = _task(world, "police", assignee=police_officer)
    sign_in(client, police_officer)
    events = TaskEvent.objects.filter(record=task).count()
    update = {"key": KEY, "task": task.pk, "action": "complete", "payload": {"outcome": "Lights fixed"}}
    first, second = _post(client, update), _post(client, update)
    assert first.status_code == second.status_code == 200
    assert first.json()["repeated"] is False and second.json()["repeated"] is True
    assert first.json()["message"] == second.json()["message"] == f"Completed: {task.title}"
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.outcome == "Lights fixed"
    assert TaskEvent.objects.filter(record=task).count() == events + 1
    assert ClientUpdate.objects.count() == 1


@pytest.mark.parametrize("persona", ["council_analyst", "fire_officer", "bid_analyst", "council_volunteer"])
def test_another_organisation_s_task_is_not_found_and_unchanged(client, world, request, police_officer, persona):
    task = _task(world, "police", assignee=police_officer)
    events = TaskEvent.objects.filter(record=task).count()
    sign_in(client, request.getfixturevalue(persona))
    for action, payload in (("complete", {"outcome": "Done"}), ("accept", {}), ("note", {"text": "Seen"}),
                            ("take", {}), ("decline", {"reason": "No"})):
        response = _post(client, {"key": KEY, "task": task.pk, "action": action, "payload": payload})
        assert response.status_code == 404, (persona, action, response.content)
        assert response.json()["detail"] == "No task with that number is available to you."
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and TaskEvent.objects.filter(record=task).count() == events
    assert not ClientUpdate.objects.exists()
    assert AuditEntry.objects.filter(action="refused", object_type="tasking.task", object_id=str(task.pk)).exists()


def test_a_role_with_no_task_capability_is_refused_with_403(client, world, police_officer, council_auditor):
    task = _task(world, "council")
    sign_in(client, council_auditor)
    response = _post(client, {"key": KEY, "task": task.pk, "action": "accept", "payload": {}})
    assert response.status_code == 403 and response.json()["detail"]


def test_not_the_person_s_to_work_on_is_403_and_unchanged(client, world, police_officer):
    from saferplace.partners.models import Role
    from tests.conftest import _persona

    colleague = _persona(world, "police_second", "police", Role.PRACTITIONER)
    task = _task(world, "police", assignee=colleague)
    sign_in(client, police_officer)
    response = _post(client, {"key": KEY, "task": task.pk, "action": "complete", "payload": {"outcome": "Done"}})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


@pytest.mark.parametrize("body", [
    "not json", "[1, 2]", "null", '"text"', b"\xff\xfe", "{" * 5000, "[" * 60000, json.dumps({"key": "x" * 70000}),
    {"key": KEY, "task": "1e309", "action": "note", "payload": {"text": "x"}},
    {"key": KEY, "task": {"$gt": 0}, "action": "note", "payload": {"text": "x"}},
    {"key": KEY, "task": "{task}", "action": ["complete"], "payload": {}},
    {"key": KEY, "task": "{task}", "action": "complete", "payload": {"outcome": {"nested": True}}},
    {"key": KEY, "task": "{task}", "action": "complete", "payload": {"outcome": "x", "answers": [["q", "a"]]}},
    {"key": KEY, "task": "{task}", "action": "complete", "payload": "outcome"},
    {"key": KEY, "task": "{task}", "action": "__class__", "payload": {}},
    {"key": None, "task": "{task}", "action": "accept", "payload": {}},
    {"key": "../../etc/passwd", "task": "{task}", "action": "accept", "payload": {}},
    {"task": "{task}", "action": "accept"},
])
def test_hostile_updates_are_400_with_a_message(client, world, police_officer, body):
    task = _task(world, "police", assignee=police_officer)
    events = TaskEvent.objects.filter(record=task).count()
    if isinstance(body, dict):
        body = json.loads(json.dumps(body).replace('"{task}"', str(task.pk)))
    response = _post(sign_in(client, police_officer), body)
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert TaskEvent.objects.filter(record=task).count() == events


def test_the_endpoint_needs_the_csrf_token(world, police_officer):
    task = _task(world, "police", assignee=police_officer)
    strict = Client(enforce_csrf_checks=True)
    sign_in(strict, police_officer)
    update = {"key": KEY, "task": task.pk, "action": "accept", "payload": {}}
    assert _post(strict, update).status_code == 403
    strict.get(reverse("web:briefing"))
    token = strict.cookies["csrftoken"].value
    assert _post(strict, update, HTTP_X_CSRFTOKEN=token).status_code == 200
    task.refresh_from_db()
    assert task.status == TaskStatus.ACCEPTED


def test_only_post(client, police_officer):
    sign_in(client, police_officer)
    assert client.get(reverse("web:briefing-updates")).status_code == 405


def test_the_forms_work_without_javascript(client, world, police_officer):
    task = _task(world, "police", assignee=police_officer, questions=["Are the lights working?"])
    sign_in(client, police_officer)
    form = {"key": KEY, "task": task.pk, "action": "complete", "outcome": "Lights fixed",
            "question": "Are the lights working?", "answer": "Yes, now"}
    response = client.post(reverse("web:briefing-updates"), form)
    assert response.status_code == 302 and response["Location"] == reverse("web:briefing")
    assert client.post(reverse("web:briefing-updates"), form).status_code == 302  # sent twice: made once
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.answers == {"Are the lights working?": "Yes, now"}
    assert TaskEvent.objects.filter(record=task, kind="done").count() == 1
    assert f"Completed: {task.title}" in client.get(reverse("web:briefing")).content.decode()


def test_a_form_without_its_outcome_is_400_and_another_organisation_s_task_404(client, world, police_officer,
                                                                               fire_officer):
    task = _task(world, "police", assignee=police_officer)
    sign_in(client, police_officer)
    response = client.post(reverse("web:briefing-updates"), {"key": KEY, "task": task.pk, "action": "complete"})
    assert response.status_code == 400 and "outcome" in response.content.decode()
    fire = _task(world, "fire", assignee=fire_officer)
    response = client.post(reverse("web:briefing-updates"),
                           {"key": KEY, "task": fire.pk, "action": "complete", "outcome": "Done"})
    assert response.status_code == 404
    fire.refresh_from_db()
    assert fire.status == TaskStatus.OPEN


def test_the_service_worker_is_served_from_the_root_as_javascript(client):
    response = client.get("/service-worker.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert b"saferplace-briefing" in response.content
