"""Which ranked issues are one on the agenda: the same category in hexagons next to each other."""

import h3

from saferplace.meetings.agenda import _same_place

CENTRE = h3.latlng_to_cell(52.57, -0.24, 9)  # hexagons of resolution 9 are about 350 m across


def issue(category: str, cell: str) -> dict:
    return {"category": category, "h3_cell": cell}


def test_neighbouring_hexagons_of_one_category_are_one_issue():
    near = next(iter(h3.grid_ring(CENTRE, 1)))
    far = next(iter(h3.grid_ring(CENTRE, 3)))
    assert _same_place(issue("burglary", CENTRE), issue("burglary", near))
    assert not _same_place(issue("burglary", CENTRE), issue("burglary", far))
    assert not _same_place(issue("burglary", CENTRE), issue("anti-social-behaviour", near))


def test_repeat_locations_along_one_street_are_one_issue():
    assert _same_place(issue("burglary", "location:52.56624,-0.24"), issue("burglary", "location:52.56643,-0.23529"))
    assert _same_place(issue("burglary", "location:52.57,-0.24"), issue("burglary", CENTRE))
    assert not _same_place(issue("burglary", "location:52.56624,-0.24"), issue("burglary", "location:52.6,-0.24"))
    assert not _same_place(issue("burglary", "location:not,a-point"), issue("burglary", "location:52.6,-0.24"))


def test_wards_are_one_issue_only_when_the_same():
    assert _same_place(issue("burglary", "ward:E05000001"), issue("burglary", "ward:E05000001"))
    assert not _same_place(issue("burglary", "ward:E05000001"), issue("burglary", "ward:E05000002"))
    assert not _same_place(issue("burglary", "ward:E05000001"), issue("burglary", CENTRE))
    far_away = h3.latlng_to_cell(-33.9, 151.2, 9)
    assert not _same_place(issue("burglary", CENTRE), issue("burglary", far_away))
