"""The hash chain: how an entry's hash is computed, and how the whole chain is checked.

An entry's hash is an HMAC-SHA256, keyed with a secret from the environment (never stored in
the database), of its content and the previous entry's hash. Someone who can change the
database but does not hold the key cannot make a changed entry, or a whole recomputed chain,
that verifies. Keys have ids, so a key can be rotated: each entry names the key it was made
with, and verification looks it up.

Entries made before keys came in (key id "") have a plain SHA-256 hash of fewer fields; they
are accepted only at the start of the chain, before the first keyed entry, so nobody can add
unkeyed entries later."""

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64

# The fields of the first, unkeyed entries.
UNKEYED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_organisation",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "reason",
    "ip_address",
    "user_agent",
    "details",
    "previous_hash",
)
HASHED_FIELDS = (*UNKEYED_FIELDS, "channel", "record_ids", "key_id")


def _canonical(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def _encoded(fields: Mapping, names: tuple[str, ...]) -> bytes:
    payload = {name: _canonical(fields[name]) for name in names}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(fields: Mapping, keys: Mapping[str, bytes]) -> str:
    """The hash of an entry: keyed with `keys[fields["key_id"]]`, or the plain SHA-256 of the
    first entries when the key id is blank. Raises KeyError for a key id not in `keys`."""
    key_id = fields.get("key_id", "")
    if not key_id:
        return hashlib.sha256(_encoded(fields, UNKEYED_FIELDS)).hexdigest()
    return hmac.new(keys[key_id], _encoded(fields, HASHED_FIELDS), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"entry #{self.sequence}: {self.problem}"


def find_problems(entries: Iterable[dict], keys: Mapping[str, bytes]) -> Iterator[ChainProblem]:
    """Walk entries in sequence order and report every break: an entry whose content no longer
    matches its hash (edited, or recomputed without the key), whose previous hash does not match
    the entry before (edited or removed), a gap in the sequence numbers (removed), an unkeyed
    entry after a keyed one, or a key this installation does not have."""
    expected_sequence = 1
    previous = GENESIS_HASH
    keyed_seen = False
    for entry in entries:
        sequence = entry["sequence"]
        if sequence != expected_sequence:
            yield ChainProblem(
                sequence,
                f"entries #{expected_sequence} to #{sequence - 1} are missing (deleted)"
                if sequence > expected_sequence
                else f"sequence number repeats or goes backwards (expected #{expected_sequence})",
            )
        if entry["previous_hash"] != previous:
            yield ChainProblem(sequence, "does not follow on from the entry before it (chain broken)")
        key_id = entry.get("key_id", "")
        if key_id:
            keyed_seen = True
        if not key_id and keyed_seen:
            yield ChainProblem(sequence, "has no key after keyed entries (added or rewritten without the key)")
        elif key_id and key_id not in keys:
            yield ChainProblem(sequence, f"was made with the key {key_id!r}, which this installation does not have")
        elif not hmac.compare_digest(entry_hash(entry, keys), entry["entry_hash"]):
            yield ChainProblem(sequence, "content does not match its hash (edited, or recomputed without the key)")
        previous = entry["entry_hash"]
        expected_sequence = sequence + 1
