"""A demo city of any size: the records are made a month of one source at a time, each file is
imported before the next is written, and a build that stops part-way is found and replaced."""

from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from saferplace.demo import demo_city_build, demo_city_unfinished, services
from saferplace.demo.catalogue import SOURCES
from saferplace.demo.geography import city_plan
from saferplace.demo.incident_data import IncidentGenerator, incident_rows
from saferplace.incidents.models import ImportRun, Incident
from saferplace.partners.models import User
from tests.demo.conftest import END, SIZE


def generator(size: float = SIZE, seed: int = 2026) -> IncidentGenerator:
    return IncidentGenerator(plan=city_plan(), size=size, seed=seed, end=END)


def test_a_month_is_the_same_whatever_was_made_before_it():
    police = next(spec for spec in SOURCES if spec.source == "police-crime")
    alone = generator().batch(police, 7).rows()
    after_the_rest = generator()
    for spec in SOURCES:
        list(after_the_rest.batches(spec))
    assert after_the_rest.batch(police, 7).rows() == alone
    assert alone and {(row["occurred_on"].year, row["occurred_on"].month) for row in alone} == {(2025, 10)}


def test_the_count_is_known_before_anything_is_made_and_scales_with_size():
    small, big = generator(0.1), generator(1.0)
    assert small.count() == len(incident_rows(plan=city_plan(), size=0.1, seed=2026, end=END))
    assert big.count() == sum(int(round(category.per_year)) for spec in SOURCES for category in spec.categories)
    assert big.count() == pytest.approx(10 * small.count(), rel=0.01)


def test_references_rise_through_the_year_and_repeat_victims_span_months():
    made = generator(0.5)
    calls = next(spec for spec in SOURCES if spec.source == "police-calls")
    numbers = [int(external_id.rsplit("-", 1)[1]) for batch in made.batches(calls) for external_id in batch.external_ids]
    assert numbers == list(range(1, len(numbers) + 1))
    abuse = next(spec for spec in SOURCES if spec.source == "police-domestic-abuse")
    months_of: dict[str, set[int]] = {}
    for batch in made.batches(abuse):
        for person in batch.people:
            months_of.setdefault(person, set()).add(batch.month)
    assert max(len(months) for months in months_of.values()) >= 2


def test_the_whole_build_counts_the_records_it_writes_and_imports(db, monkeypatch, tmp_path):
    """Each file is imported before the next is written (so a big city is never all in memory),
    and the progress counts every record written and imported."""
    ahead: list[set[str]] = []  # when each file is imported: the files written that are not imported yet
    imported: set[str] = set()
    real_import = services.import_file

    def watched(*, viewer, run, path, progress):
        imported.add(path.name)
        ahead.append({each.name for each in Path(tmp_path).rglob("*.csv")} - imported)
        return real_import(viewer=viewer, run=run, path=path, progress=progress)

    counted = {"written": 0, "imported": 0}
    real_progress = services._BuildProgress

    class Counting(real_progress):
        def written(self, records):
            counted["written"] += records
            super().written(records)

        def file_done(self, source_file):
            counted["imported"] += source_file.records
            super().file_done(source_file)

    monkeypatch.setattr(services, "import_file", watched)
    monkeypatch.setattr(services, "_BuildProgress", Counting)
    city = demo_city_build(size=SIZE, end=END, progress=False, directory=tmp_path)
    # At most the other file of the same source (the youth contacts' two owners) is written ahead.
    assert max(len(files) for files in ahead) == 1 and all(len(files) <= 1 for files in ahead)
    assert sum(name.endswith("-fenshire-street.csv") for name in imported) == 12
    assert sum(name.endswith("-fenshire-outcomes.csv") for name in imported) == 12
    assert counted == {"written": generator().count(), "imported": generator().count()} and city.incidents == generator().count()


def test_a_build_that_stops_part_way_is_found_and_replaced(db, monkeypatch, tmp_path):
    real_import = services.import_file
    imported = []

    def fail_on_the_third(**arguments):
        imported.append(arguments["path"].name)
        if len(imported) == 3:
            raise RuntimeError("the machine ran out of disk")
        return real_import(**arguments)

    monkeypatch.setattr(services, "import_file", fail_on_the_third)
    with pytest.raises(RuntimeError):
        demo_city_build(size=SIZE, end=END, progress=False, directory=tmp_path)
    # The files before the failure were imported (each file commits on its own), but no personas.
    assert Incident.objects.exists() and not User.objects.filter(is_demo_persona=True).exists()
    assert demo_city_unfinished()
    with pytest.raises(CommandError, match="stopped part-way.*saferplace demo --replace"):
        call_command("demo", "--no-serve", stdout=StringIO(), verbosity=0)
    monkeypatch.setattr(services, "import_file", real_import)
    city = demo_city_build(size=SIZE, end=END, progress=False, replace=True, directory=tmp_path)
    assert not demo_city_unfinished()
    assert Incident.objects.count() == city.incidents == generator().count()
    assert not ImportRun.objects.exclude(status="succeeded").exists()


def test_a_file_that_does_not_import_cleanly_stops_the_build_and_says_how_to_start_again(db, monkeypatch, tmp_path):
    from saferplace.incidents.models import ImportStatus

    real_import = services.import_file

    def refused(**arguments):
        run = real_import(**arguments)
        run.status = ImportStatus.REFUSED
        return run

    monkeypatch.setattr(services, "import_file", refused)
    with pytest.raises(ValidationError, match="did not import cleanly.*saferplace demo --replace"):
        demo_city_build(size=SIZE, end=END, progress=False, directory=tmp_path)


def test_records_are_where_the_month_says():
    batch = generator(0.2).batch(SOURCES[0], 0)
    assert len(batch) and np.all(np.diff(batch.days) >= 0)
    assert {(row["occurred_on"].year, row["occurred_on"].month) for row in batch.rows()} == {(batch.year, batch.month)}


def test_a_big_export_comes_as_a_file_per_few_months(db, monkeypatch, tmp_path):
    """A partner's export too big to import in one go (`RECORDS_PER_EXPORT`) is written and
    imported as a file per few months, with the same records."""
    from saferplace.demo import source_files

    monkeypatch.setattr(source_files, "RECORDS_PER_EXPORT", 100)  # calls for service: 450 a year at this size
    city = demo_city_build(size=SIZE, end=END, progress=False, directory=tmp_path)
    parts = sorted(path.name for path in (tmp_path / "partners").glob("riverford-police-calls*.csv"))
    assert parts == [f"riverford-police-calls-{month}.csv" for month in
                     ("2025-03", "2025-05", "2025-07", "2025-09", "2025-11", "2026-01")]
    assert city.incidents_by_source["police-calls"] == generator().count(
        next(spec for spec in SOURCES if spec.source == "police-calls"))
    assert Incident.objects.filter(source="police-calls").count() == city.incidents_by_source["police-calls"]
    assert city.incidents == generator().count()
