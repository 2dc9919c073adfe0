"""Open311 API keys and the answers a key's retried POSTs get again.

A key is issued to one client application (an app, a partner's back-office system) by an
administrator (`reports.manage`) or the operator. Only a hash is stored; the key itself is shown
once, when it is made. Any key may post reports; a key of a partner (`organisation`) may also
move that partner's reports through their states, acting as that partner (`PartnerKeyViewer`),
every change audited under the key's name.

An `Idempotency-Key` header makes a retried POST get the first answer again
(`idempotent_answer_get`, `idempotent_answer_store`): stored with a hash of what was sent, so
the same key with different content is told apart."""

import hashlib
import secrets
from functools import cached_property

from django.db import transaction
from django.utils import timezone

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotAllowed, NotFound
from saferplace.partners import access
from saferplace.partners.models import CapabilityScope, DataCategory, Organisation
from saferplace.partners.viewer import AuditContext, Viewer
from saferplace.reports.models import ApiKey, IdempotentAnswer

NAME_MOST, IDEMPOTENCY_KEY_MOST = 100, 100
PER_MINUTE_MOST = 100_000
PREFIX = "o311_"
LAST_USED_EVERY_SECONDS = 60
OPEN311 = "open311"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def _require_manager(viewer) -> None:
    if not viewer.is_operator:
        access.require(viewer, "reports.manage")


def _require_partner(viewer, organisation: Organisation | None) -> None:
    """A partner's key acts as that partner: only its own administrators (or the operator) issue
    or revoke one. A residents' app's key (no partner) any administrator may."""
    if organisation is not None and not viewer.is_operator and organisation.pk != viewer.organisation_id:
        raise NotAllowed(f"A key acting for {organisation.name} is issued and revoked by its own administrators")


@transaction.atomic
def api_key_create(*, viewer, name: str, organisation: Organisation | None = None,
                   per_minute: int = 600) -> tuple[ApiKey, str]:
    """A key for the client application `name`; returns the record and the key, which is not kept."""
    _require_manager(viewer)
    _require_partner(viewer, organisation)
    name = str(name or "").replace("\x00", "").strip()
    if not name:
        raise ValueError("Name the client application the key is for")
    if len(name) > NAME_MOST:
        raise ValueError(f"The name: at most {NAME_MOST} characters")
    if ApiKey.objects.filter(name=name).exists():
        raise ValueError(f"There is already a key called {name!r}: revoke it first, or choose another name")
    if not 1 <= int(per_minute) <= PER_MINUTE_MOST:
        raise ValueError(f"Requests a minute: from 1 to {PER_MINUTE_MOST}")
    key = PREFIX + secrets.token_urlsafe(32)
    record = ApiKey.objects.create(name=name, key_hash=_hash(key), organisation=organisation,
                                   per_minute=int(per_minute), created_by=viewer.name[:150])
    audit_record(viewer=viewer, action=AuditAction.CREATE, obj=record,
                 details={"organisation": organisation.name if organisation else "", "per_minute": record.per_minute})
    return record, key


def api_key_list(*, viewer) -> list[ApiKey]:
    _require_manager(viewer)
    return list(ApiKey.objects.select_related("organisation").order_by("name"))


@transaction.atomic
def api_key_revoke(*, viewer, name: str) -> ApiKey:
    """Stop the key of the client application `name` working (at once, for every request after)."""
    _require_manager(viewer)
    record = ApiKey.objects.select_for_update().filter(name=str(name or "").strip()[:NAME_MOST]).first()
    if record is None:
        raise NotFound(f"There is no key called {name!r}.", record_type="reports.apikey")
    _require_partner(viewer, record.organisation)
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
        audit_record(viewer=viewer, action=AuditAction.CHANGE, obj=record,
                     details={"changes": {"revoked": ["False", "True"]}})
    return record


def api_key_authenticate(key: str) -> ApiKey | None:
    """The key in use that `key` is, or None (unknown, revoked, or not a key at all)."""
    key = str(key or "")
    if not key.startswith(PREFIX) or len(key) > 200:
        return None
    record = ApiKey.objects.select_related("organisation").filter(key_hash=_hash(key), revoked_at__isnull=True).first()
    if record is None:
        return None
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > LAST_USED_EVERY_SECONDS:
        ApiKey.objects.filter(pk=record.pk).update(last_used_at=now)
    return record


class PartnerKeyViewer(Viewer):
    """A partner's system acting through its Open311 key: it may triage its own organisation's
    reports of the categories that are not special (a key has no role, and special categories
    are opened by role), and nothing else; audited under the key's name."""

    def __init__(self, *, api_key: ApiKey, context: AuditContext):
        super().__init__(context=context)
        self.api_key = api_key

    @property
    def name(self) -> str:
        return f"{OPEN311}:{self.api_key.name}"[:150]

    @property
    def organisation_id(self) -> int | None:
        return self.api_key.organisation_id

    @property
    def organisation(self):
        return self.api_key.organisation

    @property
    def organisation_name(self) -> str:
        return self.api_key.organisation.name if self.api_key.organisation_id else ""

    @cached_property
    def grants(self) -> access.Grants:
        if not self.api_key.organisation_id:
            return access.NO_GRANTS
        ordinary = frozenset(DataCategory.objects.filter(is_special=False).values_list("pk", flat=True))
        return access.Grants(organisation_id=self.api_key.organisation_id, allowed_category_ids=ordinary)

    @property
    def capabilities(self) -> dict[str, str]:
        return {"reports.triage": CapabilityScope.OWN} if self.api_key.organisation_id else {}


def key_viewer(api_key: ApiKey, *, address: str = "", user_agent: str = "") -> PartnerKeyViewer:
    return PartnerKeyViewer(api_key=api_key, context=AuditContext(channel=OPEN311, address=address,
                                                                   user_agent=user_agent))


def request_hash(parts: list[tuple[str, str]]) -> str:
    """A hash of what a POST sent: its path and fields (files by a hash of their content)."""
    digest = hashlib.sha256()
    for name, value in sorted(parts):
        digest.update(f"{len(name)}:{name}={len(value)}:{value};".encode("utf-8", "replace"))
    return digest.hexdigest()


def idempotency_key_checked(key: str) -> str:
    key = str(key or "").strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MOST or any(ord(character) < 32 for character in key):
        raise ValueError(f"Idempotency-Key: from 1 to {IDEMPOTENCY_KEY_MOST} printable characters")
    return key


def idempotent_answer_get(*, api_key: ApiKey, key: str) -> IdempotentAnswer | None:
    return IdempotentAnswer.objects.filter(api_key=api_key, key=key).first()


def idempotent_answer_store(*, api_key: ApiKey, key: str, request_hash: str, status: int, content_type: str,
                            body: str) -> IdempotentAnswer:
    """Keep the first answer (inside the caller's transaction, with what it answered: a second
    answer to the same key fails on the unique constraint, so the caller rolls back its work)."""
    return IdempotentAnswer.objects.create(api_key=api_key, key=key, request_hash=request_hash, status=status,
                                           content_type=content_type[:100], body=body)
