"""Signed-in sessions, recorded so that a person sees where they are signed in and can end a
session, and so that deactivating someone ends every session they have."""

from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.partners import access
from saferplace.partners.models import User, UserSession


def _session_store(session_key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


@transaction.atomic
def user_session_start(*, viewer, session_key: str) -> UserSession:
    """Record the session a person has just completed two-factor sign-in in."""
    now = timezone.now()
    session, _ = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": viewer.user, "last_seen_at": now, "ip_address": viewer.context.address[:45],
                  "user_agent": viewer.context.user_agent[:300], "ended_at": None, "ended_because": ""},
    )
    return session


def user_session_seen(*, session_key: str) -> None:
    UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(last_seen_at=timezone.now())


@transaction.atomic
def user_session_end(*, viewer, session: UserSession, because: str = "ended by its person") -> None:
    """End a session: the person's own, or (administrators) one of their organisation's people."""
    access.require_person_or_administrator(viewer, session.user)
    if session.ended_at is None:
        _session_store(session.session_key).delete()
        session.ended_at, session.ended_because = timezone.now(), because[:100]
        session.save(update_fields=["ended_at", "ended_because"])
        audit_record(viewer=viewer, action=AuditAction.SIGN_OUT, obj=session.user,
                     object_repr=f"session of {session.user.username} from {session.ip_address or 'unknown'}",
                     details={"because": because, "session_started": session.created_at.isoformat()})


def user_sessions_end_all(*, viewer, user: User, because: str, keep: str = "") -> int:
    """End every session of `user` but the one whose key is `keep` (the viewer's own, after they
    change their password)."""
    sessions = list(UserSession.objects.filter(user=user, ended_at__isnull=True).exclude(session_key=keep or None)
                    .select_related("user"))
    for session in sessions:
        user_session_end(viewer=viewer, session=session, because=because)
    return len(sessions)


def user_session_closed(*, session_key: str, because: str) -> None:
    """Mark a session ended that ended by itself (signed out, timed out)."""
    UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_because=because[:100]
    )
