"""The raw source row of every imported incident, read back from the run's compressed copy of
the file; what the narrow incident table shares (locations, partitions, labels); and the
checks a bulk load makes."""

import datetime

import openpyxl
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from saferplace.incidents import source_blocks
from saferplace.incidents.importers import store
from saferplace.incidents.models import (
    ImportStatus,
    Incident,
    Location,
    LocationKind,
    MappingProfile,
    Partition,
    SourceBlock,
    SourceLabel,
)
from saferplace.incidents.recount import counts_refresh_marked
from saferplace.incidents.selectors import incident_source_record
from tests.conftest import sign_in
from tests.incidents.conftest import POINT_A, POINT_B, POLICE_UK_HEADER, csv_text, police_row

pytestmark = pytest.mark.django_db


def month_rows(month: str, count: int) -> list[list[str]]:
    kinds = ["Burglary", "Anti-social behaviour", "Shoplifting", "Drugs"]
    return [
        police_row(number if number % 4 != 1 else None, month, kinds[number % 4], POINT_A if number % 3 else POINT_B)
        for number in range(1, count + 1)
    ]


def test_every_incident_reads_back_its_row_across_blocks(squares, world, write_file, run_import, monkeypatch):
    monkeypatch.setattr(source_blocks, "BLOCK_BYTES", 2000)  # many small blocks
    rows = month_rows("2026-05", 120)
    run = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")

    assert run.status == ImportStatus.SUCCEEDED, run.message
    blocks = list(SourceBlock.objects.filter(run=run))
    assert len(blocks) > 5
    assert sum(block.row_count for block in blocks) == len(rows) + 1  # the header is row 1
    for incident in Incident.objects.all():
        assert incident_source_record(incident) == dict(zip(POLICE_UK_HEADER, rows[incident.source_row - 2], strict=True))
    assert source_blocks.source_record(run_id=run.pk, row_number=len(rows) + 2) is None


def test_shared_values_are_stored_once(squares, world, write_file, run_import):
    rows = month_rows("2026-05", 40) + month_rows("2026-06", 40)
    run_import("police-uk", write_file("two-months.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")

    assert Incident.objects.count() == 80
    assert Location.objects.count() == 2  # the two map points
    assert sorted(Partition.objects.values_list("key", flat=True)) == ["Fenshire Police|2026-05", "Fenshire Police|2026-06"]
    assert set(SourceLabel.objects.values_list("text", flat=True)) == {
        "Burglary", "Anti-social behaviour", "Shoplifting", "Drugs", "Under investigation",
    }
    point = Location.objects.get(description="On or near Mill Lane")
    assert (point.latitude, point.longitude, point.precision) == (52.0055, 0.0045, "snapped")
    assert point.h3_cell and Incident.objects.filter(location=point).count() == sum(1 for row in rows if row[6] == POINT_A[2])


def test_a_run_replaced_whole_gives_up_its_blocks(squares, world, write_file, run_import):
    first = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, month_rows("2026-05", 10))), organisation="Fenshire Police")
    both = run_import(
        "police-uk", write_file("may-june.csv", csv_text(POLICE_UK_HEADER, month_rows("2026-05", 12) + month_rows("2026-06", 5))),
        organisation="Fenshire Police",
    )
    assert (both.rows_replaced, both.rows_imported) == (10, 17)
    assert not SourceBlock.objects.filter(run=first).exists()
    june = run_import("police-uk", write_file("june.csv", csv_text(POLICE_UK_HEADER, month_rows("2026-06", 6))), organisation="Fenshire Police")
    assert june.rows_replaced == 5
    # The May rows of the second run are still there, so its file is kept.
    assert SourceBlock.objects.filter(run=both).exists()
    may = Incident.objects.filter(partition__key="Fenshire Police|2026-05").first()
    assert incident_source_record(may)["Month"] == "2026-05"


def test_locations_go_with_the_last_incident_there(squares, world, write_file, run_import):
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, month_rows("2026-05", 6))), organisation="Fenshire Police")
    assert Location.objects.count() == 2
    only_a = [police_row(number, "2026-05", "Burglary", POINT_A) for number in range(1, 4)]
    again = run_import("police-uk", write_file("may-v2.csv", csv_text(POLICE_UK_HEADER, only_a)), organisation="Fenshire Police")
    assert (again.rows_replaced, again.rows_imported) == (6, 3)
    assert list(Location.objects.values_list("description", flat=True)) == [POINT_A[2]]


def test_rows_with_line_breaks_and_spreadsheets_keep_their_rows(squares, world, write_file, run_import, tmp_path):
    profile = MappingProfile.objects.create(
        name="youth", owning_organisation=world["organisations"]["council"], data_category=world["categories"]["environmental"],
        source="youth-service", date_column="Date", date_format="%d/%m/%Y", category_column="Contact",
        category_map={"Detached": "youth-detached-contact"}, location_kind=LocationKind.LSOA, lsoa_column="LSOA",
        description_column="Notes",
    )
    header = ["Date", "Contact", "LSOA", "Notes"]
    rows = [
        ["03/05/2026", "Detached", "E01000001", "Met by the shops,\nthen the park"],
        ["04/05/2026", "Detached", "E01000002", 'Said "see you Friday"'],
    ]
    run = run_import("profile", write_file("youth.csv", csv_text(header, rows)), profile=profile)
    assert run.status == ImportStatus.SUCCEEDED, run.message
    by_row = {incident.source_row: incident_source_record(incident) for incident in Incident.objects.all()}
    assert by_row == {2: dict(zip(header, rows[0], strict=True)), 3: dict(zip(header, rows[1], strict=True))}

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    sheet.append([datetime.datetime(2026, 6, 1), "Detached", "E01000001", "Quiet evening"])
    path = tmp_path / "youth.xlsx"
    workbook.save(path)
    run = run_import("profile", path, profile=profile)
    assert run.status == ImportStatus.SUCCEEDED, run.message
    incident = Incident.objects.get(import_run=run)
    assert incident_source_record(incident) == {
        "Date": "2026-06-01", "Contact": "Detached", "LSOA": "E01000001", "Notes": "Quiet evening",
    }


def test_a_bulk_load_refuses_references_to_nothing(world):
    references = store._References()
    references.add("import_run", [999_999, -1, None])  # -1 and None are "none", not references
    with pytest.raises(IntegrityError, match="import_run: 1 value.*999999"):
        references.check()
    references = store._References()
    references.add("category", ["burglary", "not-a-category", "burglary"])
    with pytest.raises(IntegrityError, match="category: 1 value.*not-a-category"):
        references.check()
    references = store._References()
    references.add("category", ["burglary"])
    references.check()


def test_the_staging_path_stores_what_it_was_given(world, squares):
    organisation = world["organisations"]["council"]
    category = world["categories"]["environmental"]
    with transaction.atomic():
        lookups = store.Lookups()
        batch = store.IncidentBatch(size=3, columns={
            "source": "test", "partition": lookups.partition_ids("test", ["a", "a", "b"]), "import_run": None,
            "owning_organisation": organisation.pk, "data_category": category.pk,
            "external_id": ["X1", "", "X3"],
            "occurred_on": [datetime.date(2026, 5, 1), datetime.date(2026, 5, 2), datetime.date(2026, 5, 1)],
            "occurred_precision": "day", "category": ["fly-tipping", "graffiti", "fly-tipping"],
            "source_category": lookups.label_ids(["Fly tip", "Graffiti", "Fly tip"]), "location": -1,
            "lsoa": [squares["lsoa_a"].pk, -1, squares["lsoa_b"].pk], "ward": -1, "community": -1,
            "outcome": lookups.label_ids(["", "Open", ""]), "source_row": [2, 3, 4],
        })
        assert store.incident_rows_insert(batches=[batch]) == 3
        assert store.incident_rows_insert(batches=[]) == 0  # its staging tables were dropped, so can be made again
        counts_refresh_marked()  # as the import does before it commits
    stored = list(Incident.objects.order_by("id").values_list(
        "external_id", "occurred_on", "category_id", "source_category__text", "lsoa__code", "outcome__text",
        "partition__key", "source_row",
    ))
    assert stored == [
        ("X1", datetime.date(2026, 5, 1), "fly-tipping", "Fly tip", "E01000001", None, "a", 2),
        ("", datetime.date(2026, 5, 2), "graffiti", "Graffiti", None, "Open", "a", 3),
        ("X3", datetime.date(2026, 5, 1), "fly-tipping", "Fly tip", "E01000002", None, "b", 4),
    ]


def test_the_incident_page_shows_the_row_as_the_source_recorded_it(client, squares, world, write_file, run_import, council_analyst):
    # Reported by a force that is no organisation here, so the council's own records (docs/decisions.md).
    rows = [[*row[:2], "Elsewhere Police", *row[3:]] for row in month_rows("2026-05", 3)]
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, rows)), organisation=world["organisations"]["council"].name)
    incident = Incident.objects.get(source_row=3)
    sign_in(client, council_analyst)
    page = client.get(reverse("web:incident-detail", args=[incident.pk])).content.decode()
    assert "As the source recorded it" in page
    assert "Row 3 of the file" in page and rows[1][6] in page and rows[1][9] in page
