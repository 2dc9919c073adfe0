"""People's references in partners' files: stored only as pseudonyms (in the incidents' links
and in the copy of the file kept with the run), the same person recognised again within one
partner and never across two, links replaced with their incidents, and repeat victims counted
through the access policy."""

import pytest
import zstandard

from saferplace.incidents.models import (
    Incident,
    IncidentPerson,
    LocationKind,
    MappingProfile,
    SourceBlock,
)
from saferplace.incidents.pseudonyms import pseudonym
from saferplace.incidents.selectors import IncidentFilters, incident_counts_by_person
from saferplace.incidents.source_blocks import source_record
from tests.conftest import viewer
from tests.incidents.conftest import csv_text

pytestmark = pytest.mark.django_db

HEADER = ["Ref", "Reported", "Type", "Latitude", "Longitude", "Household"]
ROWS = [
    ["ASB-1", "03/05/2026", "Noise", "52.001", "0.001", "HH-0042"],
    ["ASB-2", "09/05/2026", "Noise", "52.002", "0.002", " hh-0042 "],
    ["ASB-3", "20/05/2026", "Noise", "52.003", "0.003", "HH  0042"],
    ["ASB-4", "21/05/2026", "Noise", "52.004", "0.004", "HH-0043"],
    ["ASB-5", "22/05/2026", "Noise", "52.005", "0.005", ""],
]


def housing_profile(world, organisation: str = "council", name: str = "asb-cases") -> MappingProfile:
    return MappingProfile.objects.create(
        name=name, owning_organisation=world["organisations"][organisation], data_category=world["categories"]["asb"],
        source=name, date_column="Reported", date_format="%d/%m/%Y", category_column="Type",
        category_map={"Noise": "asb-nuisance"}, location_kind=LocationKind.COORDINATES, latitude_column="Latitude",
        longitude_column="Longitude", external_id_column="Ref", person_column="Household")


def _stored_text() -> bytes:
    return b"".join(zstandard.ZstdDecompressor().decompress(bytes(block.data)) for block in SourceBlock.objects.all())


def test_references_are_stored_only_as_pseudonyms_and_the_same_person_is_recognised(world, write_file, run_import):
    run = run_import("profile", write_file("asb.csv", csv_text(HEADER, ROWS)), profile=housing_profile(world))

    assert run.rows_imported == 5, run.message
    council = world["organisations"]["council"].pk
    people = dict(IncidentPerson.objects.values_list("incident__external_id", "person"))
    assert set(people) == {"ASB-1", "ASB-2", "ASB-4"} | {"ASB-3"}  # a blank reference names nobody
    assert people["ASB-1"] == people["ASB-2"] == pseudonym(organisation_id=council, reference="HH-0042")
    assert people["ASB-3"] != people["ASB-1"]  # "HH  0042" is written differently: another reference
    assert people["ASB-4"] != people["ASB-1"]
    # Nothing kept holds a reference as written: not the links, not the kept copy of the file.
    stored = _stored_text()
    assert b"HH-0042" not in stored and b"hh-0042" not in stored and b"HH-0043" not in stored
    assert people["ASB-1"].encode() in stored
    row = source_record(run_id=run.pk, row_number=2)
    assert row["Household"] == people["ASB-1"] and row["Ref"] == "ASB-1"


def test_two_partners_references_never_match(world, write_file, run_import):
    run_import("profile", write_file("a.csv", csv_text(HEADER, ROWS[:1])), profile=housing_profile(world))
    run_import("profile", write_file("b.csv", csv_text(HEADER, [["FIRE-1", *ROWS[0][1:]]])),
               profile=housing_profile(world, organisation="fire", name="fire-cases"))

    assert IncidentPerson.objects.count() == 2
    assert IncidentPerson.objects.values("person").distinct().count() == 2


def test_a_reimport_replaces_the_links_with_the_incidents(world, write_file, run_import):
    profile = housing_profile(world)
    run_import("profile", write_file("asb.csv", csv_text(HEADER, ROWS)), profile=profile)
    changed = [["ASB-1", "03/05/2026", "Noise", "52.001", "0.001", "HH-0099"]]
    run_import("profile", write_file("asb-2.csv", csv_text(HEADER, changed)), profile=profile)

    council = world["organisations"]["council"].pk
    assert Incident.objects.filter(external_id="ASB-1").count() == 1
    assert IncidentPerson.objects.get(incident__external_id="ASB-1").person == pseudonym(
        organisation_id=council, reference="HH-0099")
    assert not IncidentPerson.objects.exclude(incident__in=Incident.objects.all()).exists()  # none left behind


def test_repeat_victims_are_counted_through_the_access_policy(world, write_file, run_import, council_analyst,
                                                             bid_analyst):
    run_import("profile", write_file("asb.csv", csv_text(HEADER, ROWS)), profile=housing_profile(world))
    council = world["organisations"]["council"].pk

    found = incident_counts_by_person(viewer=viewer(council_analyst), filters=IncidentFilters(), least=2)
    assert found == [{"person": pseudonym(organisation_id=council, reference="HH-0042"), "owner": council,
                      "category_id": "asb-nuisance", "count": 2, "first": found[0]["first"], "last": found[0]["last"],
                      "incidents": sorted(Incident.objects.filter(external_id__in=["ASB-1", "ASB-2"])
                                          .values_list("pk", flat=True))}]
    assert (found[0]["first"].isoformat(), found[0]["last"].isoformat()) == ("2026-05-03", "2026-05-09")
    assert incident_counts_by_person(viewer=viewer(council_analyst), filters=IncidentFilters(), least=3) == []
    # An organisation without an agreement for the council's records counts none of them.
    assert incident_counts_by_person(viewer=viewer(bid_analyst), filters=IncidentFilters(), least=1) == []
