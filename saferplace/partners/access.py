"""The one access policy: who may see which record, and who may do what.

**Reading.** A record about people carries an owning organisation and a data category. A
viewer may see it when all of these hold:

1. the viewer is an active person who belongs to an organisation;
2. the record's data category is not special, or the viewer's role is one the category allows;
3. the viewer's organisation owns the record, or the viewer's organisation and the owner are
   both parties to a sharing agreement that is active today, signed by every party, and covers
   the record's data category.

Nothing else grants access: not being a superuser, an administrator or an auditor. Every
selector that returns records about people filters with `visible_to`; every single-record read
goes through `allows` (or `can` with a read capability).

**Doing.** What a role may do is a table of capabilities (data: `RoleCapability`). `can(viewer,
capability, record)` answers for pages, navigation, the API and commands alike: the viewer's
role must hold the capability, and for a record, a read capability needs the reading rule above
while any other needs the record to be the viewer's own organisation's.

The command line acts as the operator (`Viewer.operator`), who holds every capability and may
act for any organisation; see docs/data-sharing.md."""

from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from saferplace.errors import NotAllowed, NotFound
from saferplace.partners.models import (
    AgreementSignature,
    AgreementStatus,
    CapabilityScope,
    DataCategory,
    SharingAgreement,
)


@dataclass(frozen=True)
class Grants:
    """What one viewer may read, worked out once: the owner organisations they may read for
    each data category they may read at all."""

    organisation_id: int | None
    allowed_category_ids: frozenset[int]
    owners_by_category: dict[int, frozenset[int]] = field(default_factory=dict)
    everything: bool = False  # the operator's

    def allows(self, owner_id: int, category_id: int) -> bool:
        if self.everything:
            return True
        if category_id not in self.allowed_category_ids:
            return False
        return owner_id == self.organisation_id or owner_id in self.owners_by_category.get(category_id, ())


NO_GRANTS = Grants(organisation_id=None, allowed_category_ids=frozenset())
ALL_GRANTS = Grants(organisation_id=None, allowed_category_ids=frozenset(), everything=True)


def _in_force(day: date) -> QuerySet[SharingAgreement]:
    """Agreements that grant access on `day`: active, in date, and no party left unsigned."""
    unsigned_party = SharingAgreement.parties.through.objects.filter(sharingagreement=OuterRef("pk")).exclude(
        organisation__in=AgreementSignature.objects.filter(agreement=OuterRef(OuterRef("pk"))).values("organisation")
    )
    return (
        SharingAgreement.objects.filter(status=AgreementStatus.ACTIVE, start_date__lte=day)
        .exclude(end_date__lt=day)
        .exclude(Exists(unsigned_party))
    )


def agreements_in_force(*, on: date | None = None, party_id: int | None = None) -> list[SharingAgreement]:
    """The agreements that grant access today: active, in date, and signed by every party."""
    agreements = _in_force(on or timezone.localdate())
    if party_id is not None:
        agreements = agreements.filter(parties=party_id)
    return list(agreements.prefetch_related("parties", "data_categories", "signatures").distinct())


def special_category_roles() -> set[str]:
    """The roles that open at least one special category (safeguarding, health…)."""
    roles: set[str] = set()
    for allowed in DataCategory.objects.filter(is_special=True).values_list("special_roles", flat=True):
        roles.update(allowed or [])
    return roles


def grants_for(*, organisation_id: int | None, role: str, on: date | None = None) -> Grants:
    if organisation_id is None:
        return NO_GRANTS
    allowed = frozenset(
        category_id
        for category_id, is_special, roles in DataCategory.objects.values_list("id", "is_special", "special_roles")
        if not is_special or role in (roles or [])
    )
    # Two queries whatever the number of agreements: each (party, category) pair of the
    # agreements in force the viewer's organisation is party to.
    agreements = _in_force(on or timezone.localdate()).filter(parties=organisation_id).values("pk")
    pairs = (SharingAgreement.objects.filter(pk__in=agreements).order_by()
             .values_list("parties", "data_categories").distinct())
    owners: dict[int, set[int]] = {}
    for party_id, category_id in pairs:
        if party_id is not None and category_id is not None:
            owners.setdefault(category_id, set()).add(party_id)
    return Grants(
        organisation_id=organisation_id,
        allowed_category_ids=allowed,
        owners_by_category={category: frozenset(ids) for category, ids in owners.items()},
    )


def grant_terms(
    viewer, *, owner_field: str = "owning_organisation", category_field: str = "data_category"
) -> list[dict] | None:
    """The reading rule for `viewer` as lookups: a record is visible when it matches any of the
    terms. None means every record (the operator); an empty list, none. Kept as data so that an
    export can record exactly what it could include (see `audit.selectors`)."""
    grants = viewer.grants
    if grants.everything:
        return None
    if grants.organisation_id is None or not grants.allowed_category_ids:
        return []
    owner, category = f"{owner_field}_id", f"{category_field}_id"
    terms = [{owner: grants.organisation_id, f"{category}__in": sorted(grants.allowed_category_ids)}]
    for category_id, owner_ids in sorted(grants.owners_by_category.items()):
        if category_id in grants.allowed_category_ids:
            terms.append({category: category_id, f"{owner}__in": sorted(owner_ids)})
    return terms


def terms_condition(terms: list[dict]) -> Q:
    """The Q of a list of lookups any of which may match (a never-true Q for none)."""
    if not terms:
        return Q(pk__in=[])
    return reduce(or_, (Q(**term) for term in terms))


def visible_to(
    viewer,
    queryset: QuerySet,
    *,
    owner_field: str = "owning_organisation",
    category_field: str = "data_category",
) -> QuerySet:
    """Narrow `queryset` to the records `viewer` may see."""
    terms = grant_terms(viewer, owner_field=owner_field, category_field=category_field)
    if terms is None:
        return queryset
    if not terms:
        return queryset.none()
    return queryset.filter(terms_condition(terms))


def allows(viewer, record, *, owner_field: str = "owning_organisation", category_field: str = "data_category") -> bool:
    """Whether the reading rule lets `viewer` see this one record."""
    return viewer.grants.allows(getattr(record, f"{owner_field}_id"), getattr(record, f"{category_field}_id"))


def owner_ids(record) -> set[int]:
    """The organisations a record belongs to: `record.owner_ids()` where a model says (an
    agreement belongs to its parties), else its owning organisation, else its organisation."""
    if hasattr(record, "owner_ids"):
        return set(record.owner_ids())
    for name in ("owning_organisation_id", "organisation_id"):
        value = getattr(record, name, None)
        if value is not None:
            return {value}
    return set()


def can(viewer, capability: str, record=None) -> bool:
    """Whether `viewer` may use `capability`, on `record` when one is given."""
    scope = viewer.capabilities.get(capability)
    if scope is None:
        return False
    if record is None or scope == CapabilityScope.PARTNERSHIP:
        return True
    if scope == CapabilityScope.READ:
        return allows(viewer, record)
    return viewer.is_operator or (viewer.organisation_id is not None and viewer.organisation_id in owner_ids(record))


def require_person_or_administrator(viewer, user) -> None:
    """Raise unless the viewer is `user` themselves, or holds `users.manage` for `user`'s
    organisation (their own administrators, or the operator): who may see and end a person's
    sessions and API tokens."""
    if viewer.user_id != user.pk:
        require(viewer, "users.manage", user)


def require(viewer, capability: str, record=None) -> None:
    """Raise unless `can(viewer, capability, record)`: `NotAllowed` when the role lacks the
    capability, or the record is one everyone in the partnership knows of (an organisation, an
    agreement); `NotFound` for another organisation's record, so its existence is not revealed."""
    if can(viewer, capability, record):
        return
    record_type = record._meta.label_lower if record is not None and hasattr(record, "_meta") else ""
    record_id = getattr(record, "pk", "") if record is not None else ""
    if record is not None and capability in viewer.capabilities and not getattr(record, "known_to_partnership", False):
        raise NotFound(record_type=record_type, record_id=record_id)
    raise NotAllowed(capability=capability, record_type=record_type, record_id=record_id)
