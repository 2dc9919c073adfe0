"""Writing to the audit trail. `audit_record` is the only way entries are made."""

from collections.abc import Iterator

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from saferplace.audit.chain import GENESIS_HASH, entry_hash
from saferplace.audit.models import AuditAction, AuditEntry
from saferplace.csv_stream import csv_lines

# Any fixed number: the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 0x5AFE_A0D1


def _client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    if settings.AUDIT_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


def changed_fields(instance, values: dict) -> dict:
    """What saving `values` onto `instance` would change, as {field: [old, new]} (as text): the
    `changes` detail of a CHANGE entry. Call it before setting the values."""
    return {
        name: [str(getattr(instance, name)), str(new)]
        for name, new in values.items()
        if getattr(instance, name) != new
    }


def audit_record(
    *,
    action: AuditAction | str,
    actor=None,
    request: HttpRequest | None = None,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    reason: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry. `obj` (a model instance) fills in the object fields; they can also be
    given directly for things that are not single rows (an export of a filtered list)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    organisation = getattr(actor, "organisation", None) if actor is not None else None
    now = timezone.now()
    fields = {
        # Milliseconds: the precision every database and Django's serialisers keep, so an entry's
        # hash still matches after a dump and load into another database.
        "occurred_at": now.replace(microsecond=now.microsecond // 1000 * 1000),
        "actor_id": actor.pk if actor is not None else None,
        "actor_username": actor.get_username() if actor is not None else "",
        "actor_organisation": str(organisation) if organisation is not None else "",
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": object_repr[:300],
        "reason": reason,
        "ip_address": _client_address(request),
        "user_agent": (request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
        "details": details or {},
    }
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        # On SQLite the transaction itself is the lock: it begins IMMEDIATE (see settings).
        last = AuditEntry.objects.order_by("-sequence").values("sequence", "entry_hash").first()
        fields["sequence"] = last["sequence"] + 1 if last else 1
        fields["previous_hash"] = last["entry_hash"] if last else GENESIS_HASH
        fields["entry_hash"] = entry_hash(fields)
        return AuditEntry.objects.create(**fields)


EXPORT_FIELDS = ["sequence", "occurred_at", "actor_username", "actor_organisation", "action", "object_type",
                 "object_id", "object_repr", "reason", "ip_address", "entry_hash"]


def audit_export_csv(*, actor, entries, filters: dict, request: HttpRequest | None = None) -> Iterator[str]:
    """Export a search of the trail as CSV. The export is itself recorded, before any row is sent."""
    audit_record(
        action=AuditAction.EXPORT,
        actor=actor,
        request=request,
        object_type="audit.auditentry",
        object_repr="audit trail search as CSV",
        details={"filters": filters},
    )
    return csv_lines(EXPORT_FIELDS, entries.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000))
