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
