"""Managing organisations, users, data categories and sharing agreements. Every change is
written to the audit trail by the service that makes it."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record, changed_fields
from saferplace.partners.models import (
    AgreementStatus,
    ApiToken,
    DataCategory,
    LawfulBasis,
    Organisation,
    OrganisationKind,
    Role,
    SharingAgreement,
    Team,
    User,
)


@transaction.atomic
def organisation_save(
    *,
    actor: User | None,
    name: str,
    kind: OrganisationKind | str,
    short_name: str = "",
    organisation: Organisation | None = None,
    request: HttpRequest | None = None,
) -> Organisation:
    values = {"name": name.strip(), "kind": OrganisationKind(kind), "short_name": short_name.strip()}
    if Organisation.objects.filter(name__iexact=values["name"]).exclude(pk=getattr(organisation, "pk", None)).exists():
        raise ValidationError({"name": f"An organisation called “{values['name']}” already exists."})
    if organisation is None:
        organisation = Organisation.objects.create(**values)
        audit_record(action=AuditAction.CREATE, actor=actor, request=request, obj=organisation)
        return organisation
    changes = changed_fields(organisation, values)
    for field, value in values.items():
        setattr(organisation, field, value)
    organisation.save()
    if changes:
        audit_record(action=AuditAction.CHANGE, actor=actor, request=request, obj=organisation, details={"changes": changes})
    return organisation


@transaction.atomic
def team_create(*, actor: User | None, organisation: Organisation, name: str) -> Team:
    team, created = Team.objects.get_or_create(organisation=organisation, name=name.strip())
    if created:
        audit_record(action=AuditAction.CREATE, actor=actor, obj=team)
    return team


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    organisation: Organisation,
    role: Role | str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    job_title: str = "",
    team: Team | None = None,
    is_demo_persona: bool = False,
    validate: bool = True,
    request: HttpRequest | None = None,
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username “{username}” is already taken."})
    user = User(
        username=username,
        organisation=organisation,
        role=Role(role),
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
        team=team,
        is_demo_persona=is_demo_persona,
        is_staff=Role(role) == Role.ADMINISTRATOR,
    )
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(action=AuditAction.CREATE, actor=actor, request=request, obj=user, details={"role": user.role})
    return user


@transaction.atomic
def data_category_ensure(
    *, code: str, name: str, is_special: bool = False, special_roles: Iterable[str] = (), description: str = ""
) -> DataCategory:
    category, _ = DataCategory.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "is_special": is_special,
            "special_roles": sorted(Role(role).value for role in special_roles),
            "description": description,
        },
    )
    return category


@transaction.atomic
def agreement_save(
    *,
    actor: User | None,
    title: str,
    reference: str,
    purpose: str,
    lawful_basis: LawfulBasis | str,
    parties: Iterable[Organisation],
    data_categories: Iterable[DataCategory],
    start_date: date,
    end_date: date | None = None,
    status: AgreementStatus | str = AgreementStatus.DRAFT,
    agreement: SharingAgreement | None = None,
    request: HttpRequest | None = None,
) -> SharingAgreement:
    parties = list(parties)
    data_categories = list(data_categories)
    errors = {}
    if len(parties) < 2:
        errors["parties"] = "An agreement needs at least two parties."
    if not data_categories:
        errors["data_categories"] = "Choose at least one data category the agreement covers."
    if end_date is not None and end_date < start_date:
        errors["end_date"] = "The end date must be the same as or after the start date."
    duplicate = SharingAgreement.objects.filter(reference__iexact=reference).exclude(pk=getattr(agreement, "pk", None))
    if duplicate.exists():
        errors["reference"] = f"Another agreement already has the reference “{reference}”."
    if errors:
        raise ValidationError(errors)
    values = {
        "title": title.strip(),
        "reference": reference.strip(),
        "purpose": purpose.strip(),
        "lawful_basis": LawfulBasis(lawful_basis),
        "start_date": start_date,
        "end_date": end_date,
        "status": AgreementStatus(status),
    }
    creating = agreement is None
    changes = {} if creating else changed_fields(agreement, values)
    if creating:
        agreement = SharingAgreement(**values)
    else:
        old_parties = sorted(agreement.parties.values_list("name", flat=True))
        old_categories = sorted(agreement.data_categories.values_list("code", flat=True))
        new_parties = sorted(party.name for party in parties)
        new_categories = sorted(category.code for category in data_categories)
        if old_parties != new_parties:
            changes["parties"] = [old_parties, new_parties]
        if old_categories != new_categories:
            changes["data_categories"] = [old_categories, new_categories]
        for field, value in values.items():
            setattr(agreement, field, value)
    agreement.save()
    agreement.parties.set(parties)
    agreement.data_categories.set(data_categories)
    if creating:
        audit_record(action=AuditAction.CREATE, actor=actor, request=request, obj=agreement)
    elif changes:
        audit_record(action=AuditAction.CHANGE, actor=actor, request=request, obj=agreement, details={"changes": changes})
    return agreement


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns the stored record and the token, which is not kept."""
    token = "sp_" + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, name=name, token_hash=_token_hash(token))
    audit_record(action=AuditAction.CREATE, actor=actor, obj=record, details={"for_user": user.username})
    return record, token


def api_token_authenticate(*, token: str) -> User | None:
    record = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(token_hash=_token_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if record is None:
        return None
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record.user


@transaction.atomic
def user_set_active(*, actor: User | None, user: User, active: bool, request: HttpRequest | None = None) -> User:
    """Let a person sign in again, or stop them (leavers). Their records and audit entries stay."""
    if actor is not None and actor.pk == user.pk and not active:
        raise ValidationError("You cannot deactivate your own account.")
    changes = changed_fields(user, {"is_active": active})
    if changes:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(action=AuditAction.CHANGE, actor=actor, request=request, obj=user, details={"changes": changes})
    return user


def initial_password() -> str:
    """A password for a new account, given to the person once; they then set up two-factor sign-in."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))
