"""The tasks' fixtures (imported by the conftests of tests/tasking, tests/web and tests/browser):
a community with a ward, a council team with its lead and members, a volunteer working in the
community, and a way to set a task as the operator (or anyone)."""

import pytest

from saferplace.partners.models import Role
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from saferplace.tasking.models import Task, WorkingArea
from saferplace.tasking.services import task_create
from tests.conftest import OPERATOR, _persona, square


@pytest.fixture
def area(world):
    community = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="RVF-C1",
                                       name="Riverford Central", population=9000, boundary=square(-0.96, 52.44, 0.02))
    ward = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05900001", name="Parkside",
                                  parent=community, population=4500, boundary=square(-0.96, 52.44))
    elsewhere = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="RVF-C2", name="Riverford North",
                                       population=8000, boundary=square(-0.90, 52.50, 0.02))
    return {"community": community, "ward": ward, "elsewhere": elsewhere}


@pytest.fixture
def council_team(world):
    from saferplace.partners.services import team_create

    return team_create(viewer=OPERATOR, organisation=world["organisations"]["council"], name="Neighbourhood")


@pytest.fixture
def council_other_team(world):
    from saferplace.partners.services import team_create

    return team_create(viewer=OPERATOR, organisation=world["organisations"]["council"], name="Street scene")


def _member(world, username, role, team):
    user = _persona(world, username, "council", role)
    user.team = team
    user.email = f"{username}@example.org"
    user.save(update_fields=["team", "email"])
    return user


@pytest.fixture
def council_officer(world, council_team):
    """A practitioner in the council's Neighbourhood team (works on tasks, does not assign them)."""
    return _member(world, "council_officer", Role.PRACTITIONER, council_team)


@pytest.fixture
def council_lead(world, council_team):
    """A practitioner who leads the Neighbourhood team."""
    lead = _member(world, "council_lead", Role.PRACTITIONER, council_team)
    council_team.lead = lead
    council_team.save(update_fields=["lead"])
    return lead


@pytest.fixture
def council_street_officer(world, council_other_team):
    return _member(world, "street_officer", Role.PRACTITIONER, council_other_team)


@pytest.fixture
def volunteer(council_volunteer, area):
    """The council's volunteer, working in Riverford Central (so its wards too)."""
    WorkingArea.objects.create(user=council_volunteer, place=area["community"])
    return council_volunteer


@pytest.fixture
def other_volunteer(world, area):
    """A second volunteer, working in Riverford Central too."""
    user = _persona(world, "second_volunteer", "council", Role.VOLUNTEER)
    WorkingArea.objects.create(user=user, place=area["community"])
    return user


@pytest.fixture
def make_task(world):
    def make(organisation="council", *, by=OPERATOR, **fields):
        """A task; one set by another organisation for a named person (as a meeting tasks the
        agency, which then gives it to its officer) is made for the agency, then given."""
        fields.setdefault("title", "Check the underpass for rough sleeping")
        assignee = fields.pop("assignee", None)
        agency = world["organisations"][organisation]
        if by.is_operator or by.organisation_id == agency.pk:
            return task_create(viewer=by, organisation=agency, assignee=assignee, **fields)
        task = task_create(viewer=by, organisation=agency, across_partnership=True, **fields)
        if assignee is not None:
            Task.objects.filter(pk=task.pk).update(assignee=assignee)
            task.refresh_from_db()
        return task

    return make
