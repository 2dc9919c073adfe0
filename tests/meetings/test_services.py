"""Changing meetings: the chair's agenda (reorder, drop with a reason, merge, add), running the
meeting (open, move on, close), taking part (join, raise a hand, add what an agency knows),
engaging agencies and revealing identifiable details (audited, refused and audited), and
decisions (states by their transitions as data, the lead a member, actions made tasks).
Each change writes its record's event, and each followers must see moves the meeting's
version on."""

from datetime import timedelta

import pytest

from saferplace.audit.models import AuditAction, AuditEntry
from saferplace.audit.selectors import AuditSearch, audit_entry_search
from saferplace.errors import NotAllowed, NotFound
from saferplace.meetings.models import (
    AgendaEntry,
    Attendance,
    Decision,
    IdentifiableDetail,
    Item,
    ItemEvent,
    ItemKind,
    ItemNote,
    ItemReveal,
    ItemState,
    ItemTransition,
    Meeting,
    MeetingEvent,
    MeetingStatus,
)
from saferplace.meetings.selectors import ITEM_SOURCE, agenda, details_revealed
from saferplace.meetings.services import (
    Action,
    agenda_add,
    agenda_drop,
    agenda_reorder,
    concern_raise,
    hand_raise,
    item_decide,
    item_engage,
    item_note_add,
    item_reveal,
    items_merge,
    meeting_close,
    meeting_join,
    meeting_move_to,
    meeting_open,
)
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from saferplace.tasking.models import Task
from tests.conftest import OPERATOR, square, viewer
from tests.meetings.conftest import MONDAY

DETAILS = "Jordan Testperson (born 1 April 2001), 14 Example Row"  # synthetic


def version(meeting) -> int:
    return Meeting.objects.get(pk=meeting.pk).version


def item_kinds(item) -> list[str]:
    return list(ItemEvent.objects.filter(record=item).order_by("id").values_list("kind", flat=True))


@pytest.fixture
def three(meeting, chair):
    """Three items the chair added, in order."""
    return [agenda_add(viewer=chair, meeting=meeting, title=title, where="Mill Lane")
            for title in ("Graffiti on the bus shelter", "Motorbikes on the playing field", "Bins set alight")]


@pytest.fixture
def concern(series, police_officer, world):
    """A concern the police put forward, with identifiable details of anti-social behaviour."""
    return concern_raise(viewer=viewer(police_officer), series=series, title="Threats to neighbours on Mill Lane",
                         summary="A resident is being threatened by a neighbour", where="Mill Lane",
                         details=DETAILS, data_category=world["categories"]["asb"])


@pytest.fixture
def on_agenda(meeting, concern):
    """The concern on the meeting's agenda."""
    return AgendaEntry.objects.create(meeting=meeting, item=concern, position=1, why="Put forward by Fenshire Police")


# --- the chair's agenda --------------------------------------------------------------------------


def test_the_chair_adds_items_at_the_end(meeting, three):
    assert [entry.position for entry in three] == [1, 2, 3]
    item = three[0].item
    assert item.kind == ItemKind.ADDED and item.state_id == "new" and item.raised_by.name == "Fenshire Police"
    assert item_kinds(item) == ["created", "on_agenda"]
    assert version(meeting) == 3


def test_the_chair_reorders_and_entries_not_named_keep_their_order_after(meeting, three, chair):
    before = version(meeting)
    agenda_reorder(viewer=chair, meeting=meeting, entry_ids=[three[2].pk, 99999])
    assert [shown.entry.pk for shown in agenda(viewer=chair, meeting=meeting)] == [three[2].pk, three[0].pk, three[1].pk]
    assert MeetingEvent.objects.filter(record=meeting, kind="reordered").count() == 1
    assert version(meeting) == before + 1


def test_an_item_is_dropped_only_with_a_reason(meeting, three, chair):
    with pytest.raises(ValueError, match="why the item is dropped"):
        agenda_drop(viewer=chair, meeting=meeting, entry=three[1], reason="   ")
    assert AgendaEntry.objects.get(pk=three[1].pk).dropped_reason == ""
    agenda_drop(viewer=chair, meeting=meeting, entry=three[1], reason="The council cleared it yesterday")
    assert [shown.entry.pk for shown in agenda(viewer=chair, meeting=meeting)] == [three[0].pk, three[2].pk]
    assert three[1].pk in [shown.entry.pk for shown in agenda(viewer=chair, meeting=meeting, dropped=True)]
    assert item_kinds(three[1].item)[-1] == "dropped"
    assert AuditEntry.objects.filter(action=AuditAction.CHANGE, object_type="meetings.item",
                                     object_id=str(three[1].item_id),
                                     reason="The council cleared it yesterday").exists()


def test_merging_moves_notes_and_details_and_closes_the_merged_item(meeting, three, chair, concern, on_agenda,
                                                                   council_analyst):
    item_note_add(viewer=viewer(council_analyst), meeting=meeting, item=concern, text="Two calls last week")
    target = three[0]
    with pytest.raises(ValueError, match="into itself"):
        items_merge(viewer=chair, meeting=meeting, entry=target, into=target)
    items_merge(viewer=chair, meeting=meeting, entry=on_agenda, into=target)
    merged = Item.objects.get(pk=concern.pk)
    assert merged.merged_into_id == target.item_id and merged.state.is_closed
    assert list(ItemNote.objects.filter(item=target.item).values_list("text", flat=True)) == ["Two calls last week"]
    assert list(IdentifiableDetail.objects.filter(item=target.item).values_list("text", flat=True)) == [DETAILS]
    assert not ItemNote.objects.filter(item=merged).exists() and not IdentifiableDetail.objects.filter(item=merged).exists()
    assert not target.item.engaged.exists()  # engagements are not carried over: the chair engages afresh
    assert item_kinds(merged)[-1] == "merged" and item_kinds(target.item)[-1] == "merged"
    assert on_agenda.pk not in [shown.entry.pk for shown in agenda(viewer=chair, meeting=meeting)]


def test_only_the_chair_changes_the_agenda(meeting, three, police_officer, council_chair, council_analyst):
    for person in (police_officer, council_chair, council_analyst):
        with pytest.raises((NotAllowed, NotFound)):
            agenda_reorder(viewer=viewer(person), meeting=meeting, entry_ids=[three[2].pk])
        with pytest.raises((NotAllowed, NotFound)):
            agenda_drop(viewer=viewer(person), meeting=meeting, entry=three[0], reason="Not ours")
        with pytest.raises((NotAllowed, NotFound)):
            agenda_add(viewer=viewer(person), meeting=meeting, title="Ours instead")
    assert list(AgendaEntry.objects.filter(meeting=meeting).values_list("position", "dropped_reason")) == [
        (1, ""), (2, ""), (3, "")]
    assert Item.objects.count() == 3


# --- running the meeting -------------------------------------------------------------------------------


def test_open_move_on_and_close(meeting, three, chair, police_chair):
    with pytest.raises(NotAllowed):
        meeting_move_to(viewer=chair, meeting=meeting, entry=three[1])
    with pytest.raises(NotAllowed):
        meeting_close(viewer=chair, meeting=meeting)
    agenda_drop(viewer=chair, meeting=meeting, entry=three[0], reason="Dealt with")
    before = version(meeting)
    opened = meeting_open(viewer=chair, meeting=meeting)
    assert opened.status == MeetingStatus.LIVE and opened.opened_at and opened.current_entry_id == three[1].pk
    assert Attendance.objects.get(meeting=meeting, user=police_chair).mode == "present"
    assert version(meeting) > before
    with pytest.raises(NotAllowed):
        meeting_open(viewer=chair, meeting=meeting)
    before = version(meeting)
    meeting_move_to(viewer=chair, meeting=meeting, entry=three[2])
    assert version(meeting) == before + 1
    assert Meeting.objects.get(pk=meeting.pk).current_entry_id == three[2].pk
    assert AgendaEntry.objects.get(pk=three[1].pk).discussed
    closed = meeting_close(viewer=chair, meeting=meeting)
    assert closed.status == MeetingStatus.CLOSED and closed.current_entry is None and closed.closed_at
    assert list(AgendaEntry.objects.filter(meeting=meeting).order_by("position").values_list("discussed", flat=True)) == [
        False, True, True]
    assert [kind for kind in MeetingEvent.objects.filter(record=meeting).order_by("id").values_list("kind", flat=True)
            if kind != "joined"] == ["opened", "moved_on", "closed"]
    with pytest.raises(NotAllowed, match="closed"):
        agenda_add(viewer=chair, meeting=meeting, title="Too late")


def test_only_the_chair_runs_it(meeting, three, police_officer, council_chair):
    for person in (police_officer, council_chair):
        with pytest.raises((NotAllowed, NotFound)):
            meeting_open(viewer=viewer(person), meeting=meeting)
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


# --- taking part ---------------------------------------------------------------------------------------


def test_members_join_in_each_mode_and_others_are_refused(meeting, chair, council_analyst, fire_officer,
                                                          council_volunteer, bid_analyst, health_analyst):
    before = version(meeting)
    joined = meeting_join(viewer=viewer(council_analyst), meeting=meeting)
    assert (joined.mode, joined.organisation.name) == ("remote", "Riverford City Council")
    assert version(meeting) == before + 1
    meeting_join(viewer=viewer(council_analyst), meeting=meeting, mode="present")
    assert Attendance.objects.get(meeting=meeting, user=council_analyst).mode == "present"
    assert meeting_join(viewer=viewer(fire_officer), meeting=meeting, mode="apologies").mode == "apologies"
    with pytest.raises(ValueError, match="Attendance must be one of"):
        meeting_join(viewer=viewer(fire_officer), meeting=meeting, mode="asleep")
    with pytest.raises(NotFound):  # a volunteer does not take part in meetings
        meeting_join(viewer=viewer(council_volunteer), meeting=meeting)
    for outsider in (bid_analyst, health_analyst):  # not members: told there is no such meeting
        with pytest.raises(NotFound):
            meeting_join(viewer=viewer(outsider), meeting=meeting)
    assert set(Attendance.objects.filter(meeting=meeting).values_list("user__username", flat=True)) == {
        "council_analyst", "fire_officer"}
    assert MeetingEvent.objects.filter(record=meeting, kind="joined").count() == 3


def test_a_hand_is_raised_by_someone_who_joined_a_live_meeting(meeting, three, chair, council_analyst, fire_officer):
    analyst = viewer(council_analyst)
    meeting_join(viewer=analyst, meeting=meeting)
    with pytest.raises(NotAllowed, match="in progress"):
        hand_raise(viewer=analyst, meeting=meeting)
    meeting_open(viewer=chair, meeting=meeting)
    with pytest.raises(NotAllowed, match="Join the meeting first"):
        hand_raise(viewer=viewer(fire_officer), meeting=meeting)
    before = version(meeting)
    hand_raise(viewer=analyst, meeting=meeting)
    assert Attendance.objects.get(user=council_analyst).hand_raised_at is not None
    assert version(meeting) == before + 1
    hand_raise(viewer=analyst, meeting=meeting, raised=False)
    assert Attendance.objects.get(user=council_analyst).hand_raised_at is None


def test_an_agency_adds_what_it_knows(meeting, three, fire_officer, bid_analyst, council_volunteer):
    item = three[0].item
    before = version(meeting)
    note = item_note_add(viewer=viewer(fire_officer), meeting=meeting, item=item, text="  Two bin fires there in May ")
    assert (note.text, note.organisation.name, note.author_id) == (
        "Two bin fires there in May", "Fenshire Fire and Rescue Service", fire_officer.pk)
    assert item_kinds(item)[-1] == "note" and version(meeting) == before + 1
    with pytest.raises(ValueError):
        item_note_add(viewer=viewer(fire_officer), meeting=meeting, item=item, text=" ")
    for outsider in (bid_analyst, council_volunteer):
        with pytest.raises(NotFound):
            item_note_add(viewer=viewer(outsider), meeting=meeting, item=item, text="We know things too")
    assert ItemNote.objects.count() == 1


# --- engagement and reveals ----------------------------------------------------------------------------


def test_only_member_organisations_are_engaged_and_only_by_the_chair(meeting, on_agenda, concern, chair, world,
                                                                    police_officer):
    before = version(meeting)
    item_engage(viewer=chair, meeting=meeting, item=concern, organisation=world["organisations"]["council"])
    assert version(meeting) == before + 1 and item_kinds(concern)[-1] == "engaged"
    with pytest.raises(NotAllowed, match="not a member"):
        item_engage(viewer=chair, meeting=meeting, item=concern, organisation=world["organisations"]["health"])
    with pytest.raises(NotAllowed):
        item_engage(viewer=viewer(police_officer), meeting=meeting, item=concern,
                    organisation=world["organisations"]["fire"])
    assert set(concern.engaged.values_list("name", flat=True)) == {"Fenshire Police", "Riverford City Council"}
    item_engage(viewer=chair, meeting=meeting, item=concern, organisation=world["organisations"]["council"],
                engaged=False)
    assert set(concern.engaged.values_list("name", flat=True)) == {"Fenshire Police"}


def test_an_engaged_agency_with_an_agreement_sees_the_details_and_the_reveal_is_audited(
        meeting, on_agenda, concern, chair, world, council_analyst, council_auditor):
    """The council is party to the police's agreement on anti-social behaviour: engaged, its
    analyst sees the police's details after giving a reason; the reveal is in the audit trail,
    naming the details shown."""
    analyst = viewer(council_analyst)
    assert details_revealed(viewer=analyst, item=concern) == []
    item_engage(viewer=chair, meeting=meeting, item=concern, organisation=world["organisations"]["council"])
    shown = item_reveal(viewer=analyst, item=concern, reason="To check against our ASB case list")
    detail = IdentifiableDetail.objects.get(item=concern)
    assert [one.text for one in shown] == [DETAILS] and details_revealed(viewer=analyst, item=concern) == [detail]
    assert ItemReveal.objects.get(item=concern).reason == "To check against our ASB case list"
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert (entry.actor_username, entry.object_type, entry.record_ids, entry.reason) == (
        "council_analyst", "meetings.identifiabledetail", f",{detail.pk},", "To check against our ASB case list")
    assert entry.details["item"] == concern.pk
    assert item_kinds(concern)[-1] == "revealed"
    # The auditor asking who saw this detail finds the reveal, and asking about another
    # detail (numbered as the item is) does not.
    auditor = viewer(council_auditor)
    found = audit_entry_search(viewer=auditor, search=AuditSearch(record_type="meetings.identifiabledetail",
                                                                  record_id=detail.pk))
    assert entry in found
    other = detail.pk + 1000 if concern.pk == detail.pk else concern.pk
    assert entry not in audit_entry_search(viewer=auditor, search=AuditSearch(
        record_type="meetings.identifiabledetail", record_id=other))


def test_an_agency_not_engaged_is_refused_and_the_refusal_audited(meeting, on_agenda, concern, council_analyst):
    with pytest.raises(NotAllowed, match="not been engaged"):
        item_reveal(viewer=viewer(council_analyst), item=concern, reason="Curious")
    refused = AuditEntry.objects.get(action=AuditAction.REFUSED)
    assert (refused.actor_username, refused.object_type, refused.object_id, refused.reason) == (
        "council_analyst", "meetings.item", str(concern.pk), "Curious")
    assert not ItemReveal.objects.exists() and not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()
    assert details_revealed(viewer=viewer(council_analyst), item=concern) == []


def test_an_engaged_agency_without_an_agreement_for_the_category_sees_nothing(meeting, on_agenda, concern, chair,
                                                                              world, fire_officer):
    """The fire service shares only fire records with the council, nothing with the police: engaged,
    it may ask, and is shown none of the police's anti-social behaviour details."""
    item_engage(viewer=chair, meeting=meeting, item=concern, organisation=world["organisations"]["fire"])
    with pytest.raises(NotAllowed, match="sharing agreements"):
        item_reveal(viewer=viewer(fire_officer), item=concern, reason="We visit the street")
    assert details_revealed(viewer=viewer(fire_officer), item=concern) == []
    assert not ItemReveal.objects.exists() and not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()
    assert AuditEntry.objects.filter(action=AuditAction.REFUSED, actor_username=fire_officer.username).exists()


def test_volunteers_and_outsiders_never_see_details(meeting, on_agenda, concern, chair, world, council_volunteer,
                                                    bid_analyst):
    item_engage(viewer=chair, meeting=meeting, item=concern, organisation=world["organisations"]["council"])
    for outsider in (council_volunteer, bid_analyst):
        with pytest.raises(NotFound):
            item_reveal(viewer=viewer(outsider), item=concern, reason="Please")
        assert details_revealed(viewer=viewer(outsider), item=concern) == []
    assert not ItemReveal.objects.exists()


def test_a_reveal_needs_a_reason(meeting, on_agenda, concern, police_officer):
    with pytest.raises(ValueError, match="why you need the details"):
        item_reveal(viewer=viewer(police_officer), item=concern, reason=" ")
    assert not ItemReveal.objects.exists()


# --- decisions -------------------------------------------------------------------------------------------


@pytest.fixture
def ward(world):
    return place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05900001", name="Millbrook",
                                  population=4500, boundary=square(-0.96, 52.44))


def test_a_decision_moves_the_state_makes_the_actions_tasks_and_writes_events(meeting, on_agenda, concern, chair,
                                                                              police_chair, world, voluntary, ward):
    organisations = world["organisations"]
    before = version(meeting)
    decision = item_decide(
        viewer=chair, meeting=meeting, item=concern, decision="Council ASB team to lead; police to patrol",
        state="in_hand", lead=organisations["council"], supporting=[organisations["police"]],
        review_date=MONDAY + timedelta(days=7), threshold_met=True,
        actions=[Action(title="Visit the street", organisation=organisations["council"], due_date=MONDAY + timedelta(days=2)),
                 Action(title="Check the garages for rough sleepers", organisation=voluntary, for_volunteers=True,
                        questions=("Is anyone sleeping there?",), place=ward)])
    assert version(meeting) == before + 1
    item = Item.objects.get(pk=concern.pk)
    assert (item.state_id, item.lead.name, item.review_date, item.threshold_met) == (
        "in_hand", "Riverford City Council", MONDAY + timedelta(days=7), True)
    assert list(item.supporting.values_list("name", flat=True)) == ["Fenshire Police"]
    assert (decision.text, decision.made_by_id, decision.threshold_met) == (
        "Council ASB team to lead; police to patrol", police_chair.pk, True)
    tasks = Task.objects.filter(source_kind=ITEM_SOURCE, source_id=item.pk).order_by("id")
    assert [(task.title, task.organisation.name, task.created_by_id, task.for_volunteers) for task in tasks] == [
        ("Visit the street", "Riverford City Council", police_chair.pk, False),
        ("Check the garages for rough sleepers", "Riverford Council for Voluntary Service", police_chair.pk, True)]
    assert tasks[1].questions == ["Is anyone sleeping there?"] and tasks[1].place == ward
    assert tasks[0].where == "Mill Lane" and "Threats to neighbours" in tasks[0].source_label
    assert item_kinds(item)[-3:] == ["decided", "action", "action"]
    decided = ItemEvent.objects.get(record=item, kind="decided")
    assert decided.changes["state"] == ["New", "In hand"]


def test_states_move_only_by_their_transitions_which_are_data(meeting, on_agenda, concern, chair):
    item_decide(viewer=chair, meeting=meeting, item=concern, decision="Resolved", state="closed")
    with pytest.raises(ValueError, match="cannot become monitoring"):
        item_decide(viewer=chair, meeting=meeting, item=concern, decision="Keep an eye", state="monitoring")
    with pytest.raises(ValueError, match="Choose a state"):
        item_decide(viewer=chair, meeting=meeting, item=concern, decision="Keep an eye", state="forgotten")
    assert Item.objects.get(pk=concern.pk).state_id == "closed" and Decision.objects.count() == 1
    ItemTransition.objects.create(from_state=ItemState.objects.get(code="closed"),
                                  to_state=ItemState.objects.get(code="monitoring"))
    item_decide(viewer=chair, meeting=meeting, item=concern, decision="Keep an eye", state="monitoring")
    assert Item.objects.get(pk=concern.pk).state_id == "monitoring" and Decision.objects.count() == 2


def test_the_lead_and_supporting_agencies_must_be_members(meeting, on_agenda, concern, chair, world):
    for lead, supporting in ((world["organisations"]["health"], []), (None, [world["organisations"]["bid"]])):
        with pytest.raises(NotAllowed, match="not a member"):
            item_decide(viewer=chair, meeting=meeting, item=concern, decision="Health to lead", state="in_hand",
                        lead=lead, supporting=supporting)
    assert Item.objects.get(pk=concern.pk).state_id == "new" and not Decision.objects.exists()


def test_only_the_chair_decides_and_only_on_this_agenda(meeting, on_agenda, concern, chair, police_officer,
                                                        council_chair, series, world):
    for person in (police_officer, council_chair):
        with pytest.raises((NotAllowed, NotFound)):
            item_decide(viewer=viewer(person), meeting=meeting, item=concern, decision="Ours", state="closed",
                        actions=[Action(title="Do it", organisation=world["organisations"]["council"])])
    elsewhere = concern_raise(viewer=viewer(police_officer), series=series, title="Not on Monday's agenda")
    with pytest.raises(NotAllowed, match="not on this meeting's agenda"):
        item_decide(viewer=chair, meeting=meeting, item=elsewhere, decision="Close it", state="closed")
    assert not Decision.objects.exists() and not Task.objects.exists()


def test_a_volunteer_action_needs_a_place_the_item_or_series_gives_when_the_action_does_not(
        meeting, on_agenda, concern, chair, series, voluntary, ward):
    offered = Action(title="Collect the fly-tip", organisation=voluntary, for_volunteers=True)
    with pytest.raises(ValueError, match="needs its place"):
        item_decide(viewer=chair, meeting=meeting, item=concern, decision="Volunteers", state="in_hand",
                    actions=[offered])
    series.place = ward
    series.save()
    item_decide(viewer=chair, meeting=meeting, item=concern, decision="Volunteers", state="in_hand",
                actions=[offered])
    assert Task.objects.get(for_volunteers=True).place == ward


# --- one meeting's items only ------------------------------------------------------------------------


@pytest.fixture
def council_meeting(council_chair, world, police_chair):
    """A series the council chairs, the police a member: its chair may see the police series' items
    (the council is a member there too) but chairs only her own."""
    from saferplace.meetings.agenda import meeting_for
    from saferplace.meetings.services import series_create

    council_series = series_create(viewer=viewer(council_chair), name="Council tactical", chair=council_chair,
                                   member_organisations=[world["organisations"]["police"]])
    return meeting_for(council_series, MONDAY)


def test_a_chair_cannot_act_on_another_series_items_through_her_own_meeting(
        meeting, on_agenda, concern, three, council_meeting, council_chair, council_analyst, world):
    """Engaging her own agency on the police series' item through her own meeting would let the
    council reveal the police's details: refused, as are dropping, merging and moving to another
    meeting's entries, and a note filed under a meeting the item is not of."""
    chair = viewer(council_chair)
    with pytest.raises(NotFound):
        item_engage(viewer=chair, meeting=council_meeting, item=concern, organisation=world["organisations"]["council"])
    assert set(concern.engaged.values_list("name", flat=True)) == {"Fenshire Police"}
    with pytest.raises(NotAllowed):
        item_reveal(viewer=viewer(council_analyst), item=concern, reason="Our own meeting engaged us")
    own = agenda_add(viewer=chair, meeting=council_meeting, title="Shop thefts on the high street")
    with pytest.raises(NotFound):
        agenda_drop(viewer=chair, meeting=council_meeting, entry=on_agenda, reason="Not wanted")
    with pytest.raises(NotFound):
        items_merge(viewer=chair, meeting=council_meeting, entry=on_agenda, into=own)
    with pytest.raises(NotFound):
        items_merge(viewer=chair, meeting=council_meeting, entry=own, into=on_agenda)
    meeting_open(viewer=chair, meeting=council_meeting)
    with pytest.raises(NotFound):
        meeting_move_to(viewer=chair, meeting=council_meeting, entry=on_agenda)
    with pytest.raises(NotFound):
        item_note_add(viewer=viewer(council_analyst), meeting=council_meeting, item=concern, text="Filed elsewhere")
    assert AgendaEntry.objects.get(pk=on_agenda.pk).dropped_reason == ""
    assert Item.objects.get(pk=concern.pk).merged_into is None and not ItemNote.objects.exists()
    assert Meeting.objects.get(pk=council_meeting.pk).current_entry_id == own.pk


def test_a_merge_never_widens_who_sees_details(meeting, on_agenda, concern, chair, world, council_analyst,
                                               police_officer):
    """The council puts its own concern forward (its details, ASB) and has revealed them; the
    police's concern (police ASB details) is merged into it. The council's earlier reveal does not
    cover the police's details: an agency engaged on the merged item sees them only by revealing
    again, with a reason (audited)."""
    own = concern_raise(viewer=viewer(council_analyst), series=meeting.series, title="Noise at the flats",
                        details="Synthetic: R. Placeholder, Flat 2", data_category=world["categories"]["asb"])
    target = AgendaEntry.objects.create(meeting=meeting, item=own, position=2)
    item_reveal(viewer=viewer(council_analyst), item=own, reason="Our case")
    items_merge(viewer=chair, meeting=meeting, entry=on_agenda, into=target)
    shown = [detail.text for detail in details_revealed(viewer=viewer(council_analyst), item=own)]
    assert shown == ["Synthetic: R. Placeholder, Flat 2"]
    # The police hold theirs: they may still reveal them on the merged item, but not the council's.
    police_sees = [detail.text for detail in item_reveal(viewer=viewer(police_officer), item=own, reason="Ours")]
    assert police_sees == [DETAILS]
    again = [detail.text for detail in item_reveal(viewer=viewer(council_analyst), item=own, reason="Now engaged")]
    assert sorted(again) == sorted([DETAILS, "Synthetic: R. Placeholder, Flat 2"])


def test_a_closed_meeting_engages_nobody(meeting, on_agenda, concern, chair, world):
    meeting_open(viewer=chair, meeting=meeting)
    meeting_close(viewer=chair, meeting=meeting, send_minutes=False)
    with pytest.raises(NotAllowed):
        item_engage(viewer=chair, meeting=meeting, item=concern, organisation=world["organisations"]["council"])
    assert not concern.engaged.filter(name="Riverford City Council").exists()


def test_a_video_link_is_a_web_address(world, police_chair):
    from saferplace.meetings.models import MeetingSeries
    from saferplace.meetings.services import series_create

    with pytest.raises(ValueError, match="web address"):
        series_create(viewer=OPERATOR, name="Odd", chair=police_chair, member_organisations=[],
                      video_link="javascript:alert(1)")
    assert not MeetingSeries.objects.filter(name="Odd").exists()
