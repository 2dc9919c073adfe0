"""Sharing agreements grant access only once every party has signed them as they stand: a party
can narrow an agreement alone, but a change that gives anyone more asks the others to sign
again, and an administrator only changes agreements their organisation is a party to."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from saferplace.errors import NotAllowed
from saferplace.incidents.models import Incident
from saferplace.partners import access
from saferplace.partners.models import AgreementStatus, LawfulBasis, SpecialCategoryCondition
from saferplace.partners.services import agreement_save, agreement_sign, agreement_suspend
from tests.conftest import _persona, viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_admin(world):
    from saferplace.partners.models import Role

    return _persona(world, "police_admin", "police", Role.ADMINISTRATOR)


def _visible(user) -> set[str]:
    return set(access.visible_to(viewer(user), Incident.objects.all()).values_list("external_id", flat=True))


def _terms(world, **changes) -> dict:
    terms = {
        "title": "Crime sharing", "reference": "ISA-CRIME", "purpose": "Problem solving",
        "lawful_basis": LawfulBasis.CRIME_AND_DISORDER,
        "parties": [world["organisations"]["council"], world["organisations"]["police"]],
        "data_categories": [world["categories"]["crime"]], "start_date": date.today() - timedelta(days=1),
        "status": AgreementStatus.ACTIVE,
    }
    return terms | changes


def test_an_agreement_grants_nothing_until_every_party_signs(records, world, council_admin, police_admin, council_analyst):
    agreement = agreement_save(viewer=viewer(council_admin), **_terms(world))
    assert "POL-CRIME-1" not in _visible(council_analyst)  # signed by the council only
    agreement_sign(viewer=viewer(police_admin), agreement=agreement)
    assert "POL-CRIME-1" in _visible(council_analyst)


def test_widening_asks_the_other_parties_to_sign_again(records, world, council_admin, police_admin, council_analyst):
    agreement = agreement_save(viewer=viewer(council_admin), **_terms(world))
    agreement_sign(viewer=viewer(police_admin), agreement=agreement)
    # The council adds safeguarding on its own: the police's signature goes, so nothing more opens…
    agreement_save(viewer=viewer(council_admin), agreement=agreement,
                   **_terms(world, data_categories=[world["categories"]["crime"], world["categories"]["safeguarding"]],
                            special_category_condition=SpecialCategoryCondition.SAFEGUARDING))
    assert set(agreement.signatures.values_list("organisation__name", flat=True)) == {"Riverford City Council"}
    assert "POL-CRIME-1" not in _visible(council_analyst)  # …and what was open closes until they sign again


def test_narrowing_needs_nobody_else(records, world, council_admin, police_admin, council_analyst):
    agreement = agreement_save(viewer=viewer(council_admin), **_terms(world))
    agreement_sign(viewer=viewer(police_admin), agreement=agreement)
    agreement_suspend(viewer=viewer(police_admin), agreement=agreement, reason="Breach under investigation")
    assert agreement.signatures.count() == 2
    assert "POL-CRIME-1" not in _visible(council_analyst)  # suspended: grants nothing


def test_only_a_party_changes_or_signs(world, council_admin):
    safeguarding = world["agreements"]["safeguarding"]  # police and health
    with pytest.raises(NotAllowed):
        agreement_save(viewer=viewer(council_admin), agreement=safeguarding, **_terms(world, reference="ISA-SAFE"))
    with pytest.raises(NotAllowed):
        agreement_sign(viewer=viewer(council_admin), agreement=safeguarding)
    with pytest.raises(ValidationError, match="Your own organisation must be one of the parties"):
        agreement_save(viewer=viewer(council_admin), **_terms(
            world, reference="ISA-NEW", parties=[world["organisations"]["police"], world["organisations"]["health"]]))
