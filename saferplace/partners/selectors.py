"""Reading partners and agreements (organisational data, not personal data)."""

from django.db.models import Count, QuerySet

from saferplace.partners.models import DataCategory, Organisation, SharingAgreement, User


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.annotate(user_count=Count("users", distinct=True))


def agreement_list() -> QuerySet[SharingAgreement]:
    return SharingAgreement.objects.prefetch_related("parties", "data_categories")


def agreements_for_organisation(*, organisation: Organisation) -> QuerySet[SharingAgreement]:
    return agreement_list().filter(parties=organisation)


def data_category_list() -> QuerySet[DataCategory]:
    return DataCategory.objects.all()


def user_list(*, organisation: Organisation | None = None) -> QuerySet[User]:
    users = User.objects.select_related("organisation", "team")
    return users.filter(organisation=organisation) if organisation else users
