"""The JSON API: an OpenAPI schema, bearer tokens for partners' systems, the access policy."""

import pytest
from django.core.management import call_command

from saferplace.audit.models import AuditEntry
from saferplace.partners.models import ApiToken
from saferplace.partners.services import api_token_create

pytestmark = pytest.mark.django_db


def test_openapi_schema_describes_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "SaferPlace API"
    assert {"/api/v1/incidents", "/api/v1/incidents/{incident_id}", "/api/v1/places"} <= set(schema["paths"])
    assert "BearerToken" in schema["components"]["securitySchemes"]


def test_bearer_token_acts_as_its_user(client, records, bid_analyst):
    _, token = api_token_create(actor=None, user=bid_analyst, name="BID CCTV log")
    response = client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [item["external_id"] for item in response.json()["results"]] == ["BID-ASB-1"]
    assert ApiToken.objects.get(user=bid_analyst).last_used_at is not None
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.actor_username) == ("export", "bid_analyst")


def test_only_a_hash_of_the_token_is_stored(bid_analyst):
    record, token = api_token_create(actor=None, user=bid_analyst, name="x")
    assert token not in record.token_hash and len(record.token_hash) == 64


def test_wrong_or_revoked_token_is_refused(client, records, bid_analyst):
    from django.utils import timezone

    record, token = api_token_create(actor=None, user=bid_analyst, name="x")
    assert client.get("/api/v1/incidents", headers={"Authorization": "Bearer sp_wrong"}).status_code == 401
    record.revoked_at = timezone.now()
    record.save()
    assert client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_filters_and_paging(client, records, police_officer):
    _, token = api_token_create(actor=None, user=police_officer, name="x")
    headers = {"Authorization": f"Bearer {token}"}
    page = client.get("/api/v1/incidents?category=anti-social-behaviour", headers=headers).json()
    assert [item["external_id"] for item in page["results"]] == ["POL-ASB-1"]
    page = client.get("/api/v1/incidents?limit=1&offset=1", headers=headers).json()
    assert page["count"] == 4 and len(page["results"]) == 1
    assert client.get("/api/v1/incidents?date_from=not-a-date", headers=headers).status_code == 422


def test_apitoken_command_prints_a_working_token(client, records, bid_analyst, capsys):
    call_command("apitoken", "create", "bid_analyst", "--name", "nightly sync")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"}).status_code == 200
