"""Who is acting: a `Viewer`, worked out once per request, command or task and passed to every
selector and service (`viewer=`).

A viewer is the person (or the operator at the command line), their organisation and role, the
grants their organisation's agreements give, the capabilities their role holds, and the audit
context (channel, network address, browser, reason) every audit entry records.

    viewer = viewer_for(user, context=AuditContext(channel=WEB, address="10.0.0.4"))
    viewer = operator_viewer()                      # the command line
    access.can(viewer, "incidents.export")
"""

import getpass
from dataclasses import dataclass
from functools import cached_property

from saferplace.partners import access
from saferplace.partners.models import Capability, RoleCapability

WEB = "web"
API = "api"
COMMAND_LINE = "command line"
TASK = "task"


@dataclass(frozen=True)
class AuditContext:
    """Where an action comes from, as the audit trail records it."""

    channel: str
    address: str = ""
    user_agent: str = ""
    reason: str = ""


class Viewer:
    """A person or the operator, acting through one channel. `grants` and `capabilities` are
    worked out the first time they are asked for, then kept for the viewer's lifetime (one
    request, command or task)."""

    def __init__(self, *, user=None, context: AuditContext, operator: str = "", scopes=None, verified: bool = True):
        self.user = user if user is not None and getattr(user, "is_authenticated", False) else None
        self.context = context
        self.operator = operator
        self.scopes = frozenset(scopes) if scopes is not None else None  # an API token's
        self.verified = verified  # a signed-in person who has not yet given their one-time code is not

    def __repr__(self) -> str:
        return f"<Viewer {self.name or 'anonymous'} via {self.context.channel}>"

    @property
    def is_operator(self) -> bool:
        return bool(self.operator)

    @property
    def is_authenticated(self) -> bool:
        return self.is_operator or self.user is not None

    @property
    def is_active_person(self) -> bool:
        user = self.user
        return user is not None and self.verified and user.is_active and user.organisation_id is not None

    @property
    def name(self) -> str:
        """How the audit trail names the actor."""
        if self.is_operator:
            return f"operator:{self.operator}"
        return self.user.get_username() if self.user is not None else ""

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def organisation_id(self) -> int | None:
        return self.user.organisation_id if self.user is not None else None

    @property
    def organisation(self):
        return self.user.organisation if self.user is not None and self.user.organisation_id else None

    @property
    def organisation_name(self) -> str:
        organisation = self.organisation
        return organisation.name if organisation is not None else ""

    @property
    def role(self) -> str:
        return self.user.role if self.user is not None else ""

    @cached_property
    def grants(self) -> access.Grants:
        if self.is_operator:
            return access.ALL_GRANTS
        if not self.is_active_person:
            return access.NO_GRANTS
        return access.grants_for(organisation_id=self.organisation_id, role=self.role)

    @cached_property
    def capabilities(self) -> dict[str, str]:
        """Capability code → its scope, for the capabilities this viewer holds."""
        if self.is_operator:
            return dict(Capability.objects.values_list("code", "scope"))
        if not self.is_active_person:
            return {}
        held = dict(
            RoleCapability.objects.filter(role=self.role).values_list("capability_id", "capability__scope")
        )
        if self.scopes is not None:
            held = {code: scope for code, scope in held.items() if code in self.scopes}
        return held


def viewer_for(user, *, context: AuditContext, scopes=None, verified: bool = True) -> Viewer:
    return Viewer(user=user, context=context, scopes=scopes, verified=verified)


def operator_viewer(name: str | None = None, *, channel: str = COMMAND_LINE) -> Viewer:
    """The operator: whoever runs `saferplace` commands on the server (named after their
    account on the machine), or the worker's scheduled jobs. Holds every capability and may act
    for any organisation; every action is audited under this name."""
    if name is None:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "unknown"
    return Viewer(context=AuditContext(channel=channel), operator=name)

