"""The counts the reads use (`incidents/counts.py`) are kept by whatever changes incidents, in
the same transaction, and the explorer's figures come from them. (Every importer test also
checks that the counts equal the incidents afterwards: `counts_equal_the_incidents` in
conftest.py.)"""

import pytest
from django.db import connection

from saferplace.incidents.counts import COUNT_MODELS, IncidentCount, IncidentMonthCount
from saferplace.incidents.importers import store
from saferplace.incidents.models import ImportStatus, Incident
from saferplace.incidents.recount import counts_differences, counts_rebuild
from saferplace.incidents.selectors import IncidentFilters, incident_count, incident_summary
from tests.conftest import OPERATOR
from tests.incidents.conftest import FORCE, POLICE_UK_HEADER, csv_text, may_2026_rows, police_row
from tests.incidents.test_outcomes_and_stats19 import OUTCOMES_HEADER, outcome_row

pytestmark = pytest.mark.django_db


def _import_may(run_import, write_file, rows=None, name="may.csv"):
    return run_import("police-uk", write_file(name, csv_text(POLICE_UK_HEADER, rows or may_2026_rows())), organisation=FORCE)


def test_the_explorer_counts_from_the_counts_not_the_incidents(squares, world, write_file, run_import):
    _import_may(run_import, write_file)
    assert incident_summary(viewer=OPERATOR)["count"] == 11
    IncidentMonthCount.objects.filter(category_id="burglary").update(number=100)  # tampered: the reads show it
    assert incident_summary(viewer=OPERATOR)["count"] == 110
    assert incident_count(viewer=OPERATOR, filters=IncidentFilters(category="burglary")) == 100
    # A search needs the incidents themselves, so it counts them.
    assert incident_count(viewer=OPERATOR, filters=IncidentFilters(category="burglary", search="0")) == 1
    counts_rebuild()
    assert counts_differences() == []
    assert incident_summary(viewer=OPERATOR)["count"] == 11


def test_counts_follow_imports_replacements_outcomes_and_deletions(squares, world, write_file, run_import):
    _import_may(run_import, write_file)
    june = [police_row(20 + n, "2026-06", "Burglary") for n in range(3)]
    _import_may(run_import, write_file, june, name="june.csv")
    assert counts_differences() == []
    # A republished May replaces May only.
    _import_may(run_import, write_file, may_2026_rows()[:5], name="may-v2.csv")
    assert counts_differences() == []
    assert incident_summary(viewer=OPERATOR)["count"] == Incident.objects.count() == 8
    # New outcomes move crimes between outcome groups.
    rows = [outcome_row(1, "Offender given a caution"), outcome_row(2, "Local resolution")]
    run = run_import("police-uk-outcomes", write_file("outcomes.csv", csv_text(OUTCOMES_HEADER, rows)), organisation=FORCE)
    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert counts_differences() == []
    assert incident_count(viewer=OPERATOR, filters=IncidentFilters(outcome="Local resolution")) == 1
    # Deleting incidents (as the demo's --replace does) recounts what they were in.
    store.incidents_delete(Incident.objects.filter(category_id="burglary"))
    assert counts_differences() == []
    assert incident_count(viewer=OPERATOR, filters=IncidentFilters(category="burglary")) == 0


def test_a_failed_import_leaves_the_counts_as_they_were(squares, world, write_file, run_import, monkeypatch):
    _import_may(run_import, write_file)
    before = sorted(IncidentMonthCount.objects.values_list("category_id", "number"))
    real_insert = store.incident_rows_insert

    def insert_then_fail(**kwargs):
        real_insert(**kwargs)
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "incident_rows_insert", insert_then_fail)
    failed = _import_may(run_import, write_file, may_2026_rows() * 2, name="may-v2.csv")
    assert failed.status == ImportStatus.FAILED
    assert sorted(IncidentMonthCount.objects.values_list("category_id", "number")) == before
    assert counts_differences() == []


def test_a_period_that_cuts_through_a_month_is_counted_exactly(squares, world, write_file, run_import):
    """Day-dated records: a period starting mid-month cannot be answered from a month's row that
    spans its start, so the incidents answer; the figures are the same either way."""
    from tests.incidents.test_outcomes_and_stats19 import STATS19_HEADER, collision

    rows = [collision(f"2024990000{n:03d}", "3", f"{day:02d}/03/2024") for n, day in enumerate((2, 9, 16, 23, 30))]
    run = run_import("stats19", write_file("2024.csv", csv_text(STATS19_HEADER, rows)), organisation="Riverford City Council")
    assert run.status == ImportStatus.SUCCEEDED, run.message
    from datetime import date

    for start, end, expected in [(date(2024, 3, 10), None, 3), (None, date(2024, 3, 16), 3), (date(2024, 3, 1), date(2024, 3, 31), 5),
                                 (date(2024, 3, 31), None, 0), (date(2024, 3, 2), date(2024, 3, 2), 1)]:
        filters = IncidentFilters(date_from=start, date_to=end)
        assert incident_count(viewer=OPERATOR, filters=filters) == expected
        assert incident_summary(viewer=OPERATOR, filters=filters)["count"] == expected


def test_the_migration_counts_what_is_stored(squares, world, write_file, run_import):
    _import_may(run_import, write_file)
    for model in COUNT_MODELS:
        model.objects.all().delete()
    assert counts_rebuild() > 0
    assert counts_differences() == []
    assert connection.vendor in ("sqlite", "postgresql")


def test_recount_from_the_terminal_and_only_as_the_operator(squares, world, write_file, run_import, council_analyst):
    from io import StringIO

    from django.core.management import call_command

    from saferplace.errors import NotAllowed
    from saferplace.incidents.services import incident_counts_rebuild
    from tests.conftest import viewer

    _import_may(run_import, write_file)
    IncidentCount.objects.all().delete()
    with pytest.raises(NotAllowed):
        incident_counts_rebuild(viewer=viewer(council_analyst))
    assert not IncidentCount.objects.exists()
    out = StringIO()
    call_command("incidents", "recount", stdout=out)
    assert "Counted every incident again" in out.getvalue()
    assert counts_differences() == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps its statistics itself (autovacuum)")
def test_an_import_leaves_the_planner_statistics_of_what_it_stored(squares, world, write_file, run_import):
    """Without statistics SQLite reads the incidents near a point through the owner's index (all
    of them); every import ANALYZEs (`planner.py`), so the location's index is chosen."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sqlite_schema")  # makes sqlite_stat1, empty of the incidents
        cursor.execute("DELETE FROM sqlite_stat1")
    _import_may(run_import, write_file)
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [Incident._meta.db_table])
        stats = [row[0] for row in cursor.fetchall()]
    assert stats and all(stat.split()[0] == "11" for stat in stats)  # the eleven rows just stored


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps its statistics itself (autovacuum)")
def test_migrate_leaves_statistics_for_every_index_of_the_incidents(world):
    """A migration adding an index left SQLite without statistics for it, and a page of one
    category then took 1.4 s instead of 0.1 at ten million: `migrate` ends with ANALYZE."""
    from django.core.management import call_command

    from tests.conftest import make_incident

    make_incident(world, owner="council", category="environmental", external_id="STATS-1")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sqlite_schema")
        cursor.execute("DELETE FROM sqlite_stat1")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = %s", [Incident._meta.db_table])
        analysed = {row[0] for row in cursor.fetchall()}
    assert {index.name for index in Incident._meta.indexes} <= analysed
