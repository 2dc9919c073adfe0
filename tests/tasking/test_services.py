"""Working on tasks: each rule of who may act, and that a refusal changes nothing."""

from datetime import date, timedelta

import pytest

from saferplace.errors import NotAllowed, NotFound
from saferplace.tasking.models import Task, TaskEvent, TaskEventKind, TaskNote, TaskStatus
from saferplace.tasking.selectors import (
    task_choices,
    task_page,
    task_timeline,
    tasks_mine,
    tasks_team_queue,
)
from saferplace.tasking.services import (
    task_accept,
    task_answer,
    task_cancel,
    task_complete,
    task_create,
    task_decline,
    task_note_add,
    task_reassign,
    task_take,
)
from tests.conftest import viewer

pytestmark = pytest.mark.django_db


def _unchanged(task: Task) -> None:
    """The task is as it was made: open, nobody's, with only its creation on its timeline."""
    again = Task.objects.get(pk=task.pk)
    assert (again.status, again.assignee_id, again.outcome, again.answers) == (TaskStatus.OPEN, task.assignee_id, "", {})
    assert list(TaskEvent.objects.filter(record=task).values_list("kind", flat=True)) == [TaskEventKind.CREATED]
    assert not TaskNote.objects.filter(task=task).exists()


def test_the_assignee_accepts_their_task(make_task, council_officer):
    task = make_task(assignee=council_officer)
    task_accept(viewer=viewer(council_officer), task=task)
    task.refresh_from_db()
    assert task.status == TaskStatus.ACCEPTED and task.accepted_at is not None
    event = TaskEvent.objects.filter(record=task).last()
    assert event.kind == TaskEventKind.ACCEPTED and event.actor_name == "council_officer"


def test_a_team_member_accepts_their_team_s_task_and_it_becomes_theirs(make_task, council_officer, council_team):
    task = make_task(team=council_team)
    task_accept(viewer=viewer(council_officer), task=task)
    task.refresh_from_db()
    assert task.assignee == council_officer and task.status == TaskStatus.ACCEPTED


def test_anyone_working_on_tasks_in_the_organisation_takes_one_for_no_team_and_nobody(make_task, council_street_officer):
    task = make_task()
    task_accept(viewer=viewer(council_street_officer), task=task)
    task.refresh_from_db()
    assert task.assignee == council_street_officer


def test_another_team_s_task_or_a_colleague_s_is_not_yours_to_work_on(make_task, council_team, council_officer,
                                                                        council_street_officer):
    team_task = make_task(team=council_team)
    colleague_task = make_task(assignee=council_officer, team=council_team)
    for task in (team_task, colleague_task):
        with pytest.raises(NotAllowed):
            task_accept(viewer=viewer(council_street_officer), task=task)
        with pytest.raises(NotAllowed):
            task_note_add(viewer=viewer(council_street_officer), task=task, text="Mine now")
        _unchanged(task)


def test_a_colleague_s_task_is_accepted_only_by_them(make_task, council_team, council_officer, council_lead):
    task = make_task(assignee=council_officer, team=council_team)
    with pytest.raises(NotAllowed, match="with Council Officer"):
        task_accept(viewer=viewer(council_lead), task=task)
    _unchanged(task)


@pytest.mark.parametrize("persona", ["police_officer", "police_chair", "fire_officer", "bid_analyst"])
def test_another_organisation_finds_no_such_task_whatever_it_tries(request, make_task, council_officer, persona):
    task = make_task(assignee=council_officer, questions=["Is anyone sleeping there?"])
    outsider = viewer(request.getfixturevalue(persona))
    attempts = [
        lambda: task_accept(viewer=outsider, task=task),
        lambda: task_decline(viewer=outsider, task=task, reason="Not ours"),
        lambda: task_reassign(viewer=outsider, task=task, assignee=None),
        lambda: task_note_add(viewer=outsider, task=task, text="Seen"),
        lambda: task_answer(viewer=outsider, task=task, answers={"Is anyone sleeping there?": "No"}),
        lambda: task_complete(viewer=outsider, task=task, outcome="Done", answers={"Is anyone sleeping there?": "No"}),
        lambda: task_cancel(viewer=outsider, task=task, reason="No"),
        lambda: task_page(viewer=outsider, task_id=task.pk),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    _unchanged(task)


def test_a_role_without_a_task_capability_is_refused(make_task, council_auditor):
    task = make_task()
    with pytest.raises(NotAllowed):
        task_accept(viewer=viewer(council_auditor), task=task)
    with pytest.raises(NotAllowed):
        task_page(viewer=viewer(council_auditor), task_id=task.pk)
    _unchanged(task)


def test_declining_needs_a_reason_and_puts_the_task_back_in_the_queue(make_task, council_team, council_officer,
                                                                      council_lead):
    task = make_task(assignee=council_officer, team=council_team)
    task_accept(viewer=viewer(council_officer), task=task)
    with pytest.raises(ValueError, match="why"):
        task_decline(viewer=viewer(council_officer), task=task, reason="   ")
    task_decline(viewer=viewer(council_officer), task=task, reason="On leave all week")
    task.refresh_from_db()
    assert (task.status, task.assignee, task.accepted_at) == (TaskStatus.DECLINED, None, None)
    event = TaskEvent.objects.filter(record=task).last()
    assert event.kind == TaskEventKind.DECLINED and event.note == "On leave all week"
    assert task in tasks_team_queue(viewer=viewer(council_lead))
    assert task not in tasks_mine(viewer=viewer(council_officer))


def test_whoever_assigns_reassigns_within_the_organisation_only(make_task, council_analyst, council_officer,
                                                                council_street_officer, police_officer):
    task = make_task(assignee=council_officer)
    task_reassign(viewer=viewer(council_analyst), task=task, assignee=council_street_officer, note="Street scene's patch")
    task.refresh_from_db()
    assert task.assignee == council_street_officer and task.team == council_street_officer.team
    assert task.status == TaskStatus.OPEN
    assert TaskEvent.objects.filter(record=task).last().kind == TaskEventKind.REASSIGNED
    with pytest.raises(NotAllowed, match="does not work for"):
        task_reassign(viewer=viewer(council_analyst), task=task, assignee=police_officer)
    task.refresh_from_db()
    assert task.assignee == council_street_officer


def test_a_practitioner_who_does_not_lead_the_team_cannot_reassign(make_task, council_team, council_officer,
                                                                   council_street_officer):
    task = make_task(team=council_team, assignee=council_officer)
    with pytest.raises(NotAllowed):
        task_reassign(viewer=viewer(council_officer), task=task, assignee=None)
    _unchanged(task)


def test_the_team_lead_reassigns_within_the_team_but_not_beyond(make_task, council_team, council_officer, council_lead,
                                                               council_street_officer):
    task = make_task(team=council_team)
    task_reassign(viewer=viewer(council_lead), task=task, assignee=council_officer)
    task.refresh_from_db()
    assert task.assignee == council_officer and task.team == council_team
    with pytest.raises(NotAllowed, match="within their team"):
        task_reassign(viewer=viewer(council_lead), task=task, assignee=council_street_officer)
    task.refresh_from_db()
    assert task.assignee == council_officer


def test_a_volunteer_cannot_be_given_a_staff_task(make_task, council_analyst, council_volunteer):
    task = make_task()
    with pytest.raises(ValueError, match="cannot work on tasks"):
        task_reassign(viewer=viewer(council_analyst), task=task, assignee=council_volunteer)


def test_notes_are_kept_with_an_event(make_task, council_officer):
    task = make_task(assignee=council_officer)
    with pytest.raises(ValueError, match="Write the note"):
        task_note_add(viewer=viewer(council_officer), task=task, text="")
    note = task_note_add(viewer=viewer(council_officer), task=task, text="Bedding under the bridge, nobody there")
    assert note.author == council_officer and note.task == task
    assert TaskEvent.objects.filter(record=task, kind=TaskEventKind.NOTE).get().note == note.text


def test_answers_only_to_the_task_s_questions(make_task, council_officer):
    task = make_task(assignee=council_officer, questions=["Is anyone sleeping there?", "How many tents?"])
    with pytest.raises(ValueError, match="does not ask"):
        task_answer(viewer=viewer(council_officer), task=task, answers={"What is their name?": "Someone"})
    task.refresh_from_db()
    assert task.answers == {}
    task_answer(viewer=viewer(council_officer), task=task, answers={"How many tents?": "2"})
    task.refresh_from_db()
    assert task.answers == {"How many tents?": "2"}
    assert TaskEvent.objects.filter(record=task, kind=TaskEventKind.ANSWERED).exists()


def test_completing_needs_an_outcome_and_every_answer(make_task, council_officer):
    task = make_task(assignee=council_officer, questions=["Is anyone sleeping there?", "How many tents?"])
    with pytest.raises(ValueError, match="outcome"):
        task_complete(viewer=viewer(council_officer), task=task, outcome=" ")
    with pytest.raises(ValueError, match="'Is anyone sleeping there\\?' has no answer"):
        task_complete(viewer=viewer(council_officer), task=task, outcome="Visited", answers={"How many tents?": "2"})
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.answers == {}
    task_complete(viewer=viewer(council_officer), task=task, outcome="Visited; outreach told",
                  answers={"How many tents?": "2", "Is anyone sleeping there?": "Yes"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.finished_at is not None and task.outcome == "Visited; outreach told"
    with pytest.raises(ValueError, match="done"):
        task_note_add(viewer=viewer(council_officer), task=task, text="One more thing")


def test_cancelling_is_for_whoever_assigns_or_set_the_task(make_task, council_officer, council_analyst, police_chair):
    task = make_task(assignee=council_officer)
    with pytest.raises(NotAllowed):
        task_cancel(viewer=viewer(council_officer), task=task, reason="No longer needed")
    with pytest.raises(ValueError, match="why"):
        task_cancel(viewer=viewer(council_analyst), task=task, reason="")
    _unchanged(task)
    task_cancel(viewer=viewer(council_analyst), task=task, reason="The site is cleared")
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED
    set_by_chair = make_task(by=viewer(police_chair), title="Confirm what the graffiti shows")
    task_cancel(viewer=viewer(police_chair), task=set_by_chair, reason="Painted over")
    set_by_chair.refresh_from_db()
    assert set_by_chair.status == TaskStatus.CANCELLED


def test_who_set_a_task_for_another_organisation_follows_it_without_its_notes(make_task, police_chair, council_officer):
    task = make_task(by=viewer(police_chair), assignee=council_officer, title="Confirm what the graffiti shows")
    task_note_add(viewer=viewer(council_officer), task=task, text="Internal: ask Sam in street scene")
    page = task_page(viewer=viewer(police_chair), task_id=task.pk)
    assert page.is_outsider and page.notes == [] and not page.may_work and not page.may_assign
    shown = " ".join(f"{event.actor_name} {event.note} {event.changes}" for event in page.timeline)
    assert "Internal" not in shown and "council_officer" not in shown
    with pytest.raises(NotAllowed):
        task_note_add(viewer=viewer(police_chair), task=task, text="Hurry")


# Volunteers


def test_a_volunteer_takes_a_task_on_offer_in_a_place_inside_their_area(make_task, volunteer, area):
    task = make_task(for_volunteers=True, place=area["ward"], title="Confirm what the graffiti shows")
    task_take(viewer=viewer(volunteer), task=task)
    task.refresh_from_db()
    assert (task.assignee, task.status) == (volunteer, TaskStatus.ACCEPTED)
    assert tasks_mine(viewer=viewer(volunteer)) == [task]


def test_a_volunteer_cannot_take_what_was_not_offered_to_them(make_task, volunteer, area, council_officer):
    elsewhere = make_task(for_volunteers=True, place=area["elsewhere"])
    staff_only = make_task(place=area["community"])
    someone_s = make_task(assignee=council_officer, place=area["community"])
    for task in (elsewhere, staff_only, someone_s):
        with pytest.raises(NotFound):
            task_take(viewer=viewer(volunteer), task=task)
        with pytest.raises(NotFound):
            task_page(viewer=viewer(volunteer), task_id=task.pk)
        _unchanged(task)


def test_a_taken_task_is_gone_from_the_other_volunteers(make_task, volunteer, other_volunteer, area):
    task = make_task(for_volunteers=True, place=area["community"])
    task_take(viewer=viewer(volunteer), task=task)
    with pytest.raises(NotFound):
        task_take(viewer=viewer(other_volunteer), task=task)
    with pytest.raises(NotFound):
        task_note_add(viewer=viewer(other_volunteer), task=task, text="I went too")
    task.refresh_from_db()
    assert task.assignee == volunteer


def test_a_volunteer_works_only_on_a_task_they_took(make_task, volunteer, area):
    task = make_task(for_volunteers=True, place=area["community"], questions=["What does the graffiti show?"])
    with pytest.raises(NotAllowed):
        task_answer(viewer=viewer(volunteer), task=task, answers={"What does the graffiti show?": "A tag"})
    with pytest.raises(NotAllowed):
        task_accept(viewer=viewer(volunteer), task=task)
    with pytest.raises(NotAllowed):
        task_reassign(viewer=viewer(volunteer), task=task, assignee=volunteer)
    _unchanged(task)
    task_take(viewer=viewer(volunteer), task=task)
    task_complete(viewer=viewer(volunteer), task=task, outcome="Photographed",
                  answers={"What does the graffiti show?": "A tag, nothing racial"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_a_volunteer_never_reads_another_volunteer_s_notes_answers_or_events(make_task, volunteer, other_volunteer,
                                                                             area, council_officer):
    task = make_task(for_volunteers=True, place=area["community"], questions=["What does the graffiti show?"])
    task_take(viewer=viewer(other_volunteer), task=task)
    task_note_add(viewer=viewer(other_volunteer), task=task, text="SECRET-NOTE of the first volunteer")
    task_answer(viewer=viewer(other_volunteer), task=task, answers={"What does the graffiti show?": "SECRET-ANSWER"})
    task_decline(viewer=viewer(other_volunteer), task=task, reason="SECRET-REASON: could not find it")
    offered = task_page(viewer=viewer(volunteer), task_id=task.pk)
    assert offered.may_take and offered.notes == [] and offered.answers == {} and offered.timeline == []
    task_take(viewer=viewer(volunteer), task=task)
    page = task_page(viewer=viewer(volunteer), task_id=task.pk)
    shown = repr([(event.actor_name, event.note, event.changes) for event in page.timeline])
    shown += repr(page.answers) + repr([note.text for note in page.notes])
    assert "SECRET" not in shown and "second_volunteer" not in shown
    assert {event.kind for event in page.timeline} == {TaskEventKind.CREATED, TaskEventKind.ACCEPTED}
    # The council sees the whole history.
    council = task_timeline(viewer=viewer(council_officer), task=task)
    assert "SECRET-NOTE of the first volunteer" in [event.note for event in council]


def test_tasks_due_date_and_priority_are_kept(make_task, council_officer):
    task = make_task(assignee=council_officer, due_date=date.today() + timedelta(days=2), priority="high")
    assert Task.objects.get(pk=task.pk).priority == "high"


def test_a_task_for_volunteers_needs_its_place(make_task):
    with pytest.raises(ValueError, match="needs its place"):
        make_task(for_volunteers=True)


# Who may task whom


def test_an_organisation_tasks_only_agencies_it_has_an_agreement_with(world, bid_analyst, council_analyst,
                                                                       police_officer):
    police = world["organisations"]["police"]
    with pytest.raises(NotAllowed, match="no sharing agreement"):  # the BID has none
        task_create(viewer=viewer(bid_analyst), organisation=police, title="Patrol the precinct")
    assert task_create(viewer=viewer(bid_analyst), organisation=world["organisations"]["bid"], title="Our own")
    made = task_create(viewer=viewer(council_analyst), organisation=police, title="Patrol the precinct")  # ISA-CSP
    with pytest.raises(NotAllowed, match="decides who does its tasks"):
        task_create(viewer=viewer(council_analyst), organisation=police, title="Patrol", assignee=police_officer)
    assert Task.objects.filter(organisation=police).count() == 1 and made.assignee is None


def test_a_task_goes_only_to_someone_who_can_work_on_it(world, council_analyst, council_volunteer, council_auditor,
                                                        council_officer, area):
    council = world["organisations"]["council"]
    for person in (council_volunteer, council_auditor):  # not a task for volunteers; a role that does no tasks
        with pytest.raises(NotAllowed, match="cannot work on this task"):
            task_create(viewer=viewer(council_analyst), organisation=council, title="Visit", assignee=person)
    assert task_create(viewer=viewer(council_analyst), organisation=council, title="Visit", assignee=council_officer)
    assert task_create(viewer=viewer(council_analyst), organisation=council, title="Look", assignee=council_volunteer,
                       for_volunteers=True, place=area["ward"])


def test_the_new_task_form_lists_only_the_assigners_own_people(world, council_analyst, police_officer, council_officer):
    people = task_choices(viewer=viewer(council_analyst)).people
    assert council_officer in people and police_officer not in people
