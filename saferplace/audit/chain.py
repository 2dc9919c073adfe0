"""The hash chain: how an entry's hash is computed, and how the whole chain is checked."""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64

HASHED_FIELDS = (
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


def _canonical(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def entry_hash(fields: dict) -> str:
    payload = {name: _canonical(fields[name]) for name in HASHED_FIELDS}
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"entry #{self.sequence}: {self.problem}"


def find_problems(entries: Iterable[dict]) -> Iterator[ChainProblem]:
    """Walk entries in sequence order and report every break: an entry whose content no longer
    matches its hash (edited), whose previous hash does not match the entry before (edited or
    removed), or a gap in the sequence numbers (removed)."""
    expected_sequence = 1
    previous = GENESIS_HASH
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
        if entry_hash(entry) != entry["entry_hash"]:
            yield ChainProblem(sequence, "content does not match its hash (edited)")
        previous = entry["entry_hash"]
        expected_sequence = sequence + 1
