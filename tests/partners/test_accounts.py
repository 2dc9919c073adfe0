"""People: administrators add people to their own organisation only; a role that opens a special
category waits for a second administrator; a first password is changed at first sign-in;
deactivating someone ends their sessions and tokens."""

import pytest
from django.core.exceptions import ValidationError

from saferplace.audit.models import AuditEntry
from saferplace.errors import NotAllowed, NotFound
from saferplace.partners.models import ApiToken, RoleRequestStatus, User
from saferplace.partners.services import (
    api_token_create,
    role_request_decide,
    user_create,
    user_role_change,
    user_set_active,
)
from tests.conftest import OPERATOR, PASSWORD, _persona, viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_admin(world):
    from saferplace.partners.models import Role

    return _persona(world, "second_admin", "council", Role.ADMINISTRATOR)


def _add(admin, world, role: str, username: str = "new.person") -> User:
    return user_create(viewer=viewer(admin), username=username, password=PASSWORD, role=role,
                       organisation=world["organisations"]["council"], validate=False)


def test_a_role_that_opens_a_special_category_waits_for_a_second_administrator(world, council_admin, second_admin):
    person = _add(council_admin, world, "practitioner")  # practitioners see safeguarding
    assert not person.is_active and person.must_change_password
    request = person.role_requests.get()
    assert (request.status, request.requested_by) == (RoleRequestStatus.PENDING, "council_admin")
    with pytest.raises(NotAllowed, match="second administrator"):
        role_request_decide(viewer=viewer(council_admin), request=request, approve=True)
    with pytest.raises(ValidationError, match="waiting for a second administrator"):
        user_set_active(viewer=viewer(council_admin), user=person, active=True)
    person.refresh_from_db()
    assert not person.is_active
    role_request_decide(viewer=viewer(second_admin), request=request, approve=True, reason="works with children's services")
    person.refresh_from_db()
    assert person.is_active and person.role == "practitioner"
    entry = AuditEntry.objects.filter(object_type="partners.user", object_id=str(person.pk)).latest("sequence")
    assert (entry.actor_username, entry.details["role_approval"]) == ("second_admin", "approved")


def test_a_role_that_opens_no_special_category_is_given_at_once(world, council_admin):
    person = _add(council_admin, world, "analyst")
    assert person.is_active and person.role_requests.get().status == RoleRequestStatus.APPROVED


def test_changing_to_a_special_role_keeps_the_old_role_until_approved(world, council_admin, second_admin, council_analyst):
    request = user_role_change(viewer=viewer(council_admin), user=council_analyst, role="chair", reason="chairs the DRMM now")
    council_analyst.refresh_from_db()
    assert request.status == RoleRequestStatus.PENDING and council_analyst.role == "analyst"
    role_request_decide(viewer=viewer(second_admin), request=request, approve=False, reason="not agreed")
    council_analyst.refresh_from_db()
    assert council_analyst.role == "analyst"
    request.refresh_from_db()
    assert request.status == RoleRequestStatus.REFUSED and "not agreed" in request.reason


def test_an_administrator_of_another_organisation_can_neither_add_nor_approve(world, council_admin, police_officer):
    from saferplace.partners.models import Role

    police_admin = _persona(world, "police_admin", "police", Role.ADMINISTRATOR)
    with pytest.raises(NotAllowed):
        user_create(viewer=viewer(council_admin), username="eve", password=PASSWORD, role="practitioner",
                    organisation=world["organisations"]["police"])
    request = user_role_change(viewer=viewer(police_admin), user=police_officer, role="chair")
    with pytest.raises(NotFound):
        role_request_decide(viewer=viewer(council_admin), request=request, approve=True)
    with pytest.raises(NotFound):
        user_set_active(viewer=viewer(council_admin), user=police_officer, active=False)
    assert not User.objects.filter(username="eve").exists()


def test_the_operator_gives_special_roles_at_once_and_it_is_audited(world):
    person = user_create(viewer=OPERATOR, username="cli.person", password=PASSWORD, role="practitioner",
                         organisation=world["organisations"]["police"], validate=False)
    assert person.is_active and person.must_change_password
    entry = AuditEntry.objects.filter(object_type="partners.user", object_id=str(person.pk), action="create").get()
    assert (entry.actor_username, entry.channel) == ("operator:test-suite", "command line")


def test_deactivating_someone_ends_their_api_tokens(world, council_admin, council_analyst):
    record, _ = api_token_create(viewer=OPERATOR, user=council_analyst, name="x")
    user_set_active(viewer=viewer(council_admin), user=council_analyst, active=False)
    assert ApiToken.objects.get(pk=record.pk).revoked_at is not None


def test_passwords_are_changed_by_their_person_through_the_password_rules(world, council_analyst):
    from saferplace.partners.services import user_password_change

    person = viewer(council_analyst)
    for weak, message in [("password123456", "too common"), ("12345678901234", "entirely numeric"), ("short", "too short")]:
        with pytest.raises(ValidationError) as raised:
            user_password_change(viewer=person, current_password=PASSWORD, new_password=weak)
        assert message in str(raised.value.message_dict["new_password"])
    with pytest.raises(ValidationError, match="current password is not right"):
        user_password_change(viewer=person, current_password="wrong", new_password="a-good-long-passphrase-9")
    user_password_change(viewer=person, current_password=PASSWORD, new_password="a-good-long-passphrase-9")
    council_analyst.refresh_from_db()
    assert council_analyst.check_password("a-good-long-passphrase-9") and not council_analyst.must_change_password
    entry = AuditEntry.objects.latest("sequence")
    assert "a-good-long-passphrase-9" not in str(entry.details) and entry.details["changes"]["password"][1] == "(not recorded)"


@pytest.mark.parametrize("name", ["Fenshire\u00a0Police", "fenshire  police", "\u200b", "Riverford City Council\u200b",
                                  "   ", "a\x00b", "Line\nBreak", "x" * 201])
def test_an_organisation_cannot_take_a_name_that_looks_like_another_or_cannot_be_seen(world, name):
    from saferplace.partners.services import organisation_save

    bid = world["organisations"]["bid"]
    with pytest.raises(ValidationError):
        organisation_save(viewer=OPERATOR, organisation=bid, name=name, kind=bid.kind)
    bid.refresh_from_db()
    assert bid.name == "Riverford Business Improvement District"


def test_an_organisation_name_is_kept_in_one_written_form(world):
    from saferplace.partners.services import organisation_save

    made = organisation_save(viewer=OPERATOR, name="  Riverford   Youth\u00a0Trust ", kind="voluntary")
    assert made.name == "Riverford Youth Trust"
