"""Optional OpenID Connect sign-in: switched on by the environment; people are matched to
existing accounts by email, never created."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

OIDC_SETTINGS = {
    "OIDC_RP_CLIENT_ID": "saferplace-test",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.example/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://login.example/token",
    "OIDC_OP_USER_ENDPOINT": "https://login.example/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://login.example/keys",
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_OP_ISSUER": "https://login.example/tenant/v2.0",
}


@pytest.mark.django_db
@override_settings(**OIDC_SETTINGS)
def test_people_are_matched_by_email_and_never_created(police_officer):
    from saferplace.web.oidc import PartnerOIDCBackend

    police_officer.email = "Officer@Police.example"
    police_officer.save()
    backend = PartnerOIDCBackend()
    assert list(backend.filter_users_by_claims({"email": "officer@police.example"})) == [police_officer]
    assert list(backend.filter_users_by_claims({"email": "stranger@elsewhere.example"})) == []
    assert list(backend.filter_users_by_claims({})) == []
    police_officer.is_active = False
    police_officer.save()
    assert list(backend.filter_users_by_claims({"email": "officer@police.example"})) == []


def test_environment_switches_it_on(tmp_path):
    script = (
        "import django; django.setup();"
        "from django.conf import settings; from django.urls import reverse;"
        "print(settings.OIDC_ENABLED, settings.OIDC_CREATE_USER, reverse('oidc_authentication_init'),"
        " 'saferplace.web.oidc.PartnerOIDCBackend' in settings.AUTHENTICATION_BACKENDS)"
    )
    environment = {**os.environ, **OIDC_SETTINGS, "DJANGO_SETTINGS_MODULE": "saferplace.settings",
                   "SAFERPLACE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.split() == ["True", "False", "/oidc/authenticate/", "True"], result.stderr


def test_missing_provider_settings_are_named(tmp_path):
    environment = {**os.environ, "OIDC_RP_CLIENT_ID": "x", "DJANGO_SETTINGS_MODULE": "saferplace.settings",
                   "SAFERPLACE_DATA_DIR": str(tmp_path)}
    environment.pop("OIDC_RP_CLIENT_SECRET", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"], env=environment, capture_output=True, text=True,
        check=False, cwd=Path(__file__).resolve().parents[2],
    )
    assert "The environment variable OIDC_RP_CLIENT_SECRET must be set." in result.stderr


@pytest.mark.parametrize(("claims", "accepted"), [
    ({"aud": "saferplace-test", "iss": "https://login.example/tenant/v2.0"}, True),
    ({"aud": ["other-app", "saferplace-test"], "iss": "https://login.example/tenant/v2.0"}, True),
    ({"aud": "another-app", "iss": "https://login.example/tenant/v2.0"}, False),
    ({"iss": "https://login.example/tenant/v2.0"}, False),
    ({"aud": "saferplace-test", "iss": "https://evil.example/v2.0"}, False),
])
@override_settings(**OIDC_SETTINGS)
def test_an_id_token_must_be_ours_from_our_provider(monkeypatch, claims, accepted):
    from django.core.exceptions import SuspiciousOperation
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend

    from saferplace.web.oidc import PartnerOIDCBackend

    monkeypatch.setattr(OIDCAuthenticationBackend, "verify_token", lambda self, token, **kwargs: dict(claims))
    backend = PartnerOIDCBackend()
    if accepted:
        assert backend.verify_token("a signed token")["iss"] == claims["iss"]
    else:
        with pytest.raises(SuspiciousOperation):
            backend.verify_token("a signed token")
