from django.db import migrations, models

from saferplace.audit.triggers import create_triggers, drop_triggers


def lift(apps, schema_editor):
    drop_triggers(schema_editor.connection)


def restore(apps, schema_editor):
    create_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    """New columns for keyed hashes, the channel and the records disclosed. SQLite may rebuild
    the table to add them, so the append-only triggers are lifted around it and put back; no
    existing entry is changed."""

    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.RunPython(lift, restore),
        migrations.AddField("auditentry", "channel", models.CharField(blank=True, default="", max_length=20), preserve_default=False),
        migrations.AddField("auditentry", "record_ids", models.TextField(blank=True, default=""), preserve_default=False),
        migrations.AddField("auditentry", "key_id", models.CharField(blank=True, default="", max_length=40), preserve_default=False),
        migrations.AlterField(
            "auditentry", "action",
            models.CharField(choices=[("create", "Created"), ("change", "Changed"), ("delete", "Deleted"), ("view", "Viewed"), ("reveal", "Revealed"), ("export", "Exported"), ("sign_in", "Signed in"), ("sign_in_failed", "Sign-in failed"), ("sign_out", "Signed out"), ("locked_out", "Locked out"), ("two_factor_enrolled", "Set up two-factor sign-in"), ("refused", "Refused")], db_index=True, max_length=30),
        ),
        migrations.RunPython(restore, lift),
    ]
