"""police.uk street-level crime files: every row kept, nothing double counted, a republished
month replaces, bad files refused or rejected row by row with nothing lost."""

from collections import Counter

import pytest
from django.db.models import Count

from saferplace.audit.models import AuditEntry
from saferplace.incidents.importers import (
    IMPORTERS,
    FileRefused,
    ImportOptionError,
    import_run_create,
    rejections_csv,
    store,
)
from saferplace.incidents.models import ImportRun, ImportStatus, Incident, LocationPrecision
from saferplace.incidents.selectors import incident_source_record
from tests.conftest import OPERATOR, viewer
from tests.incidents.conftest import (
    POINT_A,
    POINT_B,
    POLICE_UK_HEADER,
    crime_id,
    csv_text,
    may_2026_rows,
    police_row,
)

pytestmark = pytest.mark.django_db


def store_snapshot() -> list[tuple]:
    return list(Incident.objects.order_by("id").values_list("id", "external_id", "partition__key", "outcome__text", "category_id"))


def file_counts(rows: list[list[str]], column: str) -> Counter:
    index = POLICE_UK_HEADER.index(column)
    return Counter(row[index] for row in rows)


def test_every_good_row_is_an_incident_and_counts_match_the_file(squares, world, write_file, run_import):
    rows = may_2026_rows()
    run = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_read, run.rows_imported, run.rows_replaced, run.rows_rejected) == (12, 11, 0, 1)
    good = [row for row in rows if row[9] != "Cyber fraud"]
    by_type = dict(Incident.objects.values_list("source_category__text").annotate(count=Count("id")).order_by())
    assert by_type == dict(file_counts(good, "Crime type"))
    by_lsoa = Counter({code or "": count for code, count in Incident.objects.values_list("lsoa__code").annotate(count=Count("id")).order_by()})
    assert by_lsoa == file_counts(good, "LSOA code")
    # Blank IDs (ASB) and identical rows are all kept.
    assert Incident.objects.filter(external_id="").count() == 3
    assert Incident.objects.filter(external_id=crime_id(2)).count() == 2


def test_places_precision_and_raw_row(squares, world, write_file, run_import):
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation="Fenshire Police")

    burglary = Incident.objects.get(external_id=crime_id(1))
    assert burglary.location_precision == LocationPrecision.SNAPPED
    assert (burglary.lsoa, burglary.ward, burglary.community) == (squares["lsoa_a"], squares["ward_1"], squares["community"])
    assert burglary.h3_cell and burglary.occurred_on.isoformat() == "2026-05-01" and burglary.occurred_precision == "month"
    assert burglary.partition.key == "Fenshire Police|2026-05"
    assert burglary.data_category.code == "crime" and burglary.owning_organisation.name == "Fenshire Police"
    assert burglary.raw is None
    assert incident_source_record(burglary) == dict(zip(POLICE_UK_HEADER, police_row(1, "2026-05", "Burglary", POINT_A), strict=True))
    assert Incident.objects.filter(category_id="anti-social-behaviour", data_category__code="asb").count() == 3

    nowhere = Incident.objects.get(external_id=crime_id(4))
    assert (nowhere.location_precision, nowhere.latitude, nowhere.lsoa, nowhere.h3_cell) == ("none", None, None, "")
    # No coordinates, but an LSOA code: the LSOA and its ward and community are kept.
    by_code = Incident.objects.get(external_id=crime_id(5))
    assert (by_code.location_precision, by_code.lsoa, by_code.ward) == ("none", squares["lsoa_b"], squares["ward_2"])


def test_rejections_name_row_field_and_reason(squares, world, write_file, run_import):
    rows = [
        police_row(1, "2026-05", "Burglary"),
        police_row(2, "May 2026", "Burglary"),
        police_row(3, "2026-05", "Burglary", ("west", "52.0", "On or near X", "E01000001", "A")),
        police_row(4, "2026-05", "Burglary", ("0.005", "95", "On or near X", "E01000001", "A")),
        police_row(5, "2026-05", "Sorcery"),
    ]
    run = run_import("police-uk", write_file("bad-rows.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")

    assert (run.status, run.rows_imported, run.rows_rejected) == (ImportStatus.SUCCEEDED, 1, 4)
    assert list(run.rejections.values_list("row_number", "field", "reason")) == [
        (3, "Month", "Month 'May 2026' is not a year and month like 2026-05"),
        (4, "Longitude", "Longitude 'west' is not a number"),
        (5, "Latitude", "Latitude 95 is out of range (-90 to 90)"),
        (6, "Crime type", "Crime type 'Sorcery' is not a police.uk crime type"),
    ]
    report = "".join(rejections_csv(viewer=OPERATOR, run=run)).splitlines()
    assert report[0] == "row_number,field,reason,raw"
    assert report[1].startswith("3,Month,Month 'May 2026' is not a year and month like 2026-05,")
    assert '""Month"": ""May 2026""' in report[1]


def test_the_same_file_twice_changes_nothing(squares, world, write_file, run_import):
    path = write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()))
    first = run_import("police-uk", path, organisation="Fenshire Police")
    before = store_snapshot()
    second = run_import("police-uk", path, organisation="Fenshire Police")

    assert second.status == ImportStatus.UNCHANGED
    assert f"run {first.pk}" in second.message
    assert (second.rows_imported, second.rows_replaced) == (0, 0)
    assert store_snapshot() == before
    assert AuditEntry.objects.filter(object_type="incidents.importrun").count() == 2


def test_a_republished_month_replaces_that_month_for_that_force(squares, world, write_file, run_import):
    rows = may_2026_rows()
    april = [police_row(90, "2026-04", "Burglary", POINT_B)]
    run_import("police-uk", write_file("april.csv", csv_text(POLICE_UK_HEADER, april)), organisation="Fenshire Police")
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")
    republished = [row[:] for row in rows[:-1]]  # one row fewer
    republished[6][10] = "Offender sent to prison"  # an outcome changed
    run = run_import("police-uk", write_file("may-v2.csv", csv_text(POLICE_UK_HEADER, republished)), organisation="Fenshire Police")

    assert (run.status, run.rows_replaced, run.rows_imported) == (ImportStatus.SUCCEEDED, 11, 10)
    assert Incident.objects.filter(partition__key="Fenshire Police|2026-05").count() == 10
    assert Incident.objects.filter(partition__key="Fenshire Police|2026-04").count() == 1
    assert Incident.objects.get(external_id=crime_id(3)).outcome_text == "Offender sent to prison"
    assert not Incident.objects.filter(external_id=crime_id(8)).exists()


def test_a_nul_character_rejects_its_row_and_keeps_the_rest(squares, world, write_file, run_import):
    """A zero byte in a value (which PostgreSQL's text cannot hold) is the row's problem, named,
    not the whole file's; the rejection shows it as ␀."""
    rows = [police_row(1, "2026-05", "Burglary"), police_row(2, "2026-05", "Burglary"), police_row(3, "2026-05", "Burglary")]
    rows[1][6] = "On or near Mill\x00Lane"
    run = run_import("police-uk", write_file("nul.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")

    assert (run.status, run.rows_imported, run.rows_rejected) == (ImportStatus.SUCCEEDED, 2, 1)
    rejection = run.rejections.get()
    assert (rejection.row_number, rejection.field) == (3, "Location")
    assert rejection.reason == "Location holds a NUL character (a zero byte), which no text can"
    assert rejection.raw["Location"] == "On or near Mill\N{SYMBOL FOR NULL}Lane"


def test_a_file_truncated_mid_row_rejects_the_cut_row_and_keeps_the_rest(squares, world, write_file, run_import):
    text = csv_text(POLICE_UK_HEADER, may_2026_rows())
    cut = text[: text.rindex("Robbery") + 3]  # "…,Rob"
    run = run_import("police-uk", write_file("cut.csv", cut), organisation="Fenshire Police")

    assert run.status == ImportStatus.SUCCEEDED
    assert run.rows_imported == 10
    reasons = list(run.rejections.values_list("row_number", "reason"))
    assert (13, "the row is incomplete: the file ends part-way through it (a truncated download?)") in reasons


def test_a_file_cut_inside_a_quoted_field_is_refused_and_nothing_is_lost(squares, world, write_file, run_import):
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation="Fenshire Police")
    before = store_snapshot()
    text = csv_text(POLICE_UK_HEADER, may_2026_rows()) + f'{crime_id(99)},2026-05,F,F,0.1,52.0,"On or near'
    run = run_import("police-uk", write_file("quoted.csv", text), organisation="Fenshire Police")

    assert run.status == ImportStatus.REFUSED
    assert "could not be read as CSV" in run.message
    assert store_snapshot() == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "the file is empty"),
        (csv_text(["Crime ID", "Month", "Falls within", "Outcome type"], [["1", "2026-05", "F", "x"]]), "expected the columns Crime ID, Month, Reported by"),
        ("Crime ID,Month\n1,2026-05\n".encode("cp1252") + b"\xe9\xe9\n", "not UTF-8"),
        (csv_text(POLICE_UK_HEADER, may_2026_rows()).replace("Mill Lane", "Mill L\xe9ane").encode("cp1252"), "not UTF-8"),
    ],
    ids=["empty", "wrong-header", "wrong-header-and-encoding", "not-utf8"],
)
def test_files_in_the_wrong_format_are_refused(squares, world, write_file, run_import, content, expected):
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation="Fenshire Police")
    before = store_snapshot()
    run = run_import("police-uk", write_file("wrong.csv", content), organisation="Fenshire Police")

    assert run.status == ImportStatus.REFUSED
    assert expected in run.message
    assert run.message.startswith("This is not a police.uk street-level crime file")
    assert store_snapshot() == before


def test_an_outcomes_file_given_to_the_crime_importer_says_which_importer_to_use(squares, world, write_file, run_import):
    header = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code", "LSOA name", "Outcome type"]
    run = run_import("police-uk", write_file("outcomes.csv", csv_text(header, [])), organisation="Fenshire Police")
    assert run.status == ImportStatus.REFUSED
    assert "missing: Crime type, Last outcome category, Context" in run.message
    assert "police-uk-outcomes" in run.message


def test_a_crash_after_the_delete_leaves_the_store_exactly_as_before(squares, world, write_file, run_import, monkeypatch):
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation="Fenshire Police")
    before = store_snapshot()
    runs_before = ImportRun.objects.count()

    def explode(**kwargs):
        assert Incident.objects.filter(partition__key="Fenshire Police|2026-05").count() == 0  # the delete happened
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "incident_rows_insert", explode)
    rows = may_2026_rows()[:5]
    run = run_import("police-uk", write_file("may-v2.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")

    assert run.status == ImportStatus.FAILED
    assert "disk full" in run.message and "nothing was changed" in run.message
    assert store_snapshot() == before
    run.refresh_from_db()
    assert (run.status, run.rows_imported, run.rows_replaced) == (ImportStatus.FAILED, 0, 0)
    assert not run.rejections.exists()
    assert ImportRun.objects.count() == runs_before + 1


def test_progress_is_reported_and_saved_on_the_run(squares, world, write_file, police_analyst):
    path = write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()))
    analyst = viewer(police_analyst)
    run = import_run_create(viewer=analyst, importer="police-uk", file_name=path.name)
    assert run.status == ImportStatus.QUEUED and run.organisation == world["organisations"]["police"]
    seen = []
    from saferplace.incidents.importers import import_file

    run = import_file(viewer=analyst, run=run, path=path, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (12, 12)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    run.refresh_from_db()
    assert (run.progress_done, run.progress_total) == (12, 12)
    assert run.started_by == police_analyst and run.file_hash and run.file_size == path.stat().st_size
    assert run.lease_expires_at is None and run.attempts == 1


def test_the_run_is_audited(squares, world, write_file, run_import):
    run = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation="Fenshire Police")
    entry = AuditEntry.objects.get(object_type="incidents.importrun", object_id=str(run.pk))
    assert entry.action == "create" and entry.actor_username == "operator:test-suite"
    assert entry.details["rows"] == {"read": 12, "imported": 11, "replaced": 0, "updated": 0, "rejected": 1}
    assert entry.details["file_hash"] == run.file_hash
    assert entry.details["organisation"] == "Fenshire Police"


def test_options_are_checked_when_the_run_is_created(world, operator, council_analyst):
    with pytest.raises(ImportOptionError, match="Say which organisation"):
        import_run_create(importer="stats19", file_name="x.csv", viewer=operator, options={})
    # A police.uk file names its force (Reported by): the organisation is found when it is read.
    assert import_run_create(importer="police-uk", file_name="x.csv", viewer=operator, options={}).organisation is None
    with pytest.raises(ImportOptionError, match="No organisation called 'Nobody'"):
        import_run_create(importer="police-uk", file_name="x.csv", viewer=operator, options={"organisation": "Nobody"})
    with pytest.raises(ImportOptionError, match="No importer called"):
        import_run_create(importer="crimes", file_name="x.csv", viewer=viewer(council_analyst))
    assert set(IMPORTERS) == {"police-uk", "police-uk-outcomes", "stats19", "profile", "place-lookup", "population", "postcode-lookup"}
    assert issubclass(FileRefused, Exception)


def test_unknown_lsoa_codes_become_places_and_bad_ones_are_rejected(squares, world, write_file, run_import):
    rows = [
        police_row(1, "2026-05", "Burglary", ("", "", "No location", "E01099999", "Elsewhere 001A")),
        police_row(2, "2026-05", "Burglary", ("", "", "No location", "E05000001", "A ward")),
    ]
    run = run_import("police-uk", write_file("codes.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")
    assert run.rows_imported == 1
    incident = Incident.objects.get()
    assert (incident.lsoa.code, incident.lsoa.name, incident.ward) == ("E01099999", "Elsewhere 001A", None)
    assert list(run.rejections.values_list("field", flat=True)) == ["LSOA code"]


def test_raw_rows_keep_text_that_needs_escaping(squares, world, write_file, run_import):
    point = ("0.004500", "52.005500", 'On or near "The Feathers", Back\\Lane', "E01000001", "Testborough 001A")
    row = police_row(1, "2026-05", "Burglary", point)
    run_import("police-uk", write_file("quotes.csv", csv_text(POLICE_UK_HEADER, [row])), organisation="Fenshire Police")
    incident = Incident.objects.get()
    assert incident_source_record(incident) == dict(zip(POLICE_UK_HEADER, row, strict=True))
    assert incident.location_description == 'On or near "The Feathers", Back\\Lane'


def test_the_run_says_it_is_storing_while_the_write_runs(squares, world, write_file, run_import, monkeypatch):
    """The write is one transaction, invisible to the run page until it commits; before it
    starts, the run says every row was read and is being stored."""
    seen = {}
    write = IMPORTERS["police-uk"].write

    def spying_write(context, prepared):
        stored = ImportRun.objects.get(pk=context.run.pk)
        seen.update(message=stored.message, done=stored.progress_done, total=stored.progress_total)
        return write(context, prepared)

    monkeypatch.setattr(IMPORTERS["police-uk"], "write", spying_write)
    run = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation="Fenshire Police")
    assert seen == {"message": "12 rows read and checked; storing them now.", "done": 6, "total": 12}
    assert run.message.startswith("12 rows read, 11 imported")


# --- whose records: the file's "Reported by" (docs/decisions.md) ---------------------------------

def reported_by(row: list[str], force: str) -> list[str]:
    return [*row[:2], force, *row[3:]]


def test_the_operator_files_the_records_under_the_force_the_file_names(squares, world, write_file, run_import):
    run = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())))
    police = world["organisations"]["police"]
    assert (run.status, run.rows_imported, run.organisation) == (ImportStatus.SUCCEEDED, 11, police)
    assert set(Incident.objects.values_list("owning_organisation", flat=True)) == {police.pk}
    assert AuditEntry.objects.filter(object_type="incidents.importrun", object_id=str(run.pk)).get().details[
        "organisation"] == "Fenshire Police"


def test_a_force_that_is_no_organisation_needs_one_named(squares, world, write_file, run_import):
    rows = [reported_by(row, "Elsewhere Police") for row in may_2026_rows()]
    refused = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, rows)))
    assert refused.status == ImportStatus.REFUSED
    assert refused.message == ("Reported by is 'Elsewhere Police', which is not the name of an organisation in "
                               "SaferPlace: say which organisation's records these are (--organisation).")
    named = run_import("police-uk", write_file("may-2.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Riverford City Council")
    assert (named.status, named.organisation) == (ImportStatus.SUCCEEDED, world["organisations"]["council"])
    assert not Incident.objects.filter(import_run=refused.pk).exists()


def test_the_operator_naming_another_organisation_than_the_file_is_refused(squares, world, write_file, run_import):
    run = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())),
                     organisation="Riverford City Council")
    assert run.status == ImportStatus.REFUSED
    assert run.message.startswith("Reported by is 'Fenshire Police', an organisation in SaferPlace, but the import is "
                                  "for Riverford City Council")
    assert not Incident.objects.exists()


def test_a_person_imports_their_own_forces_file_and_not_anothers(squares, world, write_file, police_analyst, council_analyst):
    from saferplace.incidents.importers import import_file

    path = write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()))
    officer = viewer(police_analyst)
    own = import_file(viewer=officer, run=import_run_create(viewer=officer, importer="police-uk", file_name=path.name), path=path)
    assert (own.status, own.organisation) == (ImportStatus.SUCCEEDED, world["organisations"]["police"])
    before = store_snapshot()
    analyst = viewer(council_analyst)
    other = import_file(viewer=analyst, run=import_run_create(viewer=analyst, importer="police-uk", file_name="again.csv"),
                        path=write_file("again.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()[:3])))
    assert other.status == ImportStatus.REFUSED
    assert other.message == ("Reported by is 'Fenshire Police': these are Fenshire Police's records, and you can import "
                             "only Riverford City Council's. Ask someone at Fenshire Police to import the file.")
    assert other.organisation == world["organisations"]["council"] and store_snapshot() == before


def test_a_row_reported_by_another_organisation_is_rejected(squares, world, write_file, run_import):
    rows = [*may_2026_rows()[:4], reported_by(police_row(50, "2026-05", "Burglary"), "Riverford City Council")]
    run = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, rows)))
    assert (run.status, run.rows_imported, run.rows_rejected) == (ImportStatus.SUCCEEDED, 4, 1)
    rejection = run.rejections.get()
    assert (rejection.row_number, rejection.field) == (6, "Reported by")
    assert rejection.reason.startswith("Reported by 'Riverford City Council' is another organisation in SaferPlace; "
                                       "this file's records are Fenshire Police's")


def test_a_partner_calling_itself_by_the_force_s_name_does_not_get_the_force_s_records(
        squares, world, write_file, run_import):
    """Only a police force owns a file its Reported by names; names match ignoring case and spaces."""
    from saferplace.partners.services import organisation_save
    from tests.conftest import OPERATOR

    organisation_save(viewer=OPERATOR, organisation=world["organisations"]["bid"], name="Fenshire Constabulary",
                      kind="other")
    rows = [reported_by(row, "fenshire  POLICE") for row in may_2026_rows()[:3]]
    run = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, rows)))
    assert run.status == ImportStatus.SUCCEEDED and run.organisation == world["organisations"]["police"]
    rows = [reported_by(row, "Fenshire Constabulary") for row in may_2026_rows()[:3]]
    refused = run_import("police-uk", write_file("june.csv", csv_text(POLICE_UK_HEADER, rows)))
    assert refused.organisation != world["organisations"]["bid"]
