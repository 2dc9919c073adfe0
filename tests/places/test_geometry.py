import math

import h3
import numpy as np
import pytest
from django.core.exceptions import ValidationError

from saferplace.places.geometry import assign_places, h3_cell, h3_cells, place_for_point
from saferplace.places.models import Place, PlaceKind
from saferplace.places.services import place_create_or_update, place_get_or_create_from_code
from tests.conftest import OPERATOR, square


def test_place_for_point_finds_the_square_containing_it(squares):
    assert place_for_point(52.005, 0.005) == squares["lsoa_a"]
    assert place_for_point(52.005, 0.015) == squares["lsoa_b"]
    assert place_for_point(52.005, 0.015, kind=PlaceKind.WARD) == squares["ward_2"]
    assert place_for_point(52.005, 0.015, kind=PlaceKind.COMMUNITY) == squares["community"]


def test_place_for_point_outside_every_place_or_missing_is_none(squares):
    assert place_for_point(52.5, 0.005) is None
    assert place_for_point(math.nan, 0.005) is None
    assert place_for_point(52.005, math.nan) is None


def test_assign_places_walks_up_the_hierarchy(squares):
    result = assign_places(np.array([52.005, 52.005, 51.0, np.nan]), np.array([0.005, 0.015, 0.005, 0.005]))
    assert result[PlaceKind.LSOA].tolist() == [squares["lsoa_a"].pk, squares["lsoa_b"].pk, -1, -1]
    assert result[PlaceKind.WARD].tolist() == [squares["ward_1"].pk, squares["ward_2"].pk, -1, -1]
    assert result[PlaceKind.COMMUNITY].tolist() == [squares["community"].pk] * 2 + [-1, -1]
    assert result[PlaceKind.LOCAL_AUTHORITY].tolist() == [squares["authority"].pk] * 2 + [-1, -1]
    assert result[PlaceKind.FORCE].tolist() == [squares["force"].pk] * 2 + [-1, -1]


def test_assign_places_with_no_points_returns_empty_arrays(squares):
    result = assign_places([], [])
    assert all(len(ids) == 0 for ids in result.values())


def test_the_index_is_rebuilt_after_a_place_changes(squares):
    assert place_for_point(52.005, 0.015) == squares["lsoa_b"]
    # LSOA B moves north, above LSOA A.
    place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01000002", name="LSOA B", parent=squares["ward_2"], boundary=square(0, 52.01)
    )
    assert place_for_point(52.005, 0.015) is None
    assert place_for_point(52.015, 0.005) == squares["lsoa_b"]


def test_places_known_only_by_code_do_not_stop_assignment(squares):
    place_get_or_create_from_code(viewer=OPERATOR, code="E01009999")
    assert place_for_point(52.005, 0.005) == squares["lsoa_a"]


def test_h3_cell_uses_resolution_9_by_default():
    cell = h3_cell(52.45, -0.95)
    assert h3.get_resolution(cell) == 9
    assert h3.is_valid_cell(cell)
    assert h3.get_resolution(h3_cell(52.45, -0.95, resolution=5)) == 5


def test_h3_cell_follows_the_h3_resolution_setting(settings):
    settings.H3_RESOLUTION = 7
    assert h3.get_resolution(h3_cell(52.45, -0.95)) == 7
    cells = h3_cells([52.45, np.nan], [-0.95, -0.95])
    assert h3.get_resolution(cells[0]) == 7
    assert cells[1] is None


def test_h3_cells_agree_with_h3_cell():
    latitudes, longitudes = [52.45, 52.46, 51.5], [-0.95, -0.96, -0.12]
    assert h3_cells(latitudes, longitudes) == [h3_cell(lat, lon) for lat, lon in zip(latitudes, longitudes, strict=True)]


@pytest.mark.django_db
def test_a_place_can_be_known_by_its_code_alone():
    lsoa = place_get_or_create_from_code(viewer=OPERATOR, code=" e01001234 ")
    assert (lsoa.code, lsoa.kind, lsoa.name, lsoa.boundary) == ("E01001234", PlaceKind.LSOA, "E01001234", None)
    assert place_get_or_create_from_code(viewer=OPERATOR, code="E01001234") == lsoa
    assert place_get_or_create_from_code(viewer=OPERATOR, code="E05001234").kind == PlaceKind.WARD
    assert place_get_or_create_from_code(viewer=OPERATOR, code="E23000031").kind == PlaceKind.FORCE
    assert Place.objects.count() == 3


@pytest.mark.django_db
def test_an_unknown_code_prefix_needs_the_kind_of_place():
    with pytest.raises(ValidationError, match="'X99000001' is not an ONS code SaferPlace recognises"):
        place_get_or_create_from_code(viewer=OPERATOR, code="X99000001")
    assert not Place.objects.exists()
    community = place_get_or_create_from_code(viewer=OPERATOR, code="X99000001", kind=PlaceKind.COMMUNITY, name="Old Town")
    assert (community.kind, community.name) == (PlaceKind.COMMUNITY, "Old Town")
