"""The demo is safe by default: with DEBUG off (the default), people see GOV.UK-styled 403, 404
and 500 pages, never a traceback; an expected 403 is logged as a line, not a traceback."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_debug_is_off():
    from django.conf import settings

    assert settings.DEBUG is False


def test_a_missing_page_is_the_styled_404(client, council_analyst):
    sign_in(client, council_analyst)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "govuk-template" in page and "Traceback" not in page


def test_a_page_the_role_lacks_is_the_styled_403_without_a_traceback(client, council_volunteer, caplog):
    sign_in(client, council_volunteer)
    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("web:incident-list"))
    assert response.status_code == 403
    assert "You cannot see this page" in response.content.decode()
    assert all(record.exc_info is None for record in caplog.records), [r.getMessage() for r in caplog.records]


def test_a_server_error_is_the_styled_500(council_analyst, monkeypatch):
    from saferplace.web.views import home

    def broken(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(home, "place_counts", broken)
    client = Client(raise_request_exception=False)
    sign_in(client, council_analyst)
    response = client.get(reverse("web:home"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with SaferPlace" in page
    assert "something broke" not in page and "Traceback" not in page


def test_methods_saferplace_does_not_use_are_refused(client):
    for method in ("trace", "put", "delete", "patch"):
        response = client.generic(method.upper(), "/healthz")
        assert response.status_code == 405, method
    assert client.get("/healthz")["Content-Type"] == "text/plain; charset=utf-8"


def test_a_form_posted_without_the_csrf_token_is_refused_and_audited(council_admin):
    from saferplace.audit.models import AuditEntry

    client = Client(enforce_csrf_checks=True)
    sign_in(client, council_admin)
    response = client.post(reverse("web:organisation-create"), {"name": "Forged", "kind": "other"})
    assert response.status_code == 403
    assert "The form could not be sent" in response.content.decode()
    entry = AuditEntry.objects.latest("sequence")
    assert (entry.action, entry.actor_username) == ("refused", "council_admin") and "CSRF" in entry.details["reason"]


def test_signing_out_clears_what_the_browser_kept(client, council_analyst):
    sign_in(client, council_analyst)
    response = client.post(reverse("web:sign-out"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_the_demo_is_not_built_in_production(tmp_path):
    from tests.test_settings import _manage

    result = _manage("demo", "--no-serve", SAFERPLACE_ENV="production", SECRET_KEY="s" * 60, ALLOWED_HOSTS="x.example",
                     SAFERPLACE_DATA_DIR=str(tmp_path), AUDIT_HASH_KEYS="2026a:" + "a" * 40, AUDIT_CHECKPOINT_KEY="c" * 40, SAFERPLACE_PSEUDONYM_KEY="p" * 40)
    assert result.returncode != 0 and "not built in production" in result.stderr
