"""Organisations, their teams, and the data categories records are filed under."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.history import changes_between, record_change
from saferplace.partners import access
from saferplace.partners.events import DataCategoryEventKind, OrganisationEventKind
from saferplace.partners.models import DataCategory, Organisation, OrganisationKind, Role, Team
from saferplace.partners.names import name_clean, name_key


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
    values = {"name": name_clean(name), "kind": OrganisationKind(kind),
              "short_name": name_clean(short_name, field="short_name", length=40) if short_name.strip() else ""}
    key = name_key(values["name"])
    others = Organisation.objects.exclude(pk=getattr(organisation, "pk", None)).values_list("name", flat=True)
    if any(name_key(other) == key for other in others):
        raise ValidationError({"name": f"An organisation called “{values['name']}” already exists."})
    if organisation is None:
        organisation = Organisation(**values)
        record_change(viewer=viewer, record=organisation, kind=OrganisationEventKind.ADDED, created=True)
        return organisation
    record_change(viewer=viewer, record=organisation, kind=OrganisationEventKind.CHANGED, values=values)
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
    *, viewer, code: str, name: str, is_special: bool = False, special_roles: Iterable[str] = (), description: str = ""
) -> DataCategory:
    """Make sure a data category exists with these settings (installation, the demo, and the
    importers' ordinary categories: crime, anti-social behaviour, road safety). A new category or
    a change is recorded in its history and the audit trail. Changing one, or adding a special
    category, needs `agreements.manage`; whoever may import can add an ordinary category their
    file is filed under (it opens nothing: only an agreement shares a category)."""
    values = {
        "name": name,
        "is_special": is_special,
        "special_roles": sorted(Role(role).value for role in special_roles),
        "description": description,
    }
    category = DataCategory.objects.filter(code=code).first()
    if category is None and not is_special and not access.can(viewer, "agreements.manage"):
        access.require(viewer, "imports.run")
    elif category is None or changes_between(category, values):
        access.require(viewer, "agreements.manage")
    if category is None:
        category = DataCategory(code=code, **values)
        record_change(viewer=viewer, record=category, kind=DataCategoryEventKind.ADDED, created=True)
    else:
        record_change(viewer=viewer, record=category, kind=DataCategoryEventKind.CHANGED, values=values)
    return category
