"""The field briefing's selector and the idempotent updates a phone sends: a volunteer sees no
analysis and only their own and offered tasks; nobody sees another organisation's tasks; the
priorities are the kept ranked issues narrowed to the person's areas; an update sent twice under
one key is made once."""

from datetime import timedelta

import h3
import pytest
from django.utils import timezone

from saferplace.analysis.models import AnalysisResult, ResultStatus
from saferplace.analysis.results import analysis_request
from saferplace.audit.models import AuditEntry
from saferplace.errors import NotAllowed, NotFound
from saferplace.incidents.recount import counts_version
from saferplace.partners.models import Role
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from saferplace.tasking.briefing import ISSUE_CHOICES, briefing_map, briefing_open, issue_in_areas
from saferplace.tasking.client_updates import BadUpdate, client_update_apply
from saferplace.tasking.models import ClientUpdate, Task, TaskEvent, TaskStatus, WorkingArea
from saferplace.tasking.services import task_create
from tests.conftest import OPERATOR, _persona, square, viewer

pytestmark = pytest.mark.django_db

# Parkside ward: the square from (-0.96, 52.44), 0.01 degrees across; Riverford North far away.
INSIDE = (52.445, -0.955)
OUTSIDE = (52.505, -0.895)


@pytest.fixture
def places(world):
    community = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="BRF-C1", name="Riverford Central",
                                       population=9000, boundary=square(-0.96, 52.44, 0.02))
    ward = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05990001", name="Parkside",
                                  parent=community, population=4500, boundary=square(-0.96, 52.44))
    other_ward = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05990002", name="Eastgate",
                                        parent=community, population=4500, boundary=square(-0.95, 52.44))
    north = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="BRF-C2", name="Riverford North",
                                   population=8000, boundary=square(-0.90, 52.50, 0.02))
    return {"community": community, "ward": ward, "other_ward": other_ward, "north": north}


def _task(world, organisation="council", **fields) -> Task:
    fields.setdefault("title", "Check the underpass for rough sleeping")
    return task_create(viewer=OPERATOR, organisation=world["organisations"][organisation], **fields)


def _issues(person, issues: list[dict]) -> AnalysisResult:
    """The kept ranked issues for `person`'s reading rule, as the worker would leave them."""
    result = analysis_request(viewer=viewer(person), kind="issues", choices=ISSUE_CHOICES)
    AnalysisResult.objects.filter(pk=result.pk).update(
        status=ResultStatus.DONE, version=counts_version(), finished_at=timezone.now(),
        result={"issues": issues, "parameters": {}})
    return AnalysisResult.objects.get(pk=result.pk)


def _issue(title: str, cell: str, score: float = 50.0) -> dict:
    return {"title": title, "kind": "hotspot", "category": "burglary", "h3_cell": cell, "place": "Mill Street",
            "count": 12, "score": score, "reasons": [{"points": score, "why": "A significant hotspot"}], "evidence": {}}


def test_a_volunteer_sees_no_analysis_only_their_own_and_offered_tasks(world, places, council_volunteer, council_analyst):
    WorkingArea.objects.create(user=council_volunteer, place=places["community"])
    offered = _task(world, for_volunteers=True, place=places["ward"], where="Mill Street", latitude=INSIDE[0],
                    longitude=INSIDE[1], title="Is the graffiti racial?")
    _task(world, for_volunteers=True, place=places["north"], title="Offered far away")
    _task(world, title="The council's own task, not offered", place=places["ward"])
    _issues(council_analyst, [_issue("Burglary at Mill Street", h3.latlng_to_cell(*INSIDE, 9))])
    results = AnalysisResult.objects.count()

    briefing = briefing_open(viewer=viewer(council_volunteer))

    assert briefing.volunteer and briefing.priorities is None
    assert [task.title for task in briefing.offered] == [offered.title]
    assert briefing.mine == [] and briefing.may[offered.pk] == {"accept": False, "take": True, "work": False}
    assert AnalysisResult.objects.count() == results  # no analysis asked for as the volunteer
    assert all(change.by == "" for change in briefing.changes)  # nobody's name
    collection = briefing_map(viewer=viewer(council_volunteer))
    kinds = [feature["properties"]["kind"] for feature in collection["features"]]
    assert "issue" not in kinds and "flagged" not in kinds and kinds.count("task") == 1
    assert collection["metadata"]["analysis"] is None


def test_nobody_sees_another_organisation_s_tasks(world, places, police_officer, fire_officer, bid_analyst):
    police = _task(world, "police", title="Police patrol of the car park", assignee=police_officer)
    fire = _task(world, "fire", title="Fire safety visit", assignee=fire_officer)
    assert [task.pk for task in briefing_open(viewer=viewer(police_officer)).mine] == [police.pk]
    assert [task.pk for task in briefing_open(viewer=viewer(fire_officer)).mine] == [fire.pk]
    nothing = briefing_open(viewer=viewer(bid_analyst))
    assert nothing.mine == [] and nothing.offered == [] and nothing.changes == []
    assert briefing_map(viewer=viewer(bid_analyst))["metadata"]["tasks"] == 0


def test_whoever_neither_works_on_tasks_nor_volunteers_is_refused(world, council_auditor):
    with pytest.raises(NotAllowed):
        briefing_open(viewer=viewer(council_auditor))
    with pytest.raises(NotAllowed):
        briefing_map(viewer=viewer(council_auditor))


def test_priorities_are_the_kept_issues_narrowed_to_the_person_s_areas(world, places, police_officer):
    inside_cell = h3.latlng_to_cell(*INSIDE, 9)
    outside_cell = h3.latlng_to_cell(*OUTSIDE, 9)
    _issues(police_officer, [
        _issue("Inside, a hotspot", inside_cell, 90),
        _issue("Outside, a hotspot", outside_cell, 80),
        _issue("Inside, a repeat location", f"location:{INSIDE[0]},{INSIDE[1]}", 70),
        _issue("Outside, a repeat location", f"location:{OUTSIDE[0]},{OUTSIDE[1]}", 60),
        _issue("The ward itself", "ward:E05990001", 50),
        _issue("The neighbouring ward", "ward:E05990002", 40),
        _issue("An unknown ward", "ward:NOWHERE", 30),
        _issue("Not a cell at all", "not-a-cell", 20),
    ])
    everything = briefing_open(viewer=viewer(police_officer))  # no working areas: the whole partnership
    assert everything.priorities.state == "current" and len(everything.priorities.issues) == 8

    WorkingArea.objects.create(user=police_officer, place=places["ward"])
    narrowed = briefing_open(viewer=viewer(police_officer)).priorities
    assert [issue["title"] for issue in narrowed.issues] == [
        "Inside, a hotspot", "Inside, a repeat location", "The ward itself"]
    assert narrowed.in_partnership == 8
    collection = briefing_map(viewer=viewer(police_officer))
    shown = {feature["properties"]["kind"] for feature in collection["features"]}
    assert shown == {"area", "issue", "flagged"} and collection["metadata"]["issues"] == 3

    # A community holds its wards: working in it, the neighbouring ward's rise is in the area too.
    WorkingArea.objects.filter(user=police_officer).update(place=places["community"])
    community = briefing_open(viewer=viewer(police_officer)).priorities
    assert "The neighbouring ward" in [issue["title"] for issue in community.issues]
    assert "Outside, a hotspot" not in [issue["title"] for issue in community.issues]


def test_an_issue_of_a_ward_holding_the_area_is_in_it(world, places):
    lsoa = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01990001", name="Parkside 001A",
                                  parent=places["ward"], boundary=square(-0.96, 52.44, 0.005))
    assert issue_in_areas(_issue("The ward", "ward:E05990001"), [lsoa])
    assert not issue_in_areas(_issue("The other ward", "ward:E05990002"), [lsoa])


def test_priorities_not_worked_out_are_said_to_be_waiting_and_asked_for(world, places, police_officer):
    briefing = briefing_open(viewer=viewer(police_officer))
    assert briefing.priorities.state == "waiting" and briefing.priorities.issues == []
    result = AnalysisResult.objects.get(kind="issues")
    assert result.status == ResultStatus.QUEUED  # the worker is asked, the page works nothing out
    # The map only reads: nothing current, nothing drawn.
    assert briefing_map(viewer=viewer(police_officer))["metadata"]["issues"] == 0


def test_a_result_for_another_reading_rule_is_never_shown(world, places, police_officer, fire_officer):
    _issues(police_officer, [_issue("What the police may read", h3.latlng_to_cell(*INSIDE, 9))])
    assert briefing_open(viewer=viewer(fire_officer)).priorities.state == "waiting"


def test_changes_since_yesterday_are_the_task_events_of_the_last_24_hours(world, places, police_officer):
    old = _task(world, "police", title="Old task", assignee=police_officer)
    new = _task(world, "police", title="New task", assignee=police_officer)
    TaskEvent.objects.filter(record=old).update(at=timezone.now() - timedelta(hours=25))
    changes = briefing_open(viewer=viewer(police_officer)).changes
    assert [(change.task.title, change.what) for change in changes] == [("New task", "New task")]
    assert changes[0].by  # staff see who
    assert new.pk in [task.pk for task in briefing_open(viewer=viewer(police_officer)).mine]


def test_opening_the_briefing_is_audited_with_the_tasks_shown(world, places, police_officer):
    task = _task(world, "police", assignee=police_officer)
    briefing_open(viewer=viewer(police_officer))
    entry = AuditEntry.objects.filter(actor_username="police_officer", object_type="tasking.task").latest("sequence")
    assert entry.action == "view" and str(task.pk) in entry.record_ids


# --- The updates a phone sends ---------------------------------------------------------------

KEY = "7d2c1a6e-2b57-4c1e-9a43-0f2a4b7e9c11"


def test_the_same_key_twice_is_one_change_and_one_event(world, police_officer):
    task = _task(world, "police", assignee=police_officer, questions=["Is anyone sleeping there?"])
    person = viewer(police_officer)
    events = TaskEvent.objects.filter(record=task).count()
    payload = {"outcome": "Nobody there; the council will clear the bedding", "answers": {"Is anyone sleeping there?": "No"}}
    first = client_update_apply(viewer=person, key=KEY, task_id=task.pk, action="complete", payload=payload)
    second = client_update_apply(viewer=person, key=KEY, task_id=task.pk, action="complete", payload=payload)
    assert not first.repeated and second.repeated and first.answer == second.answer
    assert first.answer["task_status"] == "done" and first.answer["status"] == 200
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.answers == {"Is anyone sleeping there?": "No"}
    assert TaskEvent.objects.filter(record=task).count() == events + 1
    assert ClientUpdate.objects.filter(user=police_officer).count() == 1


def test_a_note_sent_twice_is_one_note(world, police_officer):
    task = _task(world, "police", assignee=police_officer)
    for _ in range(2):
        client_update_apply(viewer=viewer(police_officer), key=KEY, task_id=str(task.pk), action="note",
                            payload={"text": "Bedding under the bridge"})
    assert task.notes.count() == 1


def test_keys_are_each_person_s_own(world, police_officer):
    colleague = _persona(world, "police_second", "police", Role.PRACTITIONER)
    task = _task(world, "police")
    for person in (police_officer, colleague):
        client_update_apply(viewer=viewer(person), key=KEY, task_id=task.pk, action="note", payload={"text": "Seen"})
    assert task.notes.count() == 2


def test_a_key_used_for_another_update_is_refused(world, police_officer):
    task = _task(world, "police", assignee=police_officer)
    client_update_apply(viewer=viewer(police_officer), key=KEY, task_id=task.pk, action="note", payload={"text": "One"})
    with pytest.raises(BadUpdate):
        client_update_apply(viewer=viewer(police_officer), key=KEY, task_id=task.pk, action="accept", payload={})
    assert task.notes.count() == 1


def test_another_organisation_s_task_is_not_found_and_unchanged(world, police_officer, council_analyst):
    task = _task(world, "police", assignee=police_officer)
    events = TaskEvent.objects.filter(record=task).count()
    with pytest.raises(NotFound):
        client_update_apply(viewer=viewer(council_analyst), key=KEY, task_id=task.pk, action="complete",
                            payload={"outcome": "Done"})
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and TaskEvent.objects.filter(record=task).count() == events
    assert not ClientUpdate.objects.exists()


def test_a_volunteer_cannot_work_on_a_task_not_offered_to_them(world, places, council_volunteer):
    task = _task(world, "council", title="Not for volunteers", place=places["ward"])
    with pytest.raises(NotFound):
        client_update_apply(viewer=viewer(council_volunteer), key=KEY, task_id=task.pk, action="take", payload={})
    WorkingArea.objects.create(user=council_volunteer, place=places["community"])
    offered = _task(world, "council", for_volunteers=True, place=places["ward"])
    taken = client_update_apply(viewer=viewer(council_volunteer), key=KEY, task_id=offered.pk, action="take", payload={})
    assert taken.answer["task_status"] == "accepted"


@pytest.mark.parametrize(("key", "task_id", "action", "payload"), [
    ("", 1, "note", {"text": "x"}),
    ("a" * 101, 1, "note", {"text": "x"}),
    ("<script>", 1, "note", {"text": "x"}),
    (["a list"], 1, "note", {"text": "x"}),
    (KEY, "1e9999", "note", {"text": "x"}),
    (KEY, None, "note", {"text": "x"}),
    (KEY, True, "note", {"text": "x"}),
    (KEY, 1.5, "note", {"text": "x"}),
    (KEY, "TASK", "note", {"text": "x"}),
    (KEY, "{task}", "delete", {}),
    (KEY, "{task}", "note", ["not", "an", "object"]),
    (KEY, "{task}", "note", {"text": ""}),
    (KEY, "{task}", "note", {"text": 42}),
    (KEY, "{task}", "note", {"text": "x" * 5000}),
    (KEY, "{task}", "complete", {"outcome": "Done", "answers": "yes"}),
    (KEY, "{task}", "complete", {"outcome": "Done", "answers": {"A question it does not ask": "yes"}}),
    (KEY, "{task}", "complete", {"outcome": "Done", "answers": {"q": ["a list"]}}),
    (KEY, "{task}", "answer", {"answers": {}}),
])
def test_hostile_updates_are_refused_and_change_nothing(world, police_officer, key, task_id, action, payload):
    task = _task(world, "police", assignee=police_officer)
    events = TaskEvent.objects.filter(record=task).count()
    task_id = task.pk if task_id == "{task}" else task_id
    with pytest.raises((BadUpdate, ValueError)):
        client_update_apply(viewer=viewer(police_officer), key=key, task_id=task_id, action=action, payload=payload)
    assert TaskEvent.objects.filter(record=task).count() == events and not ClientUpdate.objects.exists()


def test_a_task_number_out_of_range_is_not_found(world, police_officer):
    for number in (0, -1, 2**63, "99999999999999999999999"):
        with pytest.raises(NotFound):
            client_update_apply(viewer=viewer(police_officer), key=KEY, task_id=number, action="accept", payload={})
