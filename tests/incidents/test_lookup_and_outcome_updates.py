"""The importers that update records in bulk (population, place lookups, police.uk outcomes):
one joined UPDATE each, and still one event per record changed, naming who imported; unknown
codes and Crime IDs are rejected row by row as before."""

import pytest

from saferplace.incidents.events import IncidentEventKind
from saferplace.incidents.importers.police_uk_outcomes import incident_outcomes_set
from saferplace.incidents.models import ImportStatus, Incident, IncidentEvent, SourceLabel
from saferplace.incidents.recount import counts_refresh_marked
from saferplace.places.events import PlaceEvent, PlaceEventKind
from saferplace.places.models import Place
from tests.conftest import OPERATOR
from tests.incidents.conftest import (
    FORCE,
    POINT_B,
    POLICE_UK_HEADER,
    crime_id,
    csv_text,
    police_row,
)
from tests.incidents.test_outcomes_and_stats19 import OUTCOMES_HEADER, outcome_row
from tests.incidents.test_profiles_and_lookups import LOOKUP_HEADER

pytestmark = pytest.mark.django_db

LOOKUP_ROWS = [
    ["E01000101", "Newtown 001A", "E05000101", "North Ward", "NT-C1", "Newtown North", "E06000101", "Newtown"],
    ["E01000102", "Newtown 001B", "E05000101", "North Ward", "NT-C1", "Newtown North", "E06000101", "Newtown"],
    ["E01000103", "Newtown 002A", "E05000102", "South Ward", "NT-C2", "Newtown South", "E06000101", "Newtown"],
]


def place_events(code: str, kind: str = PlaceEventKind.CHANGED) -> list[dict]:
    return list(PlaceEvent.objects.filter(record__code=code, kind=kind).order_by("at", "id").values_list("changes", flat=True))


def test_population_updates_changed_places_with_an_event_each_and_rejects_unknown_codes(world, write_file, run_import):
    run_import("place-lookup", write_file("lookup.csv", csv_text(LOOKUP_HEADER, LOOKUP_ROWS)))
    stamps = dict(Place.objects.values_list("code", "updated_at"))
    first = run_import("population", write_file("population.csv", csv_text(["LSOA 2021 Code", "Total"], [
        ["E01000101", "1,523"], ["e01000102", "1610"], ["E01999999", "1400"], ["E01000103", "many"],
    ])))
    assert first.status == ImportStatus.SUCCEEDED, first.message
    assert (first.rows_read, first.rows_updated, first.rows_rejected) == (4, 2, 2)
    assert list(first.rejections.values_list("row_number", "field", "reason")) == [
        (4, "LSOA 2021 Code", "no place with the code 'E01999999' (load the place lookup first)"),
        (5, "Total", "Total 'many' is not a whole number"),
    ]
    assert dict(Place.objects.filter(code__startswith="E0100010").values_list("code", "population")) == {
        "E01000101": 1523, "E01000102": 1610, "E01000103": None,
    }
    assert place_events("E01000101") == [{"population": [None, 1523]}]
    event = PlaceEvent.objects.get(record__code="E01000102", kind=PlaceEventKind.CHANGED)
    assert (event.actor_name, event.note) == (OPERATOR.name, f"import run {first.pk}: population.csv")
    # The version stamp the place index is rebuilt by moves for the changed places only.
    after = dict(Place.objects.values_list("code", "updated_at"))
    assert after["E01000101"] > stamps["E01000101"] and after["E01000103"] == stamps["E01000103"]

    # Again, with one population changed and one the same: one more event, for the change only.
    again = run_import("population", write_file("population-2.csv", csv_text(["code", "population"], [
        ["E01000101", "1523"], ["E01000102", "1700"],
    ])))
    assert (again.rows_updated, again.rows_rejected) == (1, 0)
    assert place_events("E01000101") == [{"population": [None, 1523]}]
    assert place_events("E01000102") == [{"population": [None, 1610]}, {"population": [1610, 1700]}]


def test_place_lookup_renames_and_moves_places_with_an_event_each(world, write_file, run_import):
    run_import("place-lookup", write_file("lookup.csv", csv_text(LOOKUP_HEADER, LOOKUP_ROWS)))
    assert place_events("E01000101", PlaceEventKind.ADDED) == [{"name": [None, "Newtown 001A"]}]
    north = Place.objects.get(code="NT-C1")
    changed = [row[:] for row in LOOKUP_ROWS]
    changed[0][1] = "Newtown Centre 001A"  # renamed
    changed[2][4:6] = ["NT-C1", "Newtown North"]  # South Ward moves into the north community
    run = run_import("place-lookup", write_file("lookup-2.csv", csv_text(LOOKUP_HEADER, changed)))

    assert (run.rows_imported, run.rows_updated, run.rows_rejected) == (0, 2, 0)
    assert Place.objects.get(code="E01000101").name == "Newtown Centre 001A"
    assert Place.objects.get(code="E05000102").parent == north
    assert place_events("E01000101") == [{"name": ["Newtown 001A", "Newtown Centre 001A"]}]
    assert place_events("E05000102") == [{"parent": [str(Place.objects.get(code="NT-C2").pk), "NT-C1"]}]
    assert PlaceEvent.objects.filter(kind=PlaceEventKind.CHANGED).count() == 2


def test_place_lookup_rejects_each_bad_row_once_in_order(world, write_file, run_import):
    rows = [row[:] for row in LOOKUP_ROWS]
    rows += [["", "", "E05000103", "East Ward", "NT-C2", "Newtown South", "E06000101", "Newtown"]] * 3
    rows.append(["E01000104", "Newtown 002B", "E05000102", "South Ward", "NT-C1", "Newtown North", "E06000101", "Newtown"])
    run = run_import("place-lookup", write_file("lookup.csv", csv_text(LOOKUP_HEADER, rows)))
    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert list(run.rejections.values_list("row_number", "field")) == [
        (5, "LSOA21CD"), (6, "LSOA21CD"), (7, "LSOA21CD"), (8, "WD24CD"),
    ]
    assert run.rows_rejected == 4


def test_outcomes_through_the_join_set_every_crime_and_write_an_event_each(squares, world, write_file, run_import):
    crimes = 1234  # more than one statement's 1,000 rows of the staging table
    street = [police_row(number, "2026-05", "Burglary") for number in range(1, crimes + 1)]
    street.append(police_row(1, "2026-05", "Burglary", POINT_B))  # a second crime with Crime ID 1
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, street)), organisation=FORCE)
    outcomes = [outcome_row(number, "Local resolution" if number % 2 else "Under investigation")
                for number in range(1, crimes + 1)]
    run = run_import("police-uk-outcomes", write_file("june.csv", csv_text(OUTCOMES_HEADER, outcomes)), organisation=FORCE)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    texts = dict(Incident.objects.values_list("id", "outcome__text"))
    by_crime: dict[str, set] = {}
    for incident_id, identifier in Incident.objects.values_list("id", "external_id"):
        by_crime.setdefault(identifier, set()).add(texts[incident_id])
    assert by_crime[crime_id(1)] == {"Local resolution"}
    assert by_crime[crime_id(2)] == {"Under investigation"}  # as it was: no change, no event
    assert {identifier for identifier, seen in by_crime.items() if seen == {"Local resolution"}} == {
        crime_id(number) for number in range(1, crimes + 1, 2)
    }
    changed = (crimes + 1) // 2 + 1  # the odd Crime IDs, two crimes for ID 1
    events = IncidentEvent.objects.filter(kind=IncidentEventKind.OUTCOME)
    assert events.count() == changed
    assert set(events.values_list("actor_name", flat=True)) == {OPERATOR.name}
    assert {tuple(change["outcome"]) for change in events.values_list("changes", flat=True)} == {
        ("Under investigation", "Local resolution")
    }


def test_incident_outcomes_set_sets_labels_and_clears_them(squares, world, write_file, run_import):
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, [
        police_row(number, "2026-05", "Burglary") for number in (1, 2, 3)
    ])), organisation=FORCE)
    first, second, third = Incident.objects.order_by("external_id").values_list("id", flat=True)
    label = SourceLabel.objects.create(text="Formal action is not in the public interest")
    assert incident_outcomes_set(outcomes=[(first, label.pk), (second, None)]) == 2
    assert list(Incident.objects.order_by("external_id").values_list("outcome__text", flat=True)) == [
        "Formal action is not in the public interest", None, "Under investigation",
    ]
    assert incident_outcomes_set(outcomes=[]) == 0
    counts_refresh_marked()  # as the import does before it commits
    assert Incident.objects.get(pk=third).outcome_text == "Under investigation"
