"""The access policy, persona by persona: owner sees, agreement party sees, nobody else."""

from datetime import date, timedelta

import pytest

from saferplace.incidents.models import Incident
from saferplace.partners import access
from saferplace.partners.models import AgreementStatus
from saferplace.partners.services import agreement_save
from tests.conftest import OPERATOR, viewer

pytestmark = pytest.mark.django_db


def visible_ids(user):
    return set(access.visible_to(viewer(user), Incident.objects.all()).values_list("external_id", flat=True))


def test_owner_sees_its_own_records(records, police_officer):
    assert {"POL-ASB-1", "POL-CRIME-1", "POL-SAFE-1"} <= visible_ids(police_officer)


def test_party_to_an_active_agreement_sees_covered_categories_only(records, council_analyst):
    seen = visible_ids(council_analyst)
    assert "POL-ASB-1" in seen  # CSP agreement covers ASB
    assert "FRS-FIRE-1" in seen  # fire agreement covers fire
    assert "CC-ENV-1" in seen  # its own
    assert "POL-CRIME-1" not in seen  # the crime agreement has expired
    assert "POL-SAFE-1" not in seen  # not a party to the safeguarding agreement
    assert "BID-ASB-1" not in seen  # the BID is party to nothing


def test_organisation_without_an_agreement_sees_only_its_own(records, bid_analyst):
    assert visible_ids(bid_analyst) == {"BID-ASB-1"}


def test_agreements_are_not_transitive(records, fire_officer):
    # Fire shares with the council, the council shares ASB with the police: fire still cannot
    # see police ASB.
    assert visible_ids(fire_officer) == {"FRS-FIRE-1"}


def test_special_category_needs_a_role_that_allows_it(records, world, police_officer, health_analyst):
    assert "POL-SAFE-1" in visible_ids(police_officer)  # owner, practitioner: allowed
    # Health is party to the safeguarding agreement, but an analyst's role is not allowed it.
    assert "POL-SAFE-1" not in visible_ids(health_analyst)


def test_special_category_is_hidden_even_from_the_owner_without_the_role(records, world):
    from saferplace.partners.models import Role
    from tests.conftest import _persona

    police_analyst = _persona(world, "police_analyst", "police", Role.ANALYST)
    seen = visible_ids(police_analyst)
    assert "POL-SAFE-1" not in seen
    assert "POL-ASB-1" in seen


@pytest.mark.parametrize(
    ("status", "start_offset", "end_offset", "grants"),
    [
        (AgreementStatus.ACTIVE, -10, None, True),
        (AgreementStatus.ACTIVE, -10, 10, True),
        (AgreementStatus.ACTIVE, -10, 0, True),  # the end date itself is still in force
        (AgreementStatus.ACTIVE, 5, None, False),  # not started yet
        (AgreementStatus.ACTIVE, -30, -1, False),  # ended yesterday
        (AgreementStatus.DRAFT, -10, None, False),
        (AgreementStatus.SUSPENDED, -10, None, False),
        (AgreementStatus.ENDED, -10, None, False),
    ],
)
def test_only_active_in_date_agreements_grant_access(world, records, bid_analyst, status, start_offset, end_offset, grants):
    today = date.today()
    agreement_save(
        viewer=OPERATOR, title="BID and police", reference="ISA-BID", purpose="Town centre ASB",
        lawful_basis="public_task", parties=[world["organisations"]["bid"], world["organisations"]["police"]],
        data_categories=[world["categories"]["asb"]], start_date=today + timedelta(days=start_offset),
        end_date=today + timedelta(days=end_offset) if end_offset is not None else None, status=status,
    )
    assert ("POL-ASB-1" in visible_ids(bid_analyst)) is grants


def test_can_view_agrees_with_visible_to_for_every_persona_and_record(
    records, council_analyst, police_officer, police_chair, fire_officer, bid_analyst, health_analyst,
    council_admin, council_auditor,
):
    for user in [council_analyst, police_officer, police_chair, fire_officer, bid_analyst, health_analyst,
                 council_admin, council_auditor]:
        listed = visible_ids(user)
        for record in records.values():
            assert access.allows(viewer(user), record) is (record.external_id in listed), (user.username, record.external_id)


def test_inactive_and_anonymous_users_see_nothing(records, police_officer):
    from django.contrib.auth.models import AnonymousUser

    assert visible_ids(AnonymousUser()) == set()
    police_officer.is_active = False
    assert visible_ids(police_officer) == set()


def test_superuser_flag_grants_nothing_extra(records, bid_analyst):
    bid_analyst.is_superuser = True
    bid_analyst.save()
    assert visible_ids(bid_analyst) == {"BID-ASB-1"}
