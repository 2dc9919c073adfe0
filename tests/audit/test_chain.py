"""The audit trail is hash-chained and append-only: edits and deletions are refused by the
database, and if someone with the database owner's rights makes one anyway, the verifier says
exactly which entry."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from saferplace.audit.models import AuditAction, AuditEntry
from saferplace.audit.selectors import audit_chain_verify
from saferplace.audit.services import audit_record
from saferplace.audit.triggers import triggers_lifted
from tests.conftest import viewer

pytestmark = pytest.mark.django_db


def _three_entries(user):
    return [
        audit_record(action=AuditAction.VIEW, viewer=viewer(user), object_type="incidents.incident", object_id=n,
                     object_repr=f"incident {n}", reason="DRMM preparation", details={"n": n})
        for n in (1, 2, 3)
    ]


def test_entries_are_numbered_and_chained(council_analyst):
    AuditEntry.objects.all()  # the personas' creation is already audited
    before = AuditEntry.objects.count()
    entries = _three_entries(council_analyst)
    assert [e.sequence for e in entries] == [before + 1, before + 2, before + 3]
    assert entries[1].previous_hash == entries[0].entry_hash
    assert entries[2].previous_hash == entries[1].entry_hash
    assert entries[0].actor_username == "council_analyst"
    assert entries[0].actor_organisation == "Riverford City Council"
    report = audit_chain_verify()
    assert report.intact and report.entries_checked == before + 3


def test_database_refuses_update_and_delete(council_analyst):
    entry = _three_entries(council_analyst)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="nothing to see")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == "DRMM preparation"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_truncate(council_analyst):
    _three_entries(council_analyst)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditentry")


def test_verifier_finds_an_edited_entry(council_analyst):
    entry = _three_entries(council_analyst)[1]
    with triggers_lifted(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["edited", entry.pk])
    report = audit_chain_verify()
    assert not report.intact
    assert [(p.sequence, p.problem) for p in report.problems] == [
        (entry.sequence, "content does not match its hash (edited, or recomputed without the key)")
    ]


def test_verifier_finds_an_edit_that_recomputed_its_own_hash(council_analyst, settings):
    """Someone who holds the key and forges one entry's hash still breaks the link to the next."""
    from saferplace.audit.chain import HASHED_FIELDS, entry_hash

    entry = _three_entries(council_analyst)[1]
    fields = AuditEntry.objects.values(*HASHED_FIELDS).get(pk=entry.pk)
    fields["reason"] = "forged"
    with triggers_lifted(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = %s, entry_hash = %s WHERE id = %s",
                       ["forged", entry_hash(fields, settings.AUDIT_HASH_KEYS), entry.pk])
    problems = audit_chain_verify().problems
    assert [(p.sequence, p.problem) for p in problems] == [
        (entry.sequence + 1, "does not follow on from the entry before it (chain broken)")
    ]


def test_verifier_finds_a_deleted_entry(council_analyst):
    entry = _three_entries(council_analyst)[1]
    with triggers_lifted(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    problems = audit_chain_verify().problems
    assert str(problems[0]) == f"entry #{entry.sequence + 1}: entries #{entry.sequence} to #{entry.sequence} are missing (deleted)"
    assert len(problems) == 2  # the gap, and the broken link


def test_audit_verify_command_exit_status(council_analyst, capsys):
    entry = _three_entries(council_analyst)[0]
    call_command("audit", "verify")
    assert "Audit trail intact" in capsys.readouterr().out
    with triggers_lifted(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_username = %s WHERE id = %s", ["someone", entry.pk])
    with pytest.raises(CommandError, match="Audit trail broken: 1 problem"):
        call_command("audit", "verify")
    assert f"entry #{entry.sequence}: content does not match its hash (edited" in capsys.readouterr().err


def test_triggers_are_back_after_maintenance(council_analyst):
    entry = _three_entries(council_analyst)[0]
    with triggers_lifted(connection):
        pass
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")


def test_a_nul_character_in_what_is_recorded_is_kept_as_a_mark_not_lost(world, police_officer):
    """PostgreSQL's text refuses NUL: a hostile address's refusal must still be recorded (and the
    chain still verify)."""
    entry = audit_record(viewer=viewer(police_officer), action=AuditAction.REFUSED, object_id="cal_\x00x",
                         object_repr="/calendar/cal_\x00<script>.ics", details={"path\x00": ["a\x00b"]})
    entry.refresh_from_db()
    assert "\x00" not in entry.object_repr + entry.object_id and entry.object_repr.startswith("/calendar/cal_\N{REPLACEMENT CHARACTER}")
    assert entry.details == {"path\N{REPLACEMENT CHARACTER}": ["a\N{REPLACEMENT CHARACTER}b"]}
    assert audit_chain_verify().intact
