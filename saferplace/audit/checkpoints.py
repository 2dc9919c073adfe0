"""Signed checkpoints of the audit chain's head, kept outside the database.

The hash chain shows an entry edited or removed from the middle; it cannot show entries cut off
the end (the chain that is left is intact), nor a chain recomputed by someone who holds the
hash key. So on a schedule the worker writes the head (sequence number and hash) as a signed
line to a sink the operator chooses, which the application can append to but the database's
owner cannot rewrite: a file (ideally on another machine's mount, append-only) or a logger whose
lines the operator ships elsewhere. `saferplace audit verify` compares the trail with every
checkpoint: a checkpoint whose entry is gone means entries were cut off; one whose entry has
another hash means the chain was rewritten.

A line is JSON: {"sequence", "entry_hash", "occurred_at", "written_at", "signature"}, the
signature an HMAC-SHA256 (AUDIT_CHECKPOINT_KEY) of the other fields."""

import hashlib
import hmac
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("saferplace.audit.checkpoint")
SIGNED_FIELDS = ("sequence", "entry_hash", "occurred_at", "written_at")


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    entry_hash: str
    occurred_at: str
    written_at: str
    signature: str

    def as_line(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)


def _signature(fields: dict, key: bytes) -> str:
    payload = json.dumps({name: fields[name] for name in SIGNED_FIELDS}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def checkpoint_make(*, sequence: int, entry_hash: str, occurred_at: str, key: bytes | None = None) -> Checkpoint:
    fields = {"sequence": sequence, "entry_hash": entry_hash, "occurred_at": occurred_at,
              "written_at": timezone.now().isoformat(timespec="seconds")}
    return Checkpoint(**fields, signature=_signature(fields, key or settings.AUDIT_CHECKPOINT_KEY))


def checkpoint_write(checkpoint: Checkpoint, *, sink: str | None = None) -> str:
    """Append the checkpoint to the sink; returns where it went."""
    sink = sink or settings.AUDIT_CHECKPOINT_SINK
    if sink == "log":
        logger.info("%s", checkpoint.as_line())
        return "the log (saferplace.audit.checkpoint)"
    path = Path(sink.removeprefix("file:"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(checkpoint.as_line() + "\n")
    return str(path)


@dataclass(frozen=True)
class CheckpointProblem:
    where: str
    problem: str

    def __str__(self) -> str:
        return f"checkpoint {self.where}: {self.problem}"


def checkpoints_read(lines: Iterable[str], *, key: bytes | None = None) -> tuple[list[Checkpoint], list[CheckpointProblem]]:
    """Parse checkpoint lines (blank lines and lines of a log that are not checkpoints are
    skipped); a line that is a checkpoint but whose signature does not match is a problem."""
    key = key or settings.AUDIT_CHECKPOINT_KEY
    found, problems = [], []
    for number, line in enumerate(lines, start=1):
        start = line.find("{")
        if start < 0:
            continue
        try:
            fields = json.loads(line[start:])
        except json.JSONDecodeError:
            continue
        if not isinstance(fields, dict) or not set(SIGNED_FIELDS) | {"signature"} <= set(fields):
            continue
        if not isinstance(fields["sequence"], int) or not hmac.compare_digest(
            str(fields["signature"]), _signature(fields, key)
        ):
            problems.append(CheckpointProblem(f"on line {number}", "its signature does not match (forged or damaged)"))
            continue
        found.append(Checkpoint(**{name: fields[name] for name in (*SIGNED_FIELDS, "signature")}))
    return found, problems


def checkpoints_from_sink(sink: str | None = None) -> list[str] | None:
    """The lines of the configured file sink (None for a log sink: the operator passes the
    lines they keep to `saferplace audit verify --checkpoints FILE`)."""
    sink = sink or settings.AUDIT_CHECKPOINT_SINK
    if sink == "log":
        return None
    path = Path(sink.removeprefix("file:"))
    if not path.exists():
        return []
    return path.read_text(encoding="utf-8").splitlines()


def checkpoints_compare(checkpoints: list[Checkpoint], hashes_by_sequence: dict[int, str], head: int) -> list[CheckpointProblem]:
    """Each checkpoint against the trail: its entry must still be there with the same hash."""
    problems = []
    for checkpoint in checkpoints:
        where = f"#{checkpoint.sequence} of {checkpoint.written_at}"
        if checkpoint.sequence > head:
            problems.append(CheckpointProblem(where, (
                f"the trail now ends at entry #{head}, but entry #{checkpoint.sequence} existed when the "
                f"checkpoint was written: entries #{head + 1} to #{checkpoint.sequence} were cut off (truncated)"
            )))
        elif hashes_by_sequence.get(checkpoint.sequence) != checkpoint.entry_hash:
            problems.append(CheckpointProblem(where, (
                f"entry #{checkpoint.sequence} no longer has the hash it had then: the trail was rewritten"
            )))
    return problems
