"""Reading the audit trail: search for auditors, and the chain check."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from saferplace.audit.chain import HASHED_FIELDS, ChainProblem, find_problems
from saferplace.audit.models import AuditEntry


@dataclass(frozen=True)
class AuditSearch:
    text: str = ""
    action: str = ""
    actor: str = ""
    object_type: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_entry_search(*, search: AuditSearch) -> QuerySet[AuditEntry]:
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
    return entries.order_by("-sequence")


def audit_recent(*, limit: int = 5) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.order_by("-sequence")[:limit]


@dataclass(frozen=True)
class ChainReport:
    entries_checked: int
    problems: list[ChainProblem]

    @property
    def intact(self) -> bool:
        return not self.problems


def audit_chain_verify(*, batch_size: int = 5000) -> ChainReport:
    """Check every entry, in sequence order, streaming so a long trail fits in memory."""
    counted = 0

    def entries() -> Iterator[dict]:
        nonlocal counted
        rows = AuditEntry.objects.order_by("sequence").values(*HASHED_FIELDS, "entry_hash")
        for row in rows.iterator(chunk_size=batch_size):
            counted += 1
            yield row

    problems = list(find_problems(entries()))
    return ChainReport(entries_checked=counted, problems=problems)
