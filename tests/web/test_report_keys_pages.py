"""Open311 client keys on the web: an administrator issues one (shown once), lists and revokes
them; nobody else may, and a refusal changes nothing."""

import pytest

from saferplace.reports.keys import api_key_authenticate
from saferplace.reports.models import ApiKey
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_an_administrator_issues_a_key_shown_once_that_works(client, council_admin, world):
    sign_in(client, council_admin)
    answer = client.post("/reporting/keys/new", {"name": "Riverford Reports app", "per_minute": "120",
                                                 "organisation": ""})
    assert answer.status_code == 200
    key = answer.content.decode().split('id="issued-key">')[1].split("<")[0]
    record = api_key_authenticate(key)
    assert record is not None and (record.name, record.per_minute, record.organisation) == (
        "Riverford Reports app", 120, None)
    listed = client.get("/reporting/keys/").content.decode()
    assert "Riverford Reports app" in listed and key not in listed


def test_a_partner_key_and_its_revocation(client, council_admin, world):
    sign_in(client, council_admin)
    council = world["organisations"]["council"]
    client.post("/reporting/keys/new", {"name": "Council CRM", "per_minute": "600", "organisation": str(council.pk)})
    assert ApiKey.objects.get(name="Council CRM").organisation == council
    assert client.post("/reporting/keys/revoke", {"name": "Council CRM"}).status_code == 302
    assert ApiKey.objects.get(name="Council CRM").revoked_at is not None


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "per_minute": "600"}, "Name the client application"),
    ({"name": "App", "per_minute": "1e309"}, "whole number"),
    ({"name": "App", "per_minute": "0"}, "at least 1"),
    ({"name": "App", "per_minute": "600", "organisation": "99999999999999999999"}, "Choose a partner"),
    ({"name": "A\x00pp", "per_minute": "600"}, "NUL"),
])
def test_bad_input_is_a_form_error_and_issues_nothing(client, council_admin, data, message):
    sign_in(client, council_admin)
    answer = client.post("/reporting/keys/new", data)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert not ApiKey.objects.exists()


def test_the_same_name_twice_is_refused(client, council_admin):
    sign_in(client, council_admin)
    client.post("/reporting/keys/new", {"name": "App", "per_minute": "600"})
    answer = client.post("/reporting/keys/new", {"name": "App", "per_minute": "600"})
    assert answer.status_code == 400 and "already a key" in answer.content.decode()
    assert ApiKey.objects.count() == 1


def test_nobody_but_an_administrator_sees_or_changes_keys(client, council_admin, council_analyst, police_officer,
                                                          council_volunteer, council_auditor):
    sign_in(client, council_admin)
    client.post("/reporting/keys/new", {"name": "App", "per_minute": "600"})
    client.logout()
    for person in (council_analyst, police_officer, council_volunteer, council_auditor):
        sign_in(client, person)
        assert client.get("/reporting/keys/").status_code == 403
        assert client.post("/reporting/keys/new", {"name": "Mine", "per_minute": "600"}).status_code == 403
        assert client.post("/reporting/keys/revoke", {"name": "App"}).status_code == 403
        client.logout()
    assert list(ApiKey.objects.values_list("name", "revoked_at")) == [("App", None)]
    assert client.get("/reporting/keys/").status_code == 302  # signed out: to the sign-in page


def test_revoking_an_unknown_key_is_not_found(client, council_admin):
    sign_in(client, council_admin)
    assert client.post("/reporting/keys/revoke", {"name": "Nothing"}).status_code == 404
