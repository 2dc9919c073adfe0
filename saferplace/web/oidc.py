"""OpenID Connect sign-in (e.g. Microsoft Entra ID), switched on by OIDC_RP_CLIENT_ID.

People are never created by signing in: an administrator creates the account, and the
identity provider's verified email address is matched to it. Unless the deployment trusts the
provider's own multi-factor sign-in (OIDC_TRUST_PROVIDER_MFA), the SaferPlace one-time code is
still asked for."""

from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.web.middleware import request_viewer


class PartnerOIDCBackend(OIDCAuthenticationBackend):
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
