"""A profile file located by postcode looks each distinct postcode up once, in batches, against
a postcode lookup of any size, and rejects only the postcodes the lookup does not have."""

import pytest

from saferplace.incidents.importers import profile as profile_importer
from saferplace.incidents.models import ImportStatus, Incident, LocationPrecision, PostcodeCentroid
from tests.incidents.conftest import csv_text
from tests.incidents.test_profiles_and_lookups import council_profile

pytestmark = pytest.mark.django_db


def test_many_postcodes_are_found_across_batches_and_unknown_ones_rejected(squares, world, write_file, run_import,
                                                                            monkeypatch):
    monkeypatch.setattr(profile_importer, "POSTCODES_PER_QUERY", 7)  # several batches, the last one part-full
    PostcodeCentroid.objects.bulk_create(
        PostcodeCentroid(postcode=f"TB{number}1AA", latitude=52.001 + number / 10_000, longitude=0.001 + number / 10_000)
        for number in range(40)
    )
    header = ["Ref", "Reported", "Type", "Postcode", "Status"]
    rows = [[f"ENV-{number}", "03/05/2026", "Fly tip", f"tb{number % 40} 1aa", "Open"] for number in range(100)]
    rows += [["ENV-100", "03/05/2026", "Fly tip", "ZZ9 9ZZ", "Open"], ["ENV-101", "03/05/2026", "Fly tip", "", "Open"]]
    run = run_import("profile", write_file("env.csv", csv_text(header, rows)), profile=council_profile(world))

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_read, run.rows_imported, run.rows_rejected) == (102, 101, 1)
    assert list(run.rejections.values_list("row_number", "field", "reason")) == [
        (102, "Postcode", "postcode not in the loaded postcode lookup"),
    ]
    for number in (0, 39, 45, 99):
        incident = Incident.objects.get(external_id=f"ENV-{number}")
        assert incident.latitude == pytest.approx(52.001 + number % 40 / 10_000)
        assert incident.location_precision == LocationPrecision.SNAPPED
    assert Incident.objects.get(external_id="ENV-101").location_precision == LocationPrecision.NONE
