"""A record's history: `record_change` writes the change, its event and its audit entry together,
or nothing at all; every app's writes leave events a timeline reads."""

import pytest
from django.db import transaction

from saferplace.audit.models import AuditEntry
from saferplace.history import event_model_for, record_change, record_timeline
from saferplace.partners.events import (
    OrganisationEvent,
    OrganisationEventKind,
    UserEvent,
    UserEventKind,
)
from saferplace.partners.models import Organisation, User
from saferplace.partners.services import organisation_save, user_role_change, user_set_active
from saferplace.places.events import PlaceEvent
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from tests.conftest import OPERATOR, viewer

pytestmark = pytest.mark.django_db


def test_every_app_declares_an_event_table_for_its_records():
    assert event_model_for(User) is UserEvent and event_model_for(Organisation) is OrganisationEvent
    with pytest.raises(LookupError):
        event_model_for(AuditEntry)


def test_a_change_writes_its_event_and_its_audit_entry_with_what_changed(world):
    council = world["organisations"]["council"]
    audited = AuditEntry.objects.count()
    organisation_save(viewer=OPERATOR, organisation=council, name="Riverford Council", kind=council.kind)
    added, event = record_timeline(council)
    assert added.kind == OrganisationEventKind.ADDED
    assert (event.kind, event.actor_name, event.changes) == (
        OrganisationEventKind.CHANGED, "operator:test-suite", {"name": ["Riverford City Council", "Riverford Council"]}
    )
    entry = AuditEntry.objects.latest("sequence")
    assert AuditEntry.objects.count() == audited + 1
    assert entry.details["changes"] == event.changes and entry.object_id == str(council.pk)


def test_a_change_that_changes_nothing_writes_nothing(world):
    council = world["organisations"]["council"]
    audited = AuditEntry.objects.count()
    events = record_timeline(council).count()
    assert record_change(viewer=OPERATOR, record=council, kind="changed", values={"name": council.name}) == {}
    assert record_timeline(council).count() == events and AuditEntry.objects.count() == audited


def test_a_failure_after_the_change_leaves_no_change_no_event_and_no_entry(world):
    council = world["organisations"]["council"]
    audited, events = AuditEntry.objects.count(), record_timeline(council).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_change(viewer=OPERATOR, record=council, kind="changed", values={"short_name": "RCC"})
        raise RuntimeError("the rest of the service failed")
    council.refresh_from_db()
    assert council.short_name == "" and record_timeline(council).count() == events
    assert AuditEntry.objects.count() == audited


def test_a_person_s_timeline_shows_their_role_and_their_account_switched_off(world, council_admin, council_analyst):
    user_role_change(viewer=viewer(council_admin), user=council_analyst, role="volunteer", reason="now volunteers")
    user_set_active(viewer=viewer(council_admin), user=council_analyst, active=False)
    events = list(record_timeline(council_analyst))[-2:]
    assert [event.kind for event in events] == [UserEventKind.ROLE_CHANGED, UserEventKind.DEACTIVATED]
    # In words on the timeline, like the "Role: none → Analyst" of the account's creation…
    assert events[0].changes == {"role": ["Analyst", "Volunteer"]} and events[0].note == "now volunteers"
    assert record_timeline(council_analyst).first().changes["role"] == ["none", "Analyst"]
    assert events[1].changes == {"is_active": ["Yes", "No"]}
    assert events[1].actor_organisation == "Riverford City Council"
    # …while the audit trail keeps the values as stored.
    entries = AuditEntry.objects.filter(object_type="partners.user", object_id=str(council_analyst.pk)).order_by("sequence")
    assert [entry.details["changes"] for entry in entries if "changes" in entry.details][-2:] == [
        {"role": ["analyst", "volunteer"]}, {"is_active": ["True", "False"]}]


def test_an_event_has_labels_dates_and_yes_or_no_where_the_audit_entry_has_codes(world):
    from datetime import date

    from saferplace.history import changes_in_words, value_in_words
    from saferplace.partners.models import AgreementStatus, SharingAgreement

    agreement = world["agreements"]["csp"]
    record_change(viewer=OPERATOR, record=agreement, kind="ended",
                  values={"status": AgreementStatus.ENDED, "end_date": date(2026, 11, 20)}, note="replaced")
    event = record_timeline(agreement).last()
    assert event.changes == {"status": ["Active", "Ended"], "end_date": ["none", "20 November 2026"]}
    entry = AuditEntry.objects.latest("sequence")
    assert entry.details["changes"] == {"status": ["active", "ended"], "end_date": [None, "2026-11-20"]}
    # Changes a service describes itself are read the same way where a field has choices.
    assert changes_in_words(SharingAgreement(), {"status": ["draft", "active"], "parties": [None, ["A", "B"]]}) == {
        "status": ["Draft", "Active"], "parties": ["none", ["A", "B"]]}
    assert value_in_words("not a status") == "not a status" and value_in_words(False) == "No"


def test_a_place_s_history_says_its_boundary_changed_without_copying_it(world):
    square = {"type": "Polygon", "coordinates": [[[0, 52], [0.01, 52], [0.01, 52.01], [0, 52.01], [0, 52]]]}
    place = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05009999", name="Old Ward")
    place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05009999", name="New Ward", boundary=square)
    added, changed = PlaceEvent.objects.filter(record=place).order_by("id")
    assert added.kind == "added"
    assert changed.changes == {"name": ["Old Ward", "New Ward"], "boundary": ["(before)", "(changed)"]}
