"""Carry an existing installation over to capabilities, role approvals, signed agreements and
expiring API tokens, so that nobody gains or loses access by the upgrade:

- the catalogue of capabilities and the roles that hold them (`partners.capabilities`);
- every existing person's current role, recorded as approved ("held before approvals");
- every existing agreement, recorded as signed by each of its parties ("signed before
  signatures were recorded"), so an agreement in force stays in force;
- every existing API token given the default scopes and an expiry 90 days after it was made
  (at least 30 days from now), so a forgotten token stops working."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    from saferplace.partners.capabilities import capabilities_install

    capabilities_install(apps.get_model("partners", "Capability"), apps.get_model("partners", "RoleCapability"))
    User = apps.get_model("partners", "User")
    RoleRequest = apps.get_model("partners", "RoleRequest")
    now = timezone.now()
    RoleRequest.objects.bulk_create(
        RoleRequest(user_id=pk, role=role, status="approved", requested_by="upgrade", decided_by="upgrade",
                    decided_at=now, reason="role held before approvals were recorded")
        for pk, role in User.objects.values_list("pk", "role")
    )
    Agreement = apps.get_model("partners", "SharingAgreement")
    Signature = apps.get_model("partners", "AgreementSignature")
    for agreement in Agreement.objects.prefetch_related("parties"):
        Signature.objects.bulk_create(
            Signature(agreement=agreement, organisation=party, signed_by="upgrade: signed before signatures were recorded")
            for party in agreement.parties.all()
        )
    ApiToken = apps.get_model("partners", "ApiToken")
    for token in ApiToken.objects.all():
        token.scopes = ["incidents.view", "incidents.export"]
        token.expires_at = max(token.created_at + timedelta(days=90), now + timedelta(days=30))
        token.save(update_fields=["scopes", "expires_at"])


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_roles_capabilities_sessions")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
