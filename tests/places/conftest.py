"""Hand-made geography: two square LSOAs side by side, each in its own ward, both in one
community, local authority and force area.

    lat 52.01 ┌─────────┬─────────┐
              │ LSOA A  │ LSOA B  │
              │ ward 1  │ ward 2  │
    lat 52.00 └─────────┴─────────┘
           lon 0.00   0.01      0.02
"""

import pytest

from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from tests.conftest import OPERATOR, square


@pytest.fixture
def squares(db):
    both = {"type": "Polygon", "coordinates": [[[0, 52], [0.02, 52], [0.02, 52.01], [0, 52.01], [0, 52]]]}
    force = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.FORCE, code="E23000001", name="Test Force", boundary=both)
    authority = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LOCAL_AUTHORITY, code="E06000001", name="Testborough", parent=force, boundary=both
    )
    community = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="TST-C1", name="Test Community", parent=authority, boundary=both
    )
    ward_1 = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05000001", name="Ward 1", parent=community, boundary=square(0, 52))
    ward_2 = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05000002", name="Ward 2", parent=community, boundary=square(0.01, 52))
    lsoa_a = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01000001", name="LSOA A", parent=ward_1, population=1500, boundary=square(0, 52)
    )
    lsoa_b = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01000002", name="LSOA B", parent=ward_2, population=1600, boundary=square(0.01, 52)
    )
    return {
        "force": force, "authority": authority, "community": community,
        "ward_1": ward_1, "ward_2": ward_2, "lsoa_a": lsoa_a, "lsoa_b": lsoa_b,
    }
