"""People: adding them to an organisation, their roles (a role that opens a special category
needs a second administrator's approval), signing in or not, and their passwords.

Administrators manage the people of their own organisation only (`users.manage`, own scope).
A first password made by someone else must be changed at the first sign-in, so nobody but the
person ever knows a password they keep."""

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotAllowed
from saferplace.history import record_change
from saferplace.partners import access
from saferplace.partners.events import UserEventKind
from saferplace.partners.models import (
    Organisation,
    Role,
    RoleRequest,
    RoleRequestStatus,
    Team,
    User,
)
from saferplace.partners.selectors import user_get
from saferplace.partners.services.sessions import user_sessions_end_all
from saferplace.partners.services.tokens import api_tokens_revoke_all

# A first password someone else made works this long (ASVS 6.4.1); then an administrator gives a new one.
FIRST_PASSWORD_DAYS = 7


def initial_password() -> str:
    """A first password for a new account, shown once to the administrator who adds the person;
    the person must change it when they first sign in, within FIRST_PASSWORD_DAYS."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def _first_password_expiry():
    return timezone.now() + timedelta(days=FIRST_PASSWORD_DAYS)


def _needs_approval(viewer, role: str) -> bool:
    """A role opening a special category, given by anyone but the operator (who acts for the
    partnership from the command line, and is audited), waits for a second administrator."""
    return role in access.special_category_roles() and not viewer.is_operator


def _role_request(viewer, *, user: User, role: str, pending: bool, reason: str = "") -> RoleRequest:
    now = timezone.now()
    return RoleRequest.objects.create(
        user=user, role=role, reason=reason,
        status=RoleRequestStatus.PENDING if pending else RoleRequestStatus.APPROVED,
        requested_by=viewer.name, requested_by_user=viewer.user,
        decided_by="" if pending else viewer.name, decided_at=None if pending else now,
    )


@transaction.atomic
def user_create(
    *,
    viewer,
    username: str,
    password: str,
    organisation: Organisation,
    role: Role | str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    job_title: str = "",
    team: Team | None = None,
    is_demo_persona: bool = False,
    validate: bool = True,
    must_change_password: bool = True,
) -> User:
    """Add a person to `organisation` (the viewer's own, unless the viewer is the operator). A
    role that opens a special category leaves the account unable to sign in until a second
    administrator approves it."""
    access.require(viewer, "users.manage", organisation)
    role = Role(role)
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError({"team": "Choose a team of the person's own organisation."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username “{username}” is already taken."})
    pending = _needs_approval(viewer, role)
    user = User(
        username=username, organisation=organisation, role=role, first_name=first_name, last_name=last_name,
        email=email, job_title=job_title, team=team, is_demo_persona=is_demo_persona,
        must_change_password=must_change_password, is_active=not pending,
        first_password_expires_at=_first_password_expiry() if must_change_password else None,
    )
    if validate:
        validate_password(password, user)
    user.set_password(password)
    approval = RoleRequestStatus.PENDING if pending else RoleRequestStatus.APPROVED
    record_change(viewer=viewer, record=user, kind=UserEventKind.ADDED, created=True,
                  changes={"role": [None, role.label], "organisation": [None, organisation.name]},
                  details={"role": user.role, "role_approval": approval})
    _role_request(viewer, user=user, role=role, pending=pending, reason="new account")
    return user


@transaction.atomic
def user_role_change(*, viewer, user: User, role: Role | str, reason: str = "") -> RoleRequest:
    """Give a person of the viewer's organisation another role: at once, or, for a role that
    opens a special category, once a second administrator approves."""
    access.require(viewer, "users.manage", user)
    role = Role(role)
    if role == user.role:
        raise ValidationError({"role": f"{user.display_name} is already {role.with_article}."})
    RoleRequest.objects.filter(user=user, status=RoleRequestStatus.PENDING).update(
        status=RoleRequestStatus.REFUSED, decided_by=viewer.name, decided_at=timezone.now(),
        reason="replaced by a later request",
    )
    pending = _needs_approval(viewer, role)
    role_request = _role_request(viewer, user=user, role=role, pending=pending, reason=reason)
    details = {"role_requested": [user.role, str(role)], "role_approval": role_request.status}
    if pending:
        record_change(viewer=viewer, record=user, kind=UserEventKind.ROLE_REQUESTED, note=reason, details=details,
                      changes={"role requested": [Role(user.role).label, role.label]})
    else:
        record_change(viewer=viewer, record=user, kind=UserEventKind.ROLE_CHANGED, values={"role": role.value},
                      note=reason, details=details)
    return role_request


@transaction.atomic
def role_request_decide(*, viewer, request: RoleRequest, approve: bool, reason: str = "") -> RoleRequest:
    """A second administrator of the same organisation approves or refuses a pending role. The
    administrator who asked for it cannot decide it."""
    role_request = RoleRequest.objects.select_for_update().select_related("user").get(pk=request.pk)
    user = role_request.user
    access.require(viewer, "users.manage", user)
    if role_request.status != RoleRequestStatus.PENDING:
        raise ValidationError(f"This request was already {role_request.get_status_display().lower()}.")
    if not viewer.is_operator and (
        (role_request.requested_by_user_id is not None and role_request.requested_by_user_id == viewer.user_id)
        or viewer.user_id == user.pk
    ):
        raise NotAllowed("A second administrator must decide this: not the one who asked for it, nor the person.",
                         capability="users.manage")
    role_request.status = RoleRequestStatus.APPROVED if approve else RoleRequestStatus.REFUSED
    role_request.decided_by, role_request.decided_at = viewer.name, timezone.now()
    if reason:
        role_request.reason = (role_request.reason + "; " if role_request.reason else "") + reason
    role_request.save()
    details = {"role_approval": role_request.status, "role": role_request.role, "requested_by": role_request.requested_by}
    values = {}
    if approve:
        values["role"] = role_request.role
        if role_request.reason.startswith("new account") and not user.is_active:
            values["is_active"] = True
    record_change(viewer=viewer, record=user, kind=UserEventKind.ROLE_CHANGED if approve else UserEventKind.ROLE_REFUSED,
                  values=values, note=reason, details=details, always=True)
    return role_request


def role_is_approved(user: User) -> bool:
    """Whether the person's current role may be used: it opens no special category, or its
    latest request is approved."""
    if user.role not in access.special_category_roles():
        return True
    latest = user.role_requests.order_by("-requested_at", "-id").first()
    return latest is not None and latest.role == user.role and latest.status == RoleRequestStatus.APPROVED


@transaction.atomic
def user_set_active(*, viewer, user: User, active: bool) -> User:
    """Let a person sign in again, or stop them (leavers; their sessions and API tokens end too).
    Their records and audit entries stay. A role waiting for approval cannot be switched on."""
    access.require(viewer, "users.manage", user)
    if viewer.user_id == user.pk and not active:
        raise ValidationError("You cannot deactivate your own account.")
    if active and not role_is_approved(user):
        raise ValidationError(
            f"{user.display_name}'s role ({user.get_role_display().lower()}) opens a special category and is "
            "waiting for a second administrator's approval."
        )
    if user.is_active == active:
        return user
    record_change(viewer=viewer, record=user, kind=UserEventKind.REACTIVATED if active else UserEventKind.DEACTIVATED,
                  values={"is_active": active})
    if not active:
        user_sessions_end_all(viewer=viewer, user=user, because="account deactivated")
        api_tokens_revoke_all(viewer=viewer, user=user)
    return user


@transaction.atomic
def user_password_change(*, viewer, current_password: str, new_password: str) -> User:
    """A person changes their own password: the current one, then a new one that passes the
    password rules (length, not common, not like their name, not all digits)."""
    user = viewer.user
    if user is None:
        raise NotAllowed("Sign in to change your password.")
    errors = {}
    if not user.check_password(current_password):
        errors["current_password"] = "Your current password is not right"  # noqa: S105 - a message
    elif current_password == new_password:
        errors["new_password"] = "Choose a password that is different from your current one"  # noqa: S105
    else:
        try:
            validate_password(new_password, user)
        except ValidationError as error:
            errors["new_password"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(new_password)
    record_change(viewer=viewer, record=user, kind=UserEventKind.PASSWORD_CHANGED,
                  values={"must_change_password": False, "first_password_expires_at": None},
                  changes={"password": ["(not recorded)", "(not recorded)"]})
    return user


@transaction.atomic
def user_password_reset(*, viewer, user: User) -> str:
    """Give one of the viewer's organisation's people a new first password (they forgot theirs,
    or the first one expired): returned to show once; it must be changed at the next sign-in,
    within FIRST_PASSWORD_DAYS. The administrator never chooses it, and every session of the
    person ends."""
    access.require(viewer, "users.manage", user)
    if viewer.user_id == user.pk:
        raise ValidationError("Change your own password on your account page.")
    password = initial_password()
    user.set_password(password)
    record_change(viewer=viewer, record=user, kind=UserEventKind.PASSWORD_RESET,
                  values={"must_change_password": True, "first_password_expires_at": _first_password_expiry()},
                  changes={"password": ["(not recorded)", "a new first password"]})
    user_sessions_end_all(viewer=viewer, user=user, because="new first password")
    return password


def user_open(*, viewer, user_id: int) -> User:
    """One of the viewer's organisation's people, for their administrator's page (which shows
    their sessions' addresses and their tokens); the opening is recorded."""
    user = user_get(viewer=viewer, user_id=user_id)
    audit_record(viewer=viewer, action=AuditAction.VIEW, obj=user)
    return user
