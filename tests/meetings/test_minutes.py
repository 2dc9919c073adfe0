"""The minutes: what a member of the series reads, identifiable details only in the copy of an
engaged agency the agreements allow, every reading audited; sending each attendee their own
PDF, made as them."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from pypdf import PdfReader

from saferplace.audit.models import AuditAction, AuditEntry
from saferplace.errors import NotAllowed, NotFound
from saferplace.meetings.minutes import (
    minutes_find,
    minutes_for,
    minutes_html,
    minutes_pdf,
    minutes_send,
    minutes_send_request,
)
from saferplace.meetings.models import (
    ItemReveal,
    Meeting,
    MeetingEvent,
    MeetingEventKind,
    MeetingStatus,
)
from saferplace.notifications.models import NotificationSend, SendStatus
from saferplace.notifications.services import notifications_send_due
from tests.conftest import OPERATOR, viewer
from tests.meetings import minutes_world
from tests.meetings.minutes_world import DETAIL, SECRET_NAME

# The fixtures of a closed meeting (tests/meetings/minutes_world.py).
closed_meeting, minutes_series = minutes_world.closed_meeting, minutes_world.minutes_series


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_member_reads_the_minutes_without_details_when_their_agency_was_not_engaged(closed_meeting, council_analyst):
    minutes = minutes_for(viewer=viewer(council_analyst), meeting=closed_meeting)
    assert minutes.final and minutes.chair == "Police Chair" and minutes.copy_for == "Riverford City Council"
    assert [(group.mode, [(o.organisation, o.people) for o in group.organisations]) for group in minutes.attendance] == [
        ("Present", [("Fenshire Police", ["Police Chair", "Police Officer"])]),
        ("Remote", [("Riverford City Council", ["Council Analyst"])]),
        ("Apologies", [("Fenshire Fire and Rescue Service", ["Fire Officer"])]),
    ]
    [entry] = minutes.entries  # the dropped item is not in the minutes
    assert entry.title == "Fly tipping behind the shops" and entry.where == "Mill Road" and entry.state == "In hand"
    assert entry.lead == "Riverford City Council" and entry.supporting == ["Fenshire Police"]
    assert [decision.text for decision in entry.decisions] == ["The council clears the site; the police patrol nightly."]
    [action] = entry.actions
    assert action.title == "Clear the fly tip behind the parade" and action.organisation == "Riverford City Council"
    assert action.due_date.isoformat() == "2026-01-08" and entry.threshold_met is True
    assert entry.details == [] and not minutes.has_details
    entry_audit = AuditEntry.objects.filter(actor_username="council_analyst").latest("sequence")
    assert entry_audit.action == AuditAction.VIEW and entry_audit.object_id == str(closed_meeting.pk)
    assert SECRET_NAME not in minutes_html(minutes)


def test_the_engaged_agency_reads_the_details_and_the_reading_is_audited_as_a_reveal(closed_meeting, police_officer):
    minutes = minutes_for(viewer=viewer(police_officer), meeting=closed_meeting)
    [entry] = minutes.entries
    assert [detail.text for detail in entry.details] == [DETAIL] and minutes.has_details
    entry_audit = AuditEntry.objects.filter(actor_username="police_officer").latest("sequence")
    assert entry_audit.action == AuditAction.REVEAL and entry_audit.object_type == "meetings.identifiabledetail"
    detail_id = closed_meeting.item.details.get().pk
    assert entry_audit.record_ids == f",{detail_id},"
    assert SECRET_NAME in minutes_html(minutes)


def test_an_engaged_agency_the_agreements_do_not_allow_sees_no_details(closed_meeting, world, fire_officer):
    closed_meeting.item.engaged.add(world["organisations"]["fire"])  # fire shares no ASB with the police
    minutes = minutes_for(viewer=viewer(fire_officer), meeting=closed_meeting)
    assert minutes.entries[0].details == []


def test_a_role_without_the_reveal_capability_sees_no_details_even_when_engaged(closed_meeting, world, council_admin,
                                                                            council_analyst):
    closed_meeting.item.engaged.add(world["organisations"]["council"])  # the council reads police ASB (ISA-CSP)
    _revealed_at_the_meeting(closed_meeting, council_analyst)
    assert minutes_for(viewer=viewer(council_analyst), meeting=closed_meeting).entries[0].details != []
    assert minutes_for(viewer=viewer(council_admin), meeting=closed_meeting).entries[0].details == []


def _revealed_at_the_meeting(meeting, person, *, minutes_after_opening: int = 15):
    ItemReveal.objects.create(item=meeting.item, user=person, organisation=person.organisation, reason="At the meeting",
                              details=list(meeting.item.details.values_list("pk", flat=True)),
                              at=meeting.opened_at + timedelta(minutes=minutes_after_opening))


def test_an_engaged_agency_has_details_in_its_minutes_only_when_it_revealed_them_at_the_meeting(
        closed_meeting, world, council_analyst):
    closed_meeting.item.engaged.add(world["organisations"]["council"])
    assert minutes_for(viewer=viewer(council_analyst), meeting=closed_meeting).entries[0].details == []
    _revealed_at_the_meeting(closed_meeting, council_analyst, minutes_after_opening=60)  # after the close
    assert minutes_for(viewer=viewer(council_analyst), meeting=closed_meeting).entries[0].details == []
    _revealed_at_the_meeting(closed_meeting, council_analyst)
    assert minutes_for(viewer=viewer(council_analyst), meeting=closed_meeting).entries[0].details != []


def test_the_minutes_of_a_meeting_not_yet_closed_hold_no_details(closed_meeting, police_officer):
    Meeting.objects.filter(pk=closed_meeting.pk).update(status=MeetingStatus.LIVE)
    closed_meeting.refresh_from_db()
    closed_meeting.item = closed_meeting.entries.get(position=1).item
    assert minutes_for(viewer=viewer(police_officer), meeting=closed_meeting).entries[0].details == []


@pytest.mark.parametrize("persona", ["health_analyst", "bid_analyst", "council_volunteer", "council_auditor"])
def test_anyone_not_a_member_is_told_there_is_no_such_meeting(closed_meeting, request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(NotFound):
        minutes_find(viewer=viewer(user), meeting_id=closed_meeting.pk)
    with pytest.raises(NotFound):
        minutes_for(viewer=viewer(user), meeting=closed_meeting)
    assert not AuditEntry.objects.filter(actor_username=persona, action__in=[AuditAction.VIEW, AuditAction.REVEAL]).exists()


def test_two_recipients_of_different_agencies_get_different_pdfs(closed_meeting, police_chair, police_officer,
                                                                  council_analyst, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sends = minutes_send(viewer=viewer(police_chair), meeting=closed_meeting)
    by_person = {send.recipient.username: send for send in sends}
    assert set(by_person) == {"police_chair", "police_officer", "council_analyst", "fire_officer"}
    police_text = _pdf_text(bytes(by_person["police_officer"].attachment))
    council_text = _pdf_text(bytes(by_person["council_analyst"].attachment))
    assert SECRET_NAME in police_text and "Fly tipping behind the shops" in police_text
    assert SECRET_NAME not in council_text and "Fly tipping behind the shops" in council_text
    assert "Clear the fly tip behind the parade" in council_text and "Council Analyst" in council_text
    assert by_person["council_analyst"].about == f"meetings.meeting:{closed_meeting.pk}"
    assert by_person["council_analyst"].attachment_name == "minutes-riverford-drmm-minutes-2026-01-05.pdf"
    # each copy was read as its recipient: a reveal for the engaged agency's, a view for the other
    assert AuditEntry.objects.filter(actor_username="police_officer", action=AuditAction.REVEAL, channel="worker").exists()
    assert AuditEntry.objects.filter(actor_username="council_analyst", action=AuditAction.VIEW, channel="worker").exists()
    event = MeetingEvent.objects.get(record=closed_meeting, kind=MeetingEventKind.MINUTES_SENT)
    assert "Council Analyst" in event.changes["sent to"] and event.changes["not sent to"] == "nobody"

    assert notifications_send_due()["sent"] == 4
    council_mail = next(message for message in mail.outbox if message.to == ["council_analyst@riverford.example"])
    assert council_mail.attachments[0][1] == bytes(by_person["council_analyst"].attachment)
    assert "no identifiable details" in council_mail.body


def test_an_attendee_who_can_no_longer_read_the_minutes_is_sent_nothing(closed_meeting, police_chair, council_analyst):
    council_analyst.is_active = False
    council_analyst.save(update_fields=["is_active"])
    sends = minutes_send(viewer=viewer(police_chair), meeting=closed_meeting)
    assert "council_analyst" not in {send.recipient.username for send in sends}
    event = MeetingEvent.objects.get(record=closed_meeting, kind=MeetingEventKind.MINUTES_SENT)
    assert event.changes["not sent to"] == "Council Analyst"


def test_an_attendee_without_an_email_is_recorded_not_sent(closed_meeting, police_chair, fire_officer):
    fire_officer.email = ""
    fire_officer.save(update_fields=["email"])
    sends = minutes_send(viewer=viewer(police_chair), meeting=closed_meeting)
    fire = next(send for send in sends if send.recipient_id == fire_officer.pk)
    assert fire.status == SendStatus.GAVE_UP and fire.last_error == "no email address"


@pytest.mark.parametrize("persona", ["police_officer", "council_analyst", "council_chair_persona", "council_volunteer",
                                     "bid_analyst"])
def test_only_the_series_chair_organisation_sends_the_minutes(closed_meeting, request, persona, world):
    if persona == "council_chair_persona":
        from saferplace.partners.models import Role
        from tests.conftest import _persona

        user = _persona(world, "council_chair_persona", "council", Role.CHAIR)
    else:
        user = request.getfixturevalue(persona)
    with pytest.raises((NotAllowed, NotFound)):
        minutes_send(viewer=viewer(user), meeting=closed_meeting)
    with pytest.raises((NotAllowed, NotFound)):
        minutes_send_request(viewer=viewer(user), meeting_id=closed_meeting.pk)
    assert not NotificationSend.objects.exists()
    assert not MeetingEvent.objects.filter(kind=MeetingEventKind.MINUTES_SENT).exists()


def test_minutes_are_sent_only_once_the_meeting_is_closed(closed_meeting, police_chair):
    closed_meeting.status = MeetingStatus.LIVE
    closed_meeting.save(update_fields=["status"])
    with pytest.raises(ValueError, match="closed"):
        minutes_send(viewer=viewer(police_chair), meeting=closed_meeting)
    assert not minutes_for(viewer=viewer(police_chair), meeting=closed_meeting).final  # a draft may be read


def test_the_send_request_queues_the_worker_which_sends_as_the_chair(closed_meeting, police_chair,
                                                                     django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from saferplace.meetings.tasks import send_minutes_task

    with django_capture_on_commit_callbacks(execute=True):
        minutes_send_request(viewer=viewer(police_chair), meeting_id=closed_meeting.pk)
    queued = DBTaskResult.objects.get(task_path="saferplace.meetings.tasks.send_minutes_task")
    assert queued.args_kwargs["args"] == [closed_meeting.pk, police_chair.pk]
    assert not NotificationSend.objects.exists()  # nothing made in the request
    assert send_minutes_task.call(closed_meeting.pk, police_chair.pk) == {"queued": 4}


def test_the_pdf_fetches_nothing_from_outside(closed_meeting, police_chair):
    from saferplace.meetings.minutes import _local_static_fetcher

    fetcher = _local_static_fetcher()
    for url in ("https://example.org/track.png", "file:///etc/passwd", "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    pdf = minutes_pdf(minutes_for(viewer=OPERATOR, meeting=closed_meeting))
    assert pdf.startswith(b"%PDF")
