"""Reading the audit trail: search for auditors (by person, action, date, or every disclosure
of one record), one entry with its details, and the check of the chain and its checkpoints."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.conf import settings
from django.db.models import Max, Q, QuerySet

from saferplace.audit.chain import HASHED_FIELDS, ChainProblem, find_problems
from saferplace.audit.checkpoints import (
    CheckpointProblem,
    checkpoints_compare,
    checkpoints_from_sink,
    checkpoints_read,
)
from saferplace.audit.models import AuditAction, AuditEntry
from saferplace.errors import NotFound
from saferplace.partners import access

# A stored scope's lookups: a field, optionally with one of these operators.
_LOOKUP = re.compile(r"^[a-z][a-z0-9_]*?(__(in|lte|gte|lt|gt))?$")


@dataclass(frozen=True)
class AuditSearch:
    text: str = ""
    action: str = ""
    actor: str = ""
    object_type: str = ""
    date_from: date | None = None
    date_to: date | None = None
    record_type: str = ""
    record_id: int | None = None


def audit_entry_search(*, viewer, search: AuditSearch) -> QuerySet[AuditEntry]:
    """Entries matching the search, newest first. With a record (type and number), every entry
    that disclosed it: opened on its own, shown in a list, or exported in bulk by filters that
    covered it (see `_bulk_exports_covering`)."""
    access.require(viewer, "audit.read")
    entries = AuditEntry.objects.all()
    if search.text:
        entries = entries.filter(
            Q(object_repr__icontains=search.text)
            | Q(object_id=search.text)
            | Q(reason__icontains=search.text)
            | Q(actor_username__icontains=search.text)
        )
    if search.action:
        entries = entries.filter(action=search.action)
    if search.actor:
        entries = entries.filter(actor_username__iexact=search.actor)
    if search.object_type:
        entries = entries.filter(object_type=search.object_type)
    if search.date_from:
        entries = entries.filter(occurred_at__date__gte=search.date_from)
    if search.date_to:
        entries = entries.filter(occurred_at__date__lte=search.date_to)
    if search.record_type and search.record_id is not None:
        entries = entries.filter(_disclosing(search.record_type, search.record_id, entries))
    return entries.order_by("-sequence")


def _disclosing(record_type: str, record_id: int, entries: QuerySet) -> Q:
    direct = Q(object_type=record_type) & (Q(object_id=str(record_id)) | Q(record_ids__contains=f",{record_id},"))
    covering = _bulk_exports_covering(record_type, record_id, entries)
    return direct | Q(pk__in=covering) if covering else direct


def _bulk_exports_covering(record_type: str, record_id: int, entries: QuerySet) -> list[int]:
    """Bulk exports (a CSV of a million records lists no ids) record their scope instead: the
    lookups that chose the records, the reading rule's terms for the exporter at the time, and
    the highest record id then. Replaying that scope against this one record says whether the
    export included it."""
    try:
        model = apps.get_model(record_type)
    except (LookupError, ValueError):
        return []
    found = []
    exports = entries.filter(action=AuditAction.EXPORT, object_type=record_type, record_ids="")
    for pk, details in exports.values_list("pk", "details").iterator(chunk_size=500):
        scope = (details or {}).get("scope")
        if isinstance(scope, dict) and _scope_covers(model, scope, record_id):
            found.append(pk)
    return found


def _lookups_valid(lookups) -> bool:
    return isinstance(lookups, dict) and all(isinstance(key, str) and _LOOKUP.match(key) for key in lookups)


def _scope_covers(model, scope: dict, record_id: int) -> bool:
    """Whether the record matches the scope: every lookup of `filters`, at least one term of
    each group in `groups` (the reading rule's terms are one group), and an id no higher than
    `up_to_id`."""
    lookups = scope.get("filters") or {}
    groups = scope.get("groups") or []
    if not _lookups_valid(lookups) or not isinstance(groups, list):
        return False
    records = model.objects.filter(pk=record_id, pk__lte=scope.get("up_to_id") or 0, **lookups)
    for group in groups:
        if not isinstance(group, list) or not all(_lookups_valid(term) for term in group):
            return False
        records = records.filter(access.terms_condition(group))
    return records.exists()


def audit_entry_get(*, viewer, sequence: int) -> AuditEntry:
    access.require(viewer, "audit.read")
    entry = AuditEntry.objects.filter(sequence=sequence).first()
    if entry is None:
        raise NotFound(f"There is no audit entry #{sequence}.", record_type="audit.auditentry", record_id=sequence)
    return entry


def audit_recent(*, viewer, limit: int = 5) -> QuerySet[AuditEntry]:
    access.require(viewer, "audit.read")
    return AuditEntry.objects.order_by("-sequence")[:limit]


def audit_entry_count(*, viewer) -> int:
    access.require(viewer, "audit.read")
    return AuditEntry.objects.count()


@dataclass(frozen=True)
class ChainReport:
    entries_checked: int
    problems: list[ChainProblem]
    checkpoints_checked: int = 0
    checkpoint_problems: list[CheckpointProblem] = field(default_factory=list)
    checkpoints_available: bool = True

    @property
    def intact(self) -> bool:
        return not self.problems and not self.checkpoint_problems


def audit_chain_verify(*, batch_size: int = 5000, checkpoint_lines: list[str] | None = None) -> ChainReport:
    """Check every entry, in sequence order, streaming so a long trail fits in memory; then the
    checkpoints (from `checkpoint_lines`, else the configured file sink)."""
    counted = 0
    hashes_at: dict[int, str] = {}
    lines = checkpoint_lines if checkpoint_lines is not None else checkpoints_from_sink()
    checkpoints, checkpoint_problems = checkpoints_read(lines or [])
    wanted = {checkpoint.sequence for checkpoint in checkpoints}

    def entries() -> Iterator[dict]:
        nonlocal counted
        rows = AuditEntry.objects.order_by("sequence").values(*HASHED_FIELDS, "entry_hash")
        for row in rows.iterator(chunk_size=batch_size):
            counted += 1
            if row["sequence"] in wanted:
                hashes_at[row["sequence"]] = row["entry_hash"]
            yield row

    problems = list(find_problems(entries(), settings.AUDIT_HASH_KEYS))
    head = AuditEntry.objects.aggregate(head=Max("sequence"))["head"] or 0
    checkpoint_problems += checkpoints_compare(checkpoints, hashes_at, head)
    return ChainReport(
        entries_checked=counted, problems=problems, checkpoints_checked=len(checkpoints),
        checkpoint_problems=checkpoint_problems, checkpoints_available=lines is not None,
    )


def audit_chain_head() -> dict | None:
    """The last entry's sequence number, hash and time (what a checkpoint records)."""
    return AuditEntry.objects.order_by("-sequence").values("sequence", "entry_hash", "occurred_at").first()
