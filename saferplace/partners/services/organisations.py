"""Organisations, their teams, and the data categories records are filed under."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record, changed_fields
from saferplace.partners import access
from saferplace.partners.models import DataCategory, Organisation, OrganisationKind, Role, Team


@transaction.atomic
def organisation_save(
    *,
    viewer,
    name: str,
    kind: OrganisationKind | str,
    short_name: str = "",
    organisation: Organisation | None = None,
) -> Organisation:
    """Add a partner organisation (anyone with `partners.manage`: a new organisation owns no
    records and is party to no agreement), or change the viewer's own one."""
    access.require(viewer, "partners.manage", organisation)
    values = {"name": name.strip(), "kind": OrganisationKind(kind), "short_name": short_name.strip()}
    if Organisation.objects.filter(name__iexact=values["name"]).exclude(pk=getattr(organisation, "pk", None)).exists():
        raise ValidationError({"name": f"An organisation called “{values['name']}” already exists."})
    if organisation is None:
        organisation = Organisation.objects.create(**values)
        audit_record(viewer=viewer, action=AuditAction.CREATE, obj=organisation)
        return organisation
    changes = changed_fields(organisation, values)
    for field, value in values.items():
        setattr(organisation, field, value)
    organisation.save()
    if changes:
        audit_record(viewer=viewer, action=AuditAction.CHANGE, obj=organisation, details={"changes": changes})
    return organisation


@transaction.atomic
def team_create(*, viewer, organisation: Organisation, name: str) -> Team:
    access.require(viewer, "partners.manage", organisation)
    team, created = Team.objects.get_or_create(organisation=organisation, name=name.strip())
    if created:
        audit_record(viewer=viewer, action=AuditAction.CREATE, obj=team)
    return team


@transaction.atomic
def data_category_ensure(
    *, code: str, name: str, is_special: bool = False, special_roles: Iterable[str] = (), description: str = ""
) -> DataCategory:
    """Make sure a data category exists with these settings (installation and the importers'
    ordinary categories: crime, anti-social behaviour, road safety)."""
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
