"""Writing to the audit trail. `audit_record` is the only way entries are made."""

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.utils import timezone

from saferplace.audit.chain import GENESIS_HASH, entry_hash
from saferplace.audit.checkpoints import checkpoint_make, checkpoint_write
from saferplace.audit.models import AuditAction, AuditEntry
from saferplace.audit.selectors import (
    AuditSearch,
    audit_chain_head,
    audit_entry_get,
    audit_entry_search,
)
from saferplace.csv_stream import csv_lines
from saferplace.partners import access

# Any fixed number: the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 0x5AFE_A0D1


def _record_ids(ids: Iterable) -> str:
    values = [str(value) for value in ids]
    return f",{','.join(values)}," if values else ""


def audit_record(
    *,
    viewer,
    action: AuditAction | str,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    reason: str | None = None,
    details: dict | None = None,
    record_ids: Iterable = (),
) -> AuditEntry:
    """Append one entry for what `viewer` did. `obj` (a model instance) fills in the object
    fields; they can also be given directly for things that are not single rows (an export of a
    filtered list), with `record_ids` naming the records of `object_type` a list disclosed. The
    reason is the one in the viewer's audit context unless one is given."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    context = viewer.context
    now = timezone.now()
    key_id = settings.AUDIT_HASH_KEY_ID
    fields = {
        # Milliseconds: the precision every database and Django's serialisers keep, so an entry's
        # hash still matches after a dump and load into another database.
        "occurred_at": now.replace(microsecond=now.microsecond // 1000 * 1000),
        "actor_id": viewer.user_id,
        "actor_username": viewer.name[:150],
        "actor_organisation": viewer.organisation_name[:200],
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": object_repr[:300],
        "reason": context.reason if reason is None else reason,
        "ip_address": context.address[:45],
        "user_agent": context.user_agent[:300],
        "details": details or {},
        "channel": context.channel[:20],
        "record_ids": _record_ids(record_ids),
        "key_id": key_id,
    }
    for name in ("object_id", "object_repr", "reason", "user_agent", "details"):
        fields[name] = _storable(fields[name])
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        # On SQLite the transaction itself is the lock: it begins IMMEDIATE (see settings).
        last = AuditEntry.objects.order_by("-sequence").values("sequence", "entry_hash").first()
        fields["sequence"] = last["sequence"] + 1 if last else 1
        fields["previous_hash"] = last["entry_hash"] if last else GENESIS_HASH
        fields["entry_hash"] = entry_hash(fields, settings.AUDIT_HASH_KEYS)
        return AuditEntry.objects.create(**fields)


def _storable(value):
    """`value` with any NUL character replaced (PostgreSQL's text and JSON refuse it): a hostile
    address or token is recorded as it came, but for that, never lost with its refusal."""
    if isinstance(value, str):
        return value.replace("\x00", "\N{REPLACEMENT CHARACTER}")
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return value


def audit_refusal(*, viewer, what: str, record_type: str = "", record_id: str = "", details: dict | None = None) -> None:
    """Record a refused attempt: a page the viewer's role does not include, or a record they
    may not open (or that does not exist: the two are not told apart)."""
    audit_record(viewer=viewer, action=AuditAction.REFUSED, object_type=record_type, object_id=record_id,
                 object_repr=what[:300], details=details or {})


EXPORT_FIELDS = ["sequence", "occurred_at", "actor_username", "actor_organisation", "channel", "action",
                 "object_type", "object_id", "object_repr", "reason", "ip_address", "details", "entry_hash"]


def audit_export_csv(*, viewer, entries, filters: dict) -> Iterator[str]:
    """Export a search of the trail as CSV. The export is itself recorded, before any row is sent."""
    access.require(viewer, "audit.read")
    audit_record(
        viewer=viewer,
        action=AuditAction.EXPORT,
        object_type="audit.auditentry",
        object_repr="audit trail search as CSV",
        details={"filters": filters},
    )
    return csv_lines(EXPORT_FIELDS, entries.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000))


def audit_checkpoint_write(*, sink: str | None = None):
    """Write a signed checkpoint of the chain's head to the sink (AUDIT_CHECKPOINT_SINK);
    returns (checkpoint, where) or None for an empty trail."""
    head = audit_chain_head()
    if head is None:
        return None
    checkpoint = checkpoint_make(sequence=head["sequence"], entry_hash=head["entry_hash"],
                                 occurred_at=head["occurred_at"].isoformat())
    return checkpoint, checkpoint_write(checkpoint, sink=sink)


SEARCH_PAGE_SIZE = 50


def audit_search_open(*, viewer, search: AuditSearch, page: str | int | None = 1) -> Page:
    """One page of an auditor's search, itself recorded: the trail says who was seen doing what,
    so reading it is recorded too, with the search and the entries shown."""
    current = Paginator(audit_entry_search(viewer=viewer, search=search), SEARCH_PAGE_SIZE).get_page(page)
    current.object_list = list(current.object_list)
    audit_record(viewer=viewer, action=AuditAction.VIEW, object_type="audit.auditentry",
                 object_repr=f"audit trail search, page {current.number}"[:300],
                 details={"filters": {key: str(value) for key, value in vars(search).items() if value}},
                 record_ids=[entry.sequence for entry in current.object_list])
    return current


def audit_entry_open(*, viewer, sequence: int):
    """One entry with everything it stored, for an auditor; the opening is recorded."""
    entry = audit_entry_get(viewer=viewer, sequence=sequence)
    audit_record(viewer=viewer, action=AuditAction.VIEW, object_type="audit.auditentry", object_id=entry.sequence,
                 object_repr=f"audit entry #{entry.sequence}")
    return entry
