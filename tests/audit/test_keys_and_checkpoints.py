"""A chain nobody can quietly rewrite: hashes keyed with a secret the database does not hold (so
a recomputed chain does not verify), keys that rotate, and signed checkpoints of the chain's head
written outside the database (so entries cut off the end, or a chain recomputed with the key,
are found)."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from saferplace.audit.chain import GENESIS_HASH, HASHED_FIELDS, UNKEYED_FIELDS, entry_hash
from saferplace.audit.models import AuditAction, AuditEntry
from saferplace.audit.selectors import audit_chain_verify
from saferplace.audit.services import audit_checkpoint_write, audit_record
from saferplace.audit.triggers import triggers_lifted
from tests.conftest import viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings, tmp_path):
    path = tmp_path / "checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_SINK = f"file:{path}"
    return path


def _entries(user, count: int = 3):
    return [audit_record(viewer=viewer(user), action=AuditAction.VIEW, object_type="incidents.incident",
                         object_id=n, object_repr=f"incident {n}") for n in range(count)]


def _recompute_from(sequence: int, keys: dict, *, change=None) -> None:
    """What someone with full control of the database does: change entries and recompute every
    hash from `sequence` on, as if by SaferPlace, with `keys`."""
    rows = list(AuditEntry.objects.filter(sequence__gte=sequence).order_by("sequence").values("pk", *HASHED_FIELDS))
    previous = AuditEntry.objects.filter(sequence=sequence - 1).values_list("entry_hash", flat=True).first() or GENESIS_HASH
    with triggers_lifted(connection), connection.cursor() as cursor:
        for row in rows:
            if change:
                change(row)
            row["previous_hash"] = previous
            row["key_id"] = next(iter(keys)) if keys else ""
            previous = entry_hash(row, keys)
            cursor.execute(
                "UPDATE audit_auditentry SET reason = %s, previous_hash = %s, entry_hash = %s, key_id = %s WHERE id = %s",
                [row["reason"], row["previous_hash"], previous, row["key_id"], row["pk"]],
            )


def test_entries_are_keyed_with_the_current_key(council_analyst, settings):
    entry = _entries(council_analyst, 1)[0]
    assert entry.key_id == settings.AUDIT_HASH_KEY_ID
    fields = AuditEntry.objects.values(*HASHED_FIELDS).get(pk=entry.pk)
    assert entry.entry_hash == entry_hash(fields, settings.AUDIT_HASH_KEYS)
    assert entry.entry_hash != entry_hash(fields, {settings.AUDIT_HASH_KEY_ID: b"another key"})


def test_a_chain_recomputed_without_the_key_does_not_verify(council_analyst):
    entries = _entries(council_analyst)

    def forge(row):
        row["reason"] = "nothing to see"

    _recompute_from(entries[1].sequence, {"development": b"a guessed key"}, change=forge)
    problems = audit_chain_verify().problems
    assert {problem.sequence for problem in problems} >= {entries[1].sequence, entries[2].sequence}
    assert all("recomputed without the key" in problem.problem for problem in problems)


def test_unkeyed_entries_after_keyed_ones_are_refused(council_analyst):
    entries = _entries(council_analyst)
    _recompute_from(entries[1].sequence, {})  # the old, unkeyed kind of hash
    problems = [str(problem) for problem in audit_chain_verify().problems]
    assert f"entry #{entries[1].sequence}: has no key after keyed entries (added or rewritten without the key)" in problems


def test_rotated_keys_verify_old_entries_and_unknown_keys_are_named(council_analyst, settings):
    old = _entries(council_analyst, 2)
    settings.AUDIT_HASH_KEYS = {"2027": b"the new key, rotated in", **settings.AUDIT_HASH_KEYS}
    settings.AUDIT_HASH_KEY_ID = "2027"
    new = _entries(council_analyst, 1)[0]
    assert new.key_id == "2027" and old[0].key_id != "2027"
    assert audit_chain_verify().intact
    settings.AUDIT_HASH_KEYS = {"2027": b"the new key, rotated in"}  # the old key thrown away
    problems = [str(problem) for problem in audit_chain_verify().problems]
    assert f"entry #{old[0].sequence}: was made with the key 'development', which this installation does not have" in problems


def test_first_unkeyed_entries_still_verify(council_analyst):
    """Entries made before keys came in keep their plain SHA-256 hash and still verify."""
    first = AuditEntry.objects.order_by("sequence").first()
    rows = list(AuditEntry.objects.order_by("sequence").values("pk", *HASHED_FIELDS))
    previous = GENESIS_HASH
    with triggers_lifted(connection), connection.cursor() as cursor:
        for row in rows:  # the whole trail as an installation upgraded from before keys would have it
            row.update(previous_hash=previous, key_id="")
            previous = entry_hash(row, {})
            cursor.execute("UPDATE audit_auditentry SET previous_hash = %s, entry_hash = %s, key_id = '' WHERE id = %s",
                           [row["previous_hash"], previous, row["pk"]])
    assert {name for name in HASHED_FIELDS if name not in UNKEYED_FIELDS} == {"channel", "record_ids", "key_id"}
    _entries(council_analyst, 2)
    report = audit_chain_verify()
    assert report.intact, [str(problem) for problem in report.problems]
    assert first is not None


def test_checkpoint_is_a_signed_line_outside_the_database(council_analyst, sink, settings):
    entries = _entries(council_analyst)
    checkpoint, where = audit_checkpoint_write()
    assert where == str(sink)
    line = json.loads(sink.read_text().splitlines()[-1])
    assert line["sequence"] == entries[-1].sequence and line["entry_hash"] == entries[-1].entry_hash
    assert len(line["signature"]) == 64
    report = audit_chain_verify()
    assert report.intact and report.checkpoints_checked == 1


def test_a_truncated_trail_is_found_by_its_checkpoint(council_analyst, sink):
    entries = _entries(council_analyst)
    audit_checkpoint_write()
    with triggers_lifted(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE sequence >= %s", [entries[1].sequence])
    report = audit_chain_verify()
    assert not report.problems  # what is left of the chain is intact…
    assert not report.intact  # …but the checkpoint shows the end was cut off
    assert "were cut off (truncated)" in str(report.checkpoint_problems[0])
    assert f"entries #{entries[1].sequence} to #{entries[-1].sequence}" in str(report.checkpoint_problems[0])


def test_a_chain_recomputed_with_the_key_is_found_by_its_checkpoint(council_analyst, sink, settings):
    entries = _entries(council_analyst)
    audit_checkpoint_write()

    def forge(row):
        row["reason"] = "rewritten by someone holding the key"

    _recompute_from(entries[0].sequence, settings.AUDIT_HASH_KEYS, change=forge)
    report = audit_chain_verify()
    assert not report.problems
    assert [str(problem).split(": ", 1)[1] for problem in report.checkpoint_problems] == [
        f"entry #{entries[-1].sequence} no longer has the hash it had then: the trail was rewritten"
    ]


def test_a_forged_checkpoint_line_is_refused(council_analyst, sink):
    _entries(council_analyst)
    audit_checkpoint_write()
    line = json.loads(sink.read_text().splitlines()[-1])
    line["sequence"] += 100  # pretend the trail was once longer
    sink.write_text(sink.read_text() + json.dumps(line) + "\n")
    report = audit_chain_verify()
    assert [str(problem) for problem in report.checkpoint_problems] == [
        "checkpoint on line 2: its signature does not match (forged or damaged)"
    ]


def test_verify_command_checks_checkpoints_from_a_file(council_analyst, sink, settings, tmp_path, capsys):
    entries = _entries(council_analyst)
    call_command("audit", "checkpoint")
    assert f"Checkpoint of entry #{entries[-1].sequence} written to {sink}" in capsys.readouterr().out
    kept = tmp_path / "from-the-log.txt"
    kept.write_text("2026-11-27 12:00 INFO saferplace.audit.checkpoint " + sink.read_text())
    settings.AUDIT_CHECKPOINT_SINK = "log"
    call_command("audit", "verify", "--checkpoints", str(kept))
    assert "and 1 checkpoint(s)" in capsys.readouterr().out
    with triggers_lifted(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE sequence = %s", [entries[-1].sequence])
    with pytest.raises(CommandError, match="Audit trail broken"):
        call_command("audit", "verify", "--checkpoints", str(kept))
    assert "were cut off (truncated)" in capsys.readouterr().err
