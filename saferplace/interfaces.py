"""What the two HTTP interfaces (the web pages and the API) share: the viewer of a request and
the address it came from. Neither imports the other; both import this."""

from django.conf import settings

from saferplace.partners.viewer import WEB, AuditContext, Viewer, viewer_for


def client_address(request) -> str:
    """The client's network address. Behind a reverse proxy (AUDIT_TRUST_X_FORWARDED_FOR), the
    last address in X-Forwarded-For: the one the proxy appended, which the client cannot choose
    (anything before it is whatever the client sent)."""
    if settings.AUDIT_TRUST_X_FORWARDED_FOR:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1][:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


def audit_context(request, channel: str = WEB, reason: str = "") -> AuditContext:
    return AuditContext(channel=channel, address=client_address(request),
                        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300], reason=reason)


def request_viewer(request, user=None, *, channel: str = WEB, scopes=None) -> Viewer:
    """The viewer of a request: its signed-in person (verified once they have given their
    one-time code), or no one."""
    user = user if user is not None else getattr(request, "user", None)
    verified = user is not None and getattr(user, "is_authenticated", False) and (
        not hasattr(user, "is_verified") or user.is_verified() or trusts_provider(request)
    )
    return viewer_for(user, context=audit_context(request, channel), scopes=scopes, verified=verified)


def trusts_provider(request) -> bool:
    return settings.OIDC_TRUST_PROVIDER_MFA and request.session.get("signed_in_with") == "oidc"
