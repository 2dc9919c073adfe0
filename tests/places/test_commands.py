import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from saferplace.places.models import Place, PlaceKind
from tests.conftest import square


def run(*args: str) -> str:
    output = StringIO()
    call_command("places", *args, stdout=output)
    return output.getvalue()


def write(tmp_path, features) -> str:
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_load_geojson_then_list(tmp_path):
    path = write(tmp_path, [
        {"type": "Feature", "properties": {"WD24CD": "E05000001", "WD24NM": "Ward 1", "POP": 8000}, "geometry": square(0, 52)},
        {"type": "Feature", "properties": {"WD24CD": "E05000002", "WD24NM": "Ward 2", "POP": 9000}, "geometry": square(0.01, 52)},
    ])
    output = run("load-geojson", path, "--kind", "ward", "--code-property", "WD24CD",
                 "--name-property", "WD24NM", "--population-property", "POP")
    assert "2 ward places created, 0 updated" in output
    assert Place.objects.get(code="E05000002").population == 9000
    listing = run("list")
    ward_line = next(line for line in listing.splitlines() if line.startswith("Ward"))
    assert ward_line.split()[1:] == ["2", "2"]
    only_wards = run("list", "--kind", "ward")
    assert "Ward" in only_wards and "Community" not in only_wards


@pytest.mark.django_db
def test_load_geojson_errors_become_command_errors(tmp_path):
    path = write(tmp_path, [{"type": "Feature", "properties": {"WD24NM": "Ward 1"}, "geometry": square(0, 52)}])
    with pytest.raises(CommandError, match="feature 1: property 'WD24CD' is missing or blank"):
        run("load-geojson", path, "--kind", "ward", "--code-property", "WD24CD", "--name-property", "WD24NM")
    assert not Place.objects.filter(kind=PlaceKind.WARD).exists()
