"""API tokens: a partner's system calls the JSON API as one person, for a limited time and only
for the token's scopes (capabilities the API uses, of those the person's role holds). Only a
hash of the token is stored; the token itself is shown once."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotAllowed
from saferplace.partners import access
from saferplace.partners.models import ApiToken, RoleCapability, User

# The capabilities the JSON API uses, and so the scopes a token can have.
API_SCOPES = ("incidents.view", "incidents.export")
LAST_USED_PRECISION = timedelta(minutes=1)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def api_scopes_for(user: User) -> list[str]:
    """The scopes a token for this person can have: what the API uses that their role holds."""
    held = set(RoleCapability.objects.filter(role=user.role).values_list("capability_id", flat=True))
    return [scope for scope in API_SCOPES if scope in held]


@transaction.atomic
def api_token_create(
    *, viewer, user: User, name: str, scopes: Iterable[str] | None = None, days: int | None = None
) -> tuple[ApiToken, str]:
    """Make a token for `user` (the viewer themselves with `api.tokens`, or anyone for the
    operator); returns the stored record and the token, which is not kept."""
    if not viewer.is_operator:
        access.require(viewer, "api.tokens")
        if viewer.user_id != user.pk:
            raise NotAllowed("You can only make API tokens for yourself.", capability="api.tokens")
    possible = api_scopes_for(user)
    chosen = sorted(set(possible if scopes is None else scopes))
    days = settings.API_TOKEN_DAYS if days is None else days
    errors = {}
    if not name.strip():
        errors["name"] = "Say what will use the token, for example 'Police RMS nightly sync'"
    if not possible:
        errors["scopes"] = f"{user.display_name}'s role ({user.get_role_display().lower()}) has nothing the API offers"
    elif not chosen or set(chosen) - set(possible):
        errors["scopes"] = f"Choose scopes from: {', '.join(possible)}"
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["days"] = f"A token lasts from 1 to {settings.API_TOKEN_MAX_DAYS} days"
    if errors:
        raise ValidationError(errors)
    token = "sp_" + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user, name=name.strip()[:100], token_hash=_token_hash(token), scopes=chosen, created_by=viewer.name,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(viewer=viewer, action=AuditAction.CREATE, obj=record,
                 details={"for_user": user.username, "scopes": chosen, "expires_at": record.expires_at.isoformat()})
    return record, token


def api_token_authenticate(*, token: str) -> tuple[User, frozenset[str]] | None:
    """The person a token acts for and its scopes, if it is in use: not revoked, not expired,
    its person active."""
    now = timezone.now()
    record = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(token_hash=_token_hash(token), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if record is None:
        return None
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user, frozenset(record.scopes or [])


@transaction.atomic
def api_token_revoke(*, viewer, token: ApiToken) -> ApiToken:
    """Stop a token working: its own person, an administrator of their organisation, or the
    operator."""
    access.require_person_or_administrator(viewer, token.user)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), viewer.name
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(viewer=viewer, action=AuditAction.CHANGE, obj=token,
                     details={"changes": {"revoked": ["False", "True"]}, "for_user": token.user.username})
    return token


def api_tokens_revoke_all(*, viewer, user: User) -> int:
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True).select_related("user"))
    for token in tokens:
        api_token_revoke(viewer=viewer, token=token)
    return len(tokens)
