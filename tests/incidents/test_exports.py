"""`saferplace/incidents/exports.py`: the CSV and GeoJSON exports write, byte for byte, what the
first exports wrote one model instance at a time (kept below as the reference), on a store with
every kind of value: no location, a location with no LSOA, a source's category and outcome, times
of day, hostile formula-leading texts, quotes, commas, line breaks and accents, in every order a
list can be sorted in; and they stay audited, and disclose nothing to a viewer who may not have it."""

import csv
import io
import json
from datetime import date, time

import pytest
from django.db import connection

from saferplace.audit.models import AuditEntry
from saferplace.csv_stream import csv_lines
from saferplace.errors import NotAllowed
from saferplace.incidents import exports
from saferplace.incidents.exports import (
    EXPORT_COLUMNS,
    incidents_export_csv,
    incidents_export_geojson,
)
from saferplace.incidents.models import (
    DatePrecision,
    Incident,
    IncidentCategory,
    LocationPrecision,
    SourceLabel,
)
from saferplace.incidents.recount import counts_rebuild
from saferplace.incidents.selectors import IncidentFilters, incident_list
from saferplace.incidents.sources import source_name
from saferplace.partners.models import DataCategory, Organisation
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from tests.conftest import OPERATOR, make_incident, make_location, viewer

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example","Click")'


# --- the reference: the exports as first written, one model instance at a time ----------------


def _old_names(incident: Incident) -> dict:
    return {
        "source_name": source_name(incident.source),
        "category_name": incident.category.name,
        "data_category_name": incident.data_category.name,
        "occurred_time": incident.occurred_time.strftime("%H:%M") if incident.occurred_time else "",
        "location_description": incident.location_description,
        "lsoa_name": incident.lsoa.name if incident.lsoa else "",
        "ward_name": incident.ward.name if incident.ward else "",
        "community_name": incident.community.name if incident.community else "",
    }


def _old_row(incident: Incident) -> list:
    return [
        incident.pk, incident.source, incident.owning_organisation.name, incident.data_category.code,
        incident.external_id, incident.occurred_on.isoformat(), incident.occurred_precision,
        incident.category_id, incident.source_category_text, incident.latitude, incident.longitude,
        incident.location_precision, incident.lsoa.code if incident.lsoa else "",
        incident.ward.code if incident.ward else "", incident.community.code if incident.community else "",
        incident.h3_cell, incident.outcome_text, *_old_names(incident).values(),
    ]


def _old_feature(incident: Incident) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [incident.longitude, incident.latitude]},
        "properties": {
            "id": incident.pk, "source": incident.source, "owning_organisation": incident.owning_organisation.name,
            "data_category": incident.data_category.code, "external_id": incident.external_id,
            "occurred_on": incident.occurred_on.isoformat(), "occurred_precision": incident.occurred_precision,
            "category": incident.category_id, "category_name": incident.category.name,
            "source_category": incident.source_category_text, "location_precision": incident.location_precision,
            "lsoa": incident.lsoa.code if incident.lsoa else None, "ward": incident.ward.code if incident.ward else None,
            "community": incident.community.code if incident.community else None, "h3_cell": incident.h3_cell or None,
            "outcome": incident.outcome_text,
            **{name: value or None for name, value in _old_names(incident).items()},
        },
    }


def _old_csv(person, filters: IncidentFilters) -> str:
    incidents = incident_list(viewer=person, filters=filters)
    return "".join(csv_lines(EXPORT_COLUMNS, (_old_row(incident) for incident in incidents)))


def _old_geojson(person, filters: IncidentFilters, metadata: dict) -> str:
    incidents = incident_list(viewer=person, filters=filters).order_by("-occurred_on", "-id")
    located = incidents.exclude(location__latitude=None).exclude(location__longitude=None)
    text = '{"type": "FeatureCollection", "metadata": ' + json.dumps(metadata) + ', "features": ['
    separator = "\n"
    for incident in located:
        text += separator + json.dumps(_old_feature(incident))
        separator = ",\n"
    return text + "\n]}\n"


# --- a store with every kind of value ---------------------------------------------------------


@pytest.fixture
def store(world):
    """Records the council analyst sees (the council's own, the police's shared ASB) with every
    kind of value, and some the analyst may not see."""
    community = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="RVF-X1", name="@Community, \"quoted\"")
    ward = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05999991", name="-Ward", parent=community)
    lsoa = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01999991", name="\tTabbed 001A", parent=ward)
    plain = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01999992", name="Northgate 002B", parent=ward)
    Organisation.objects.filter(pk=world["organisations"]["council"].pk).update(name="+Riverford, City Council")
    DataCategory.objects.filter(pk=world["categories"]["environmental"].pk).update(name="=Environmental")
    IncidentCategory.objects.create(code="hostile-dumping", name="-2+3 dumping, \"bulky\"", group="environmental")
    label = SourceLabel.objects.create(text="=cmd|' /C calc'!A0")
    outcome = SourceLabel.objects.create(text="@SUM(1,2) then \"closed\"")
    places = {"lsoa": lsoa, "ward": ward, "community": community}
    kinds = [
        # (owner, data category, extra)
        ("council", "environmental", {"external_id": HOSTILE, "source": "=source", "source_category": label,
                                      "outcome": outcome, "occurred_time": time(0, 0), **places,
                                      "location": make_location(52.45, -0.95, description=HOSTILE, h3_cell="891943684c3ffff")}),
        ("council", "environmental", {"external_id": "-0.95", "location": make_location(
            precision=LocationPrecision.NONE, description="No location given"), "occurred_precision": DatePrecision.MONTH}),
        ("council", "environmental", {"external_id": "", "source": "police-uk", "lsoa": plain, "occurred_time": time(23, 59, 59),
                                      "location": make_location(-0.0001, 0.0, precision=LocationPrecision.SNAPPED,
                                                                description="Café — Straße\nline two, \"quoted\"")}),
        ("council", "environmental", {"external_id": 'AB,12 "quoted"\r\nnext', "source": "fire-incidents",
                                      "incident_category": "hostile-dumping", "location": make_location(
                                          52.4512345678901, -0.9531, description="On or near Lincoln Road")}),
        ("council", "environmental", {"external_id": "Ünïcode-7", "occurred_on": date(2026, 6, 1), "ward": ward,
                                      "location": make_location(52.46, -0.94, precision=LocationPrecision.EXACT)}),
        ("police", "asb", {"external_id": "+44 20 7946 0000", "outcome": outcome, "occurred_on": date(2025, 12, 31),
                           "location": make_location(52.44, None, description="latitude only")}),
        ("police", "asb", {"external_id": "POL-ASB-9", "occurred_on": date(2026, 6, 1), "community": community}),
        ("police", "crime", {"external_id": "NOT-VISIBLE-1", "outcome": outcome}),
        ("bid", "asb", {"external_id": "NOT-VISIBLE-2"}),
    ]
    for owner, category, extra in kinds:
        source = extra.pop("source", "test")
        incident = make_incident(world, owner=owner, category=category, **{"occurred_on": date(2026, 5, 17), **extra})
        Incident.objects.filter(pk=incident.pk).update(source=source)
    counts_rebuild()


def _csv(person, filters: IncidentFilters) -> str:
    return "".join(incidents_export_csv(viewer=person, filters=filters))


def _geojson(person, filters: IncidentFilters) -> str:
    return "".join(incidents_export_geojson(viewer=person, filters=filters))


@pytest.mark.parametrize("sort", ["", "newest", "oldest", "category"])
def test_the_csv_export_writes_what_the_first_one_wrote(store, council_analyst, sort):
    person = viewer(council_analyst)
    filters = IncidentFilters(sort=sort)
    written = _csv(person, filters)
    assert written == _old_csv(person, filters)
    assert "NOT-VISIBLE" not in written and written.count("\r\n") >= 8  # the header and 7 rows, one with a line break
    assert "'=HYPERLINK" in written and ",-0.95," in written and "'+Riverford, City Council" in written


def test_the_geojson_export_writes_what_the_first_one_wrote(store, council_analyst):
    person = viewer(council_analyst)
    filters = IncidentFilters(sort="category")  # the GeoJSON export keeps to newest first
    written = _geojson(person, filters)
    collection = json.loads(written)
    assert written == _old_geojson(person, filters, collection["metadata"])
    assert len(collection["features"]) == 5 and collection["metadata"]["omitted_without_location"] == 2
    assert HOSTILE in {feature["properties"]["external_id"] for feature in collection["features"]}  # JSON, not a spreadsheet


def test_exports_stay_the_same_across_batches_and_forgotten_lookups(store, council_analyst, monkeypatch):
    """Two rows at a time, each lookup keeping two values: every batch reads what it needs again."""
    monkeypatch.setattr(exports, "WRITE_ROWS", 2)
    monkeypatch.setattr(exports, "REMEMBERED", 2)
    person = viewer(council_analyst)
    filters = IncidentFilters()
    assert _csv(person, filters) == _old_csv(person, filters)
    written = _geojson(person, filters)
    assert written == _old_geojson(person, filters, json.loads(written)["metadata"])


def test_the_header_comes_before_the_database_is_read(store, council_analyst, django_assert_num_queries):
    stream = incidents_export_csv(viewer=viewer(council_analyst), filters=IncidentFilters())
    with django_assert_num_queries(0):
        assert next(stream) == ",".join(EXPORT_COLUMNS) + "\r\n"
    assert len(list(stream)) == 1  # then the 7 rows, in one piece


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite sorts in memory unless told otherwise")
@pytest.mark.django_db(transaction=True)  # as a request streams it: outside any transaction
@pytest.mark.parametrize("read", ["all", "some"])
def test_sqlite_sorts_an_export_in_a_file_then_goes_back(store, council_analyst, monkeypatch, read):
    monkeypatch.setattr(exports, "WRITE_ROWS", 2)

    def temp_store() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA temp_store")
            return cursor.fetchone()[0]

    before = temp_store()
    stream = incidents_export_csv(viewer=viewer(council_analyst), filters=IncidentFilters())
    next(stream), next(stream)
    assert temp_store() == 1  # FILE, while the rows are read
    if read == "all":
        list(stream)
    else:
        stream.close()  # a download stopped part-way
    assert temp_store() == before


# --- audited, and nothing for a viewer who may not have it ------------------------------------


def test_exports_are_audited_before_the_first_row(store, council_analyst):
    person = viewer(council_analyst)
    before = AuditEntry.objects.count()
    incidents_export_csv(viewer=person, filters=IncidentFilters())  # not read at all
    incidents_export_geojson(viewer=person, filters=IncidentFilters())
    entries = list(AuditEntry.objects.order_by("sequence")[before:])
    assert [(entry.action, entry.object_repr, entry.details["rows"], entry.details["format"]) for entry in entries] == [
        ("export", "7 incidents as CSV", 7, "csv"), ("export", "5 incidents as GeoJSON", 5, "geojson")]
    assert all("scope" in entry.details for entry in entries)


def test_another_organisations_analyst_exports_none_of_these(store, bid_analyst):
    person = viewer(bid_analyst)
    written = _csv(person, IncidentFilters())
    collection = json.loads(_geojson(person, IncidentFilters()))
    assert {row["external_id"] for row in csv.DictReader(io.StringIO(written))} == {"NOT-VISIBLE-2"}  # the BID's own
    assert [feature["properties"]["external_id"] for feature in collection["features"]] == ["NOT-VISIBLE-2"]
    assert collection["metadata"]["omitted_without_location"] == 0
    for text in ("HYPERLINK", "Riverford, City Council", "=cmd", "@SUM", "Tabbed"):  # nor anything of the others'
        assert text not in written and text not in json.dumps(collection)


@pytest.mark.parametrize("persona", ["council_volunteer", "council_auditor"])
def test_a_role_without_the_export_capability_gets_nothing_and_nothing_is_audited(store, request, persona):
    person = viewer(request.getfixturevalue(persona))
    before = AuditEntry.objects.filter(action="export").count()
    for export in (incidents_export_csv, incidents_export_geojson):
        with pytest.raises(NotAllowed):
            export(viewer=person, filters=IncidentFilters())
    assert AuditEntry.objects.filter(action="export").count() == before
