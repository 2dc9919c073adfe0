"""The one access policy: who may see which record.

A record about people carries an owning organisation and a data category. A user may see it
when all of these hold:

1. the user is active and belongs to an organisation;
2. the record's data category is not special, or the user's role is one the category allows;
3. the user's organisation owns the record, or the user's organisation and the owner are both
   parties to a sharing agreement that is active today and covers the record's data category.

Nothing else grants access: not being a superuser, an administrator or an auditor. Every
selector that returns records about people filters with `visible_to`, and every single-record
read goes through `can_view`.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from saferplace.partners.models import AgreementStatus, DataCategory, SharingAgreement, User


@dataclass(frozen=True)
class Grants:
    """What one user may see, worked out once per request: the owner organisations they may
    read for each data category."""

    organisation_id: int | None
    allowed_category_ids: frozenset[int]
    owners_by_category: dict[int, frozenset[int]]

    def allows(self, owner_id: int, category_id: int) -> bool:
        if category_id not in self.allowed_category_ids:
            return False
        return owner_id == self.organisation_id or owner_id in self.owners_by_category.get(category_id, ())


NO_GRANTS = Grants(organisation_id=None, allowed_category_ids=frozenset(), owners_by_category={})


def agreements_in_force(on: date | None = None) -> QuerySet[SharingAgreement]:
    day = on or timezone.localdate()
    return SharingAgreement.objects.filter(status=AgreementStatus.ACTIVE, start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )


def grants_for(user: User, *, on: date | None = None) -> Grants:
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.organisation_id is None:
        return NO_GRANTS
    allowed = frozenset(
        category.id
        for category in DataCategory.objects.all()
        if not category.is_special or user.role in (category.special_roles or [])
    )
    owners: dict[int, set[int]] = {}
    agreements = agreements_in_force(on).filter(parties=user.organisation_id).prefetch_related(
        "parties", "data_categories"
    )
    for agreement in agreements:
        party_ids = {party.id for party in agreement.parties.all()}
        for category in agreement.data_categories.all():
            owners.setdefault(category.id, set()).update(party_ids)
    return Grants(
        organisation_id=user.organisation_id,
        allowed_category_ids=allowed,
        owners_by_category={category: frozenset(ids) for category, ids in owners.items()},
    )


def visible_to(
    user: User,
    queryset: QuerySet,
    *,
    owner_field: str = "owning_organisation",
    category_field: str = "data_category",
    on: date | None = None,
) -> QuerySet:
    """Narrow `queryset` to the records `user` may see."""
    grants = grants_for(user, on=on)
    if grants.organisation_id is None or not grants.allowed_category_ids:
        return queryset.none()
    condition = Q(**{f"{owner_field}_id": grants.organisation_id})
    for category_id, owner_ids in grants.owners_by_category.items():
        condition |= Q(**{f"{category_field}_id": category_id, f"{owner_field}_id__in": owner_ids})
    return queryset.filter(condition, **{f"{category_field}_id__in": grants.allowed_category_ids})


def can_view(
    user: User,
    record,
    *,
    owner_field: str = "owning_organisation",
    category_field: str = "data_category",
    on: date | None = None,
) -> bool:
    grants = grants_for(user, on=on)
    return grants.allows(getattr(record, f"{owner_field}_id"), getattr(record, f"{category_field}_id"))


def can_see_import_rows(user: User, run) -> bool:
    """The rows of an imported file (what the rejection report shows of the rejected rows) belong
    to the organisation that imported it: only its people see them, through the web. Runs made
    from the command line have no importing person; their operator reads the rows there."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.organisation_id is None:
        return False
    return run.started_by is not None and run.started_by.organisation_id == user.organisation_id
