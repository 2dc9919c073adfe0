"""`saferplace organisation create|list`, as the operator: through `organisation_save` (audited
under the operator's name) and the organisations selector."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from saferplace.audit.models import AuditEntry
from saferplace.partners.models import Organisation

pytestmark = pytest.mark.django_db


def run(*arguments: str) -> str:
    out = StringIO()
    call_command(*arguments, stdout=out)
    return out.getvalue()


def test_an_organisation_is_added_and_audited_as_the_operator():
    out = run("organisation", "create", "Fenshire Probation Service", "--kind", "probation", "--short-name", "FPS")
    organisation = Organisation.objects.get(name="Fenshire Probation Service")
    assert (organisation.kind, organisation.short_name) == ("probation", "FPS")
    assert out == f"Added Fenshire Probation Service (probation), organisation {organisation.pk}.\n"
    entry = AuditEntry.objects.filter(object_type="partners.organisation", object_id=str(organisation.pk)).get()
    assert (entry.action, entry.channel) == ("create", "command line")
    assert entry.actor_username.startswith("operator:")


def test_a_second_organisation_of_the_same_name_is_refused(world):
    with pytest.raises(CommandError, match="An organisation called “fenshire police” already exists."):
        run("organisation", "create", "fenshire police", "--kind", "police")
    with pytest.raises(CommandError, match="invalid choice: 'constabulary'"):
        run("organisation", "create", "Elsewhere", "--kind", "constabulary")


def test_the_list_shows_every_organisation_with_its_kind_and_people(world, police_analyst, police_officer):
    lines = run("organisation", "list").splitlines()
    assert lines[0].split() == ["id", "name", "short", "name", "kind", "people"]
    police = next(line for line in lines if "Fenshire Police" in line)
    assert police.split()[-1] == "2" and "Police" in police
    assert len(lines) == 1 + Organisation.objects.count()
