"""Reading partners, agreements, people, roles, tokens and sessions. Organisations and agreements
are known to the whole partnership's administrators; people, their tokens and sessions only to
their own organisation's administrators (and to themselves)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from saferplace.errors import NotFound
from saferplace.history import record_timeline, timeline_for_outsider
from saferplace.partners import access
from saferplace.partners.events import AgreementEvent, UserEvent
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
from saferplace.partners.names import name_key


def organisation_list(*, viewer) -> QuerySet[Organisation]:
    access.require(viewer, "partners.manage")
    return Organisation.objects.annotate(user_count=Count("users", distinct=True))


def organisation_named(name: str, *, kind: str | None = None) -> Organisation | None:
    """The organisation `name` names (ignoring case, spaces and Unicode form), of `kind` if
    given: how a file that says whose records it holds finds its owner."""
    key = name_key(name)
    candidates = Organisation.objects.all() if kind is None else Organisation.objects.filter(kind=kind)
    return next((organisation for organisation in candidates if name_key(organisation.name) == key), None)


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


def _in_words(items: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


@dataclass(frozen=True)
class CategoriesWithheld:
    """Special categories the viewer's organisation's agreements share, which the viewer's role
    does not open: with which partners, and which roles do see them."""

    categories: list[str]  # their names
    partners: list[str]  # the other parties sharing them
    roles: list[str]  # the roles that open them

    @property
    def sentence(self) -> str:
        shared = (f"are shared with {_in_words(self.partners)}" if self.partners
                  else "are covered by your organisation's agreements")
        seen = (f"only {_in_words([f'{role}s' for role in self.roles])} see them" if self.roles
                else "no role sees them")
        return f"{_in_words(self.categories)} records {shared}, but {seen}."


def special_categories_withheld(*, viewer, agreements: list[SharingAgreement] | None = None) -> list[CategoriesWithheld]:
    """The special categories (safeguarding, health…) that the agreements in force of the
    viewer's organisation share but the viewer's role does not open (by the viewer's grants and
    each category's `special_roles`), grouped by the partners sharing them and the roles that do
    open them: why an analyst sees none of the records an agreement on their home page covers.
    `agreements`: those `agreements_granting` gave, to read them once."""
    if viewer.grants.everything or viewer.organisation_id is None:
        return []
    if agreements is None:
        agreements = agreements_granting(viewer=viewer)
    allowed = viewer.grants.allowed_category_ids
    withheld: dict[int, DataCategory] = {}
    partners: dict[int, set[str]] = {}
    for agreement in agreements:
        others = {party.name for party in agreement.parties.all() if party.pk != viewer.organisation_id}
        for category in agreement.data_categories.all():
            if category.is_special and category.pk not in allowed:
                withheld[category.pk] = category
                partners.setdefault(category.pk, set()).update(others)
    order = {role.value: position for position, role in enumerate(Role)}
    groups: dict[tuple, list[str]] = {}
    for category in sorted(withheld.values(), key=lambda category: category.name):
        roles = sorted(set(category.special_roles or []), key=lambda role: (order.get(role, len(order)), role))
        key = (tuple(sorted(partners[category.pk])), tuple(roles))
        groups.setdefault(key, []).append(category.name)
    return [
        CategoriesWithheld(
            categories=names, partners=list(others),
            roles=[str(Role(role).label).lower() if role in order else role for role in roles],
        )
        for (others, roles), names in groups.items()
    ]


def agreement_history(*, viewer, agreement: SharingAgreement) -> list[AgreementEvent]:
    """The agreement's timeline, oldest first, for those who may see the agreement."""
    agreement = agreement_get(viewer=viewer, agreement_id=agreement.pk)
    events = record_timeline(agreement)
    if viewer.is_operator or viewer.organisation_id in agreement.owner_ids():
        return list(events)
    return timeline_for_outsider(events)  # the parties' reasons are theirs


@dataclass(frozen=True)
class AgreementDue:
    """An agreement in force that ends, or is due for review, soon (or whose review is overdue)."""

    agreement: SharingAgreement
    ends_on: date | None
    review_on: date | None
    today: date

    @property
    def review_overdue(self) -> bool:
        return self.review_on is not None and self.review_on < self.today

    @property
    def summary(self) -> str:
        parts = []
        if self.ends_on is not None:
            parts.append(f"ends on {date_format(self.ends_on, 'j F Y')}")
        if self.review_on is not None:
            parts.append(f"{'was due for review on' if self.review_overdue else 'is due for review on'} "
                         f"{date_format(self.review_on, 'j F Y')}")
        return f"{self.agreement.reference} {' and '.join(parts)}."


def agreements_due(*, viewer, on: date | None = None) -> list[AgreementDue]:
    """The agreements in force that the viewer's organisation is a party to (the operator: all)
    whose end date falls within `AGREEMENT_WARNING_DAYS`, or whose review date does or has
    passed: what its administrators are warned of. Reads only."""
    access.require(viewer, "agreements.manage")
    if viewer.organisation_id is None and not viewer.is_operator:
        return []
    today = on or timezone.localdate()
    horizon = today + timedelta(days=settings.AGREEMENT_WARNING_DAYS)
    party_id = None if viewer.is_operator else viewer.organisation_id
    due = []
    for agreement in access.agreements_in_force(on=today, party_id=party_id):
        ends_on = agreement.end_date if agreement.end_date is not None and agreement.end_date <= horizon else None
        review_on = agreement.review_date if agreement.review_date is not None and agreement.review_date <= horizon else None
        if ends_on or review_on:
            due.append(AgreementDue(agreement=agreement, ends_on=ends_on, review_on=review_on, today=today))
    return sorted(due, key=lambda item: (min(d for d in (item.ends_on, item.review_on) if d), item.agreement.reference))


@dataclass(frozen=True)
class SightLost:
    """What one party stops seeing when an agreement stops granting: each other party's records
    of these categories (those no other agreement in force still opens to it)."""

    organisation: Organisation
    lost: list[tuple[Organisation, list[DataCategory]]]


def agreement_what_stops(*, viewer, agreement: SharingAgreement) -> list[SightLost]:
    """For a party's administrator about to suspend or end the agreement: which organisations
    lose sight of which other parties' records of which categories. Nothing, when the agreement
    grants nothing today; a pair another agreement in force also covers loses nothing."""
    access.require(viewer, "agreements.manage", agreement)
    if not agreement.is_in_force():
        return []
    covered = set()
    for other in access.agreements_in_force():
        if other.pk == agreement.pk:
            continue
        party_ids = [party.pk for party in other.parties.all()]
        for category in other.data_categories.all():
            covered.update((a, b, category.pk) for a in party_ids for b in party_ids if a != b)
    parties = list(agreement.parties.all())
    categories = list(agreement.data_categories.all())
    result = []
    for party in parties:
        lost = [
            (owner, [category for category in categories if (party.pk, owner.pk, category.pk) not in covered])
            for owner in parties
            if owner.pk != party.pk
        ]
        lost = [(owner, lost_categories) for owner, lost_categories in lost if lost_categories]
        if lost:
            result.append(SightLost(organisation=party, lost=lost))
    return result


def data_categories_readable(*, viewer) -> QuerySet[DataCategory]:
    """The data categories the viewer's role may read (special ones only for the roles they
    allow): the only ones the viewer may file records under or choose for a profile."""
    categories = DataCategory.objects.order_by("name")
    return categories if viewer.is_operator else categories.filter(pk__in=viewer.grants.allowed_category_ids)


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


def user_history(*, viewer, user: User) -> QuerySet[UserEvent]:
    """A person's timeline (account made, roles, switched off or on, passwords), oldest first,
    for their organisation's administrators."""
    return record_timeline(user_get(viewer=viewer, user_id=user.pk))


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
