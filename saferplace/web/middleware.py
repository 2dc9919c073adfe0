"""Two-factor sign-in is mandatory: a signed-in user who has not yet proved a one-time code in
this session can reach only the two-factor pages, sign-out and static files."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

EXEMPT_PREFIXES = ("/static/", "/healthz", "/oidc/", "/api/", "/open311/")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self._exempt(request):
            return redirect(f"{reverse('web:two-factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        if settings.OIDC_TRUST_PROVIDER_MFA and request.session.get("signed_in_with") == "oidc":
            return True
        path = request.path
        if path.startswith(EXEMPT_PREFIXES):
            return True
        return path in {reverse("web:two-factor"), reverse("web:two-factor-setup"), reverse("web:sign-out")}
