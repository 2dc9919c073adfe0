"""A crime's earlier outcomes stay in its history: a police.uk outcomes file writes one outcome
event (before, after) per crime it changes, in the run's transaction; a republished month keeps
the crimes' outcome events and adds one where its "Last outcome category" differs."""

import pytest

from saferplace.history import record_timeline
from saferplace.incidents.events import IncidentEventKind
from saferplace.incidents.importers import base
from saferplace.incidents.models import ImportStatus, Incident, IncidentEvent
from tests.incidents.conftest import FORCE, POLICE_UK_HEADER, crime_id, csv_text, may_2026_rows
from tests.incidents.test_outcomes_and_stats19 import OUTCOMES_HEADER, outcome_row

pytestmark = pytest.mark.django_db


def outcome_events(incident: Incident) -> list[list]:
    return [event.changes["outcome"] for event in record_timeline(incident) if event.kind == IncidentEventKind.OUTCOME]


def test_an_outcomes_file_keeps_each_changed_crimes_earlier_outcome(squares, world, write_file, run_import):
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation=FORCE)
    rows = [
        outcome_row(1, "Offender given a caution"),
        outcome_row(2, "Court case unable to proceed"),  # two identical crime rows carry this ID
        outcome_row(3, "Awaiting court outcome"),  # what it has already: no event
    ]
    run = run_import("police-uk-outcomes", write_file("june.csv", csv_text(OUTCOMES_HEADER, rows)), organisation=FORCE)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert run.rows_updated == 3
    first = Incident.objects.get(external_id=crime_id(1))
    assert outcome_events(first) == [["Under investigation", "Offender given a caution"]]
    event = IncidentEvent.objects.filter(record=first).get()
    assert event.note == f"police.uk outcomes file june.csv (import run {run.pk})"
    assert event.actor_name  # who ran the import
    for twin in Incident.objects.filter(external_id=crime_id(2)):
        assert outcome_events(twin) == [["Under investigation", "Court case unable to proceed"]]
    assert outcome_events(Incident.objects.get(external_id=crime_id(3))) == []
    assert IncidentEvent.objects.count() == 3

    # A later file changes it again: both earlier outcomes are kept, oldest first.
    later = run_import("police-uk-outcomes", write_file("july.csv", csv_text(OUTCOMES_HEADER, [
        outcome_row(1, "Local resolution"),
    ])), organisation=FORCE)
    assert later.status == ImportStatus.SUCCEEDED
    assert outcome_events(first) == [
        ["Under investigation", "Offender given a caution"],
        ["Offender given a caution", "Local resolution"],
    ]
    first.refresh_from_db()
    assert first.outcome_text == "Local resolution"


def test_a_failed_outcomes_import_leaves_no_events(squares, world, write_file, run_import, monkeypatch):
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation=FORCE)
    def fail_after_the_write(run, rejections):  # after the outcomes and their events are written
        assert IncidentEvent.objects.exists()
        raise RuntimeError("disk full")

    monkeypatch.setattr(base, "_rejections_save", fail_after_the_write)
    run = run_import("police-uk-outcomes", write_file("june.csv", csv_text(OUTCOMES_HEADER, [
        outcome_row(1, "Offender given a caution"),
    ])), organisation=FORCE)
    assert run.status == ImportStatus.FAILED
    assert not IncidentEvent.objects.exists()
    assert Incident.objects.get(external_id=crime_id(1)).outcome_text == "Under investigation"


def test_a_republished_month_keeps_outcome_history_and_adds_a_changed_last_outcome(squares, world, write_file, run_import):
    rows = may_2026_rows()
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, rows)), organisation=FORCE)
    run_import("police-uk-outcomes", write_file("june.csv", csv_text(OUTCOMES_HEADER, [
        outcome_row(1, "Offender given a caution"),
    ])), organisation=FORCE)
    republished = [row[:] for row in rows]
    republished[3][10] = "Offender given a caution"  # crime 1: as the outcomes file said
    republished[6][10] = "Offender sent to prison"  # crime 3: a new outcome
    run = run_import("police-uk", write_file("may-v2.csv", csv_text(POLICE_UK_HEADER, republished)), organisation=FORCE)
    assert run.status == ImportStatus.SUCCEEDED, run.message

    assert outcome_events(Incident.objects.get(external_id=crime_id(1))) == [
        ["Under investigation", "Offender given a caution"],  # carried over from the replaced crime
    ]
    third = Incident.objects.get(external_id=crime_id(3))
    assert outcome_events(third) == [["Awaiting court outcome", "Offender sent to prison"]]
    assert "Last outcome category" in IncidentEvent.objects.get(record=third).note
    assert outcome_events(Incident.objects.get(external_id=crime_id(4))) == []  # unchanged
    assert IncidentEvent.objects.filter(kind=IncidentEventKind.OUTCOME).count() == 2


def test_the_incident_page_shows_the_earlier_outcome_and_another_force_sees_nothing(
        squares, world, write_file, run_import, client, police_analyst, bid_analyst):
    from tests.conftest import sign_in

    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation=FORCE)
    run_import("police-uk-outcomes", write_file("june.csv", csv_text(OUTCOMES_HEADER, [
        outcome_row(1, "Offender given a caution"),
    ])), organisation=FORCE)
    first = Incident.objects.get(external_id=crime_id(1))
    first.owning_organisation = world["organisations"]["police"]
    first.save()
    page = sign_in(client, police_analyst).get(f"/incidents/{first.pk}/").content.decode()
    history = page[page.index('id="history"'):]
    assert "Outcome: Under investigation → Offender given a caution" in history
    assert sign_in(client, bid_analyst).get(f"/incidents/{first.pk}/").status_code == 404


def test_a_partner_sees_an_incident_s_changes_but_not_the_owner_s_staff_or_notes(records, police_analyst, council_analyst):
    from saferplace.history import events_write
    from saferplace.incidents.selectors import incident_history
    from tests.conftest import viewer

    incident = records["police_asb"]
    events_write(viewer=viewer(police_analyst), model=Incident, kind=IncidentEventKind.OUTCOME,
                 items=[(incident.pk, {"outcome": ["Under investigation", "Local resolution"]})],
                 note="outcomes file OPERATION-NIGHTJAR.csv")
    owner = incident_history(viewer=viewer(police_analyst), incident=incident)[-1]
    assert (owner.actor_name, owner.note) == ("police_analyst", "outcomes file OPERATION-NIGHTJAR.csv")
    partner = incident_history(viewer=viewer(council_analyst), incident=incident)[-1]
    assert (partner.actor_name, partner.note, partner.changes) == (
        "Fenshire Police", "", {"outcome": ["Under investigation", "Local resolution"]})
