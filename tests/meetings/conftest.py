"""The meetings' fixtures: a daily risk management meeting chaired by `police_chair`, with the
police, the council, the fire service and a voluntary organisation as members (health and the
BID are not), its meeting on a fixed Monday, and a chair of another organisation.

    series          "Riverford DRMM", Monday to Friday at 09:30, chaired by police_chair
    meeting         its meeting on MONDAY (planned, empty agenda)
    council_chair   a chair at the council: a member organisation, not the series' own
    voluntary       the voluntary organisation (a member)
    domestic_abuse  a special data category the chair's role opens
"""

import importlib
from datetime import date

import pytest
from django.apps import apps

from saferplace.meetings.agenda import meeting_for
from saferplace.meetings.services import series_create
from saferplace.partners.models import OrganisationKind, Role
from saferplace.partners.services import data_category_ensure, organisation_save
from tests.conftest import OPERATOR, _persona, viewer

MONDAY = date(2026, 1, 5)
SERIES = "Riverford DRMM"


@pytest.fixture(autouse=True)
def item_states(db):
    """The item states and transitions come from a migration; tests that commit empty every
    table afterwards, so they are put back here (nothing changes if they are there)."""
    importlib.import_module("saferplace.meetings.migrations.0002_item_states").forwards(apps, None)


@pytest.fixture
def voluntary(world):
    return organisation_save(viewer=OPERATOR, name="Riverford Council for Voluntary Service",
                             kind=OrganisationKind.VOLUNTARY)


@pytest.fixture
def domestic_abuse(world):
    return data_category_ensure(viewer=OPERATOR, code="domestic-abuse", name="Domestic abuse", is_special=True,
                                special_roles=[Role.CHAIR, Role.PRACTITIONER])


@pytest.fixture
def council_chair(world):
    return _persona(world, "council_chair", "council", Role.CHAIR)


@pytest.fixture
def chair(police_chair):
    return viewer(police_chair)


@pytest.fixture
def series(world, police_chair, voluntary):
    organisations = world["organisations"]
    return series_create(viewer=viewer(police_chair), name=SERIES, chair=police_chair,
                         member_organisations=[organisations["council"], organisations["fire"], voluntary])


@pytest.fixture
def meeting(series):
    return meeting_for(series, MONDAY)
