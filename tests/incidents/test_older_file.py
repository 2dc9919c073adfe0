"""An older file means what it says: a file imported before is *unchanged* only while the store
still holds exactly what its import stored. Rolling a republished month back to the first file
applies the first file again."""

import pytest

from saferplace.incidents.models import ImportStatus, Incident
from tests.incidents.conftest import (
    FORCE,
    POINT_B,
    POLICE_UK_HEADER,
    crime_id,
    csv_text,
    may_2026_rows,
    police_row,
)
from tests.incidents.test_outcomes_and_stats19 import (
    OUTCOMES_HEADER,
    STATS19_HEADER,
    collision,
    outcome_row,
)
from tests.incidents.test_profiles_and_lookups import council_profile

pytestmark = pytest.mark.django_db


def month_store() -> list[tuple]:
    """What the store holds of the force's May, whatever the ids."""
    return sorted(
        Incident.objects.filter(partition__key=f"{FORCE}|2026-05")
        .values_list("external_id", "category_id", "outcome__text", "source_row")
    )


def republished(rows: list[list[str]]) -> list[list[str]]:
    """police.uk's republished May: one crime fewer, an outcome changed."""
    again = [row[:] for row in rows[:-1]]
    again[6][10] = "Offender sent to prison"
    return again


def test_rolling_a_month_back_to_the_first_file_applies_it_again(squares, world, write_file, run_import):
    rows = may_2026_rows()
    first = write_file("may.csv", csv_text(POLICE_UK_HEADER, rows))
    a = run_import("police-uk", first, organisation=FORCE)
    as_first = month_store()
    run_import("police-uk", write_file("may-v2.csv", csv_text(POLICE_UK_HEADER, republished(rows))), organisation=FORCE)
    assert month_store() != as_first

    back = run_import("police-uk", first, organisation=FORCE)

    assert back.status == ImportStatus.SUCCEEDED, back.message
    assert (back.rows_imported, back.rows_replaced) == (11, 10)
    assert f"The same file was imported before (run {a.pk}); it was applied again" in back.message
    assert month_store() == as_first
    assert Incident.objects.get(external_id=crime_id(3)).outcome_text == "Awaiting court outcome"
    assert Incident.objects.filter(external_id=crime_id(8)).exists()

    # Now the store holds that file's records: importing it once more is unchanged.
    again = run_import("police-uk", first, organisation=FORCE)
    assert again.status == ImportStatus.UNCHANGED
    assert f"run {back.pk}" in again.message
    assert month_store() == as_first


def test_the_same_file_twice_in_a_row_is_unchanged(squares, world, write_file, run_import):
    path = write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()))
    first = run_import("police-uk", path, organisation=FORCE)
    second = run_import("police-uk", path, organisation=FORCE)
    assert second.status == ImportStatus.UNCHANGED and f"run {first.pk}" in second.message
    assert Incident.objects.count() == 11


def test_another_months_file_leaves_a_file_unchanged(squares, world, write_file, run_import):
    may = write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()))
    run_import("police-uk", may, organisation=FORCE)
    run_import("police-uk", write_file("april.csv", csv_text(POLICE_UK_HEADER, [police_row(90, "2026-04", "Burglary", POINT_B)])),
               organisation=FORCE)
    assert run_import("police-uk", may, organisation=FORCE).status == ImportStatus.UNCHANGED


def test_a_later_outcome_means_the_month_file_is_applied_again(squares, world, write_file, run_import):
    may = write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()))
    run_import("police-uk", may, organisation=FORCE)
    outcomes = write_file("outcomes.csv", csv_text(OUTCOMES_HEADER, [outcome_row(1, "Offender given a caution")]))
    run_import("police-uk-outcomes", outcomes, organisation=FORCE)

    back = run_import("police-uk", may, organisation=FORCE)
    assert back.status == ImportStatus.SUCCEEDED
    assert Incident.objects.get(external_id=crime_id(1)).outcome_text == "Under investigation"
    # …and the outcomes file, older than that, applies again too.
    again = run_import("police-uk-outcomes", outcomes, organisation=FORCE)
    assert (again.status, again.rows_updated) == (ImportStatus.SUCCEEDED, 1)
    assert Incident.objects.get(external_id=crime_id(1)).outcome_text == "Offender given a caution"
    assert run_import("police-uk-outcomes", outcomes, organisation=FORCE).status == ImportStatus.UNCHANGED


def test_a_stats19_year_rolled_back_is_applied_again(squares, world, write_file, run_import):
    council = "Riverford City Council"
    first = write_file("2024.csv", csv_text(STATS19_HEADER, [collision("2024990000001", "3"), collision("2024990000002", "2")]))
    run_import("stats19", first, organisation=council)
    run_import("stats19", write_file("2024-final.csv", csv_text(STATS19_HEADER, [collision("2024990000001", "1")])),
               organisation=council)
    back = run_import("stats19", first, organisation=council)
    assert (back.status, back.rows_replaced, back.rows_imported) == (ImportStatus.SUCCEEDED, 1, 2)
    assert dict(Incident.objects.values_list("external_id", "category_id")) == {
        "2024990000001": "road-collision-slight", "2024990000002": "road-collision-serious",
    }


def test_a_profile_file_rolled_back_replaces_its_ids_and_does_not_double_its_rows_without_ids(
    squares, world, write_file, run_import
):
    profile = council_profile(world, location_kind="none", postcode_column="")
    header = ["Ref", "Reported", "Type", "Status"]
    rows = [["ENV-1", "03/05/2026", "Fly tip", "Open"], ["", "04/05/2026", "Fly tip", "Open"]]
    first = write_file("env.csv", csv_text(header, rows))
    run_import("profile", first, profile=profile)
    run_import("profile", write_file("env-v2.csv", csv_text(header, [["ENV-1", "03/05/2026", "Fly tip", "Cleared"]])),
               profile=profile)
    assert Incident.objects.get(external_id="ENV-1").outcome_text == "Cleared"

    back = run_import("profile", first, profile=profile)
    assert back.status == ImportStatus.SUCCEEDED, back.message
    assert (back.rows_imported, back.rows_replaced) == (2, 2)  # ENV-1 as corrected, and the first file's row with no id
    assert sorted(Incident.objects.values_list("external_id", "outcome__text")) == [("", "Open"), ("ENV-1", "Open")]
    assert run_import("profile", first, profile=profile).status == ImportStatus.UNCHANGED
