"""Reading partners, agreements, people, roles, tokens and sessions. Organisations and agreements
are known to the whole partnership's administrators; people, their tokens and sessions only to
their own organisation's administrators (and to themselves)."""

from django.db.models import Count, QuerySet

from saferplace.errors import NotFound
from saferplace.partners import access
from saferplace.partners.models import (
    ApiToken,
    Capability,
    DataCategory,
    Organisation,
    Role,
    RoleCapability,
    RoleRequest,
    RoleRequestStatus,
    SharingAgreement,
    User,
    UserSession,
)


def organisation_list(*, viewer) -> QuerySet[Organisation]:
    access.require(viewer, "partners.manage")
    return Organisation.objects.annotate(user_count=Count("users", distinct=True))


def organisation_get(*, viewer, organisation_id: int) -> Organisation:
    access.require(viewer, "partners.manage")
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound("There is no such organisation.", record_type="partners.organisation", record_id=organisation_id)
    return organisation


def agreement_list(*, viewer) -> QuerySet[SharingAgreement]:
    access.require(viewer, "agreements.manage")
    return SharingAgreement.objects.prefetch_related("parties", "data_categories", "signatures__organisation")


def agreement_get(*, viewer, agreement_id: int) -> SharingAgreement:
    agreement = agreement_list(viewer=viewer).filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound("There is no such agreement.", record_type="partners.sharingagreement", record_id=agreement_id)
    return agreement


def agreements_for_organisation(*, viewer, organisation: Organisation) -> QuerySet[SharingAgreement]:
    return agreement_list(viewer=viewer).filter(parties=organisation)


def agreements_granting(*, viewer) -> list[SharingAgreement]:
    """The agreements in force today that the viewer's organisation is a party to: what opens
    other partners' records to them (shown on their home page)."""
    if viewer.organisation_id is None:
        return []
    return access.agreements_in_force(party_id=viewer.organisation_id)


def data_category_list() -> QuerySet[DataCategory]:
    return DataCategory.objects.all()


def user_list(*, viewer, organisation: Organisation) -> QuerySet[User]:
    """The people of an organisation: only for its own administrators (and the operator)."""
    access.require(viewer, "users.manage", organisation)
    return User.objects.select_related("organisation", "team").filter(organisation=organisation)


def user_get(*, viewer, user_id: int) -> User:
    user = User.objects.select_related("organisation", "team").filter(pk=user_id).first()
    if user is None:
        raise NotFound("There is no such person.", record_type="partners.user", record_id=user_id)
    access.require(viewer, "users.manage", user)
    return user


def role_requests_pending(*, viewer, organisation: Organisation) -> QuerySet[RoleRequest]:
    access.require(viewer, "users.manage", organisation)
    return RoleRequest.objects.filter(user__organisation=organisation, status=RoleRequestStatus.PENDING).select_related(
        "user"
    )


def role_request_get(*, viewer, request_id: int) -> RoleRequest:
    request = RoleRequest.objects.select_related("user").filter(pk=request_id).first()
    if request is None:
        raise NotFound("There is no such request.", record_type="partners.rolerequest", record_id=request_id)
    access.require(viewer, "users.manage", request.user)
    return request


def role_history(*, viewer, user: User) -> QuerySet[RoleRequest]:
    access.require(viewer, "users.manage", user)
    return user.role_requests.all()


def role_capability_table(*, viewer) -> dict:
    """Every capability with the roles that hold it: the table administrators and auditors see."""
    access.require(viewer, "roles.view")
    held: dict[str, set[str]] = {}
    for role, code in RoleCapability.objects.values_list("role", "capability_id"):
        held.setdefault(code, set()).add(role)
    return {
        "roles": list(Role),
        "capabilities": [
            {"capability": capability, "roles": held.get(capability.code, set())}
            for capability in Capability.objects.order_by("code")
        ],
    }


def api_tokens_of(*, viewer, user: User) -> QuerySet[ApiToken]:
    """A person's API tokens: for themselves, or their organisation's administrators."""
    access.require_person_or_administrator(viewer, user)
    return ApiToken.objects.filter(user=user).select_related("user")


def api_token_get(*, viewer, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        raise NotFound("There is no such token.", record_type="partners.apitoken", record_id=token_id)
    api_tokens_of(viewer=viewer, user=token.user)
    return token


def api_token_list(*, viewer) -> QuerySet[ApiToken]:
    """The tokens of the viewer's organisation's people (every token, for the operator's
    `saferplace apitoken list`)."""
    access.require(viewer, "users.manage")
    tokens = ApiToken.objects.select_related("user", "user__organisation")
    return tokens if viewer.is_operator else tokens.filter(user__organisation=viewer.organisation_id)


def sessions_of(*, viewer, user: User) -> QuerySet[UserSession]:
    access.require_person_or_administrator(viewer, user)
    return UserSession.objects.filter(user=user, ended_at__isnull=True)


def session_get(*, viewer, session_id: int) -> UserSession:
    session = UserSession.objects.select_related("user").filter(pk=session_id).first()
    if session is None:
        raise NotFound("There is no such session.", record_type="partners.usersession", record_id=session_id)
    sessions_of(viewer=viewer, user=session.user)
    return session
