"""OpenID Connect sign-in (e.g. Microsoft Entra ID), switched on by OIDC_RP_CLIENT_ID.

People are never created by signing in: an administrator creates the account, and the
identity provider's verified email address is matched to it. Unless the deployment trusts the
provider's own multi-factor sign-in (OIDC_TRUST_PROVIDER_MFA), the SaferPlace one-time code is
still asked for."""

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.interfaces import request_viewer


class PartnerOIDCBackend(OIDCAuthenticationBackend):
    def verify_token(self, token, **kwargs):
        """The ID token's signature and nonce (mozilla-django-oidc), and then what it leaves out:
        the token was issued by our provider, for us (ASVS 9.2.3, 10.5.4)."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was not issued for SaferPlace (aud).")
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("The ID token was not issued by the configured provider (iss).")
        return payload

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or claims.get("preferred_username") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def authenticate(self, request, **kwargs):
        user = super().authenticate(request, **kwargs)
        if request is not None and user is not None:
            request.session["signed_in_with"] = "oidc"
            audit_record(viewer=request_viewer(request, user), action=AuditAction.SIGN_IN, details={"method": "oidc"})
        return user
