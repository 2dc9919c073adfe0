"""The JSON API: an OpenAPI schema, bearer tokens for partners' systems, the access policy."""

import pytest
from django.core.management import call_command

from saferplace.audit.models import AuditEntry
from saferplace.partners.models import ApiToken
from saferplace.partners.services import api_token_create
from tests.conftest import OPERATOR, sign_in, viewer

pytestmark = pytest.mark.django_db


def test_openapi_schema_describes_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "SaferPlace API"
    assert {"/api/v1/incidents", "/api/v1/incidents/{incident_id}", "/api/v1/places"} <= set(schema["paths"])
    assert "BearerToken" in schema["components"]["securitySchemes"]


def test_bearer_token_acts_as_its_user(client, records, bid_analyst):
    _, token = api_token_create(viewer=OPERATOR, user=bid_analyst, name="BID CCTV log")
    response = client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [item["external_id"] for item in response.json()["results"]] == ["BID-ASB-1"]
    assert ApiToken.objects.get(user=bid_analyst).last_used_at is not None
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.actor_username) == ("export", "bid_analyst")


def test_only_a_hash_of_the_token_is_stored(bid_analyst):
    record, token = api_token_create(viewer=OPERATOR, user=bid_analyst, name="x")
    assert token not in record.token_hash and len(record.token_hash) == 64


def test_wrong_or_revoked_token_is_refused(client, records, bid_analyst):
    from django.utils import timezone

    record, token = api_token_create(viewer=OPERATOR, user=bid_analyst, name="x")
    assert client.get("/api/v1/incidents", headers={"Authorization": "Bearer sp_wrong"}).status_code == 401
    record.revoked_at = timezone.now()
    record.save()
    assert client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_filters_and_paging(client, records, police_officer):
    _, token = api_token_create(viewer=OPERATOR, user=police_officer, name="x")
    headers = {"Authorization": f"Bearer {token}"}
    page = client.get("/api/v1/incidents?category=anti-social-behaviour", headers=headers).json()
    assert [item["external_id"] for item in page["results"]] == ["POL-ASB-1"]
    page = client.get("/api/v1/incidents?limit=1&offset=1", headers=headers).json()
    assert page["count"] == 4 and len(page["results"]) == 1
    assert client.get("/api/v1/incidents?date_from=not-a-date", headers=headers).status_code == 400


def test_apitoken_command_prints_a_working_token(client, records, bid_analyst, capsys):
    call_command("apitoken", "create", "bid_analyst", "--name", "nightly sync")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"}).status_code == 200


# --- the same gates as the pages, hostile input, tokens that expire and are scoped ------------


@pytest.mark.parametrize("persona", ["council_volunteer", "council_auditor"])
def test_roles_without_incident_screens_are_refused_by_the_api_too(client, records, request, persona):
    user = request.getfixturevalue(persona)
    _, token = api_token_create(viewer=OPERATOR, user=request.getfixturevalue("council_analyst"), name="x")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/incidents", headers=headers).status_code == 200  # an analyst's token works
    sign_in(client, user)
    before = AuditEntry.objects.count()
    listed = client.get("/api/v1/incidents")
    one = client.get(f"/api/v1/incidents/{records['police_asb'].pk}")
    assert (listed.status_code, one.status_code) == (403, 403)
    assert "results" not in listed.json() and "external_id" not in one.json()
    refused = list(AuditEntry.objects.filter(sequence__gt=before).values_list("action", "actor_username"))
    assert refused == [("refused", persona), ("refused", persona)]


def test_a_volunteer_cannot_get_an_api_token_for_incidents(council_volunteer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="nothing the API offers"):
        api_token_create(viewer=OPERATOR, user=council_volunteer, name="x")


@pytest.mark.parametrize("query", [
    "offset=9223372036854775808", "offset=9223372036854775807", "offset=-1", "limit=0", "limit=100000",
    "date_from=0000-01-01", "date_from=2026-02-30", "limit=1e3", "place=" + "x" * 500,
])
def test_hostile_numbers_and_dates_are_a_400_never_a_500(client, records, council_analyst, query):
    sign_in(client, council_analyst)
    response = client.get(f"/api/v1/incidents?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("Check the request.")


@pytest.mark.parametrize("incident_id", ["0", "-5", "9223372036854775808", "99999999999999999999999"])
def test_hostile_ids_are_a_400_or_404(client, records, council_analyst, incident_id):
    sign_in(client, council_analyst)
    assert client.get(f"/api/v1/incidents/{incident_id}").status_code in (400, 404)


def test_a_huge_but_valid_offset_is_an_empty_page(client, records, council_analyst):
    sign_in(client, council_analyst)
    page = client.get("/api/v1/incidents?offset=2147483647").json()
    assert page["results"] == [] and page["count"] == 3


def test_an_expired_token_is_refused(client, records, bid_analyst):
    from datetime import timedelta

    from django.utils import timezone

    record, token = api_token_create(viewer=OPERATOR, user=bid_analyst, name="x", days=1)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/incidents", headers=headers).status_code == 200
    ApiToken.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/incidents", headers=headers).status_code == 401


def test_a_token_is_limited_to_its_scopes(client, records, council_analyst):
    _, token = api_token_create(viewer=OPERATOR, user=council_analyst, name="one at a time", scopes=["incidents.view"])
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/incidents/{records['police_asb'].pk}", headers=headers).status_code == 200
    assert client.get("/api/v1/incidents", headers=headers).status_code == 403  # listing needs incidents.export


def test_tokens_last_at_most_the_longest_allowed(council_analyst, settings):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="from 1 to"):
        api_token_create(viewer=OPERATOR, user=council_analyst, name="x", days=settings.API_TOKEN_MAX_DAYS + 1)


def test_a_person_makes_tokens_only_for_themselves(council_analyst, council_admin):
    from saferplace.errors import NotAllowed

    with pytest.raises(NotAllowed):
        api_token_create(viewer=viewer(council_admin), user=council_analyst, name="x")
    record, _ = api_token_create(viewer=viewer(council_analyst), user=council_analyst, name="mine")
    assert record.created_by == "council_analyst"


def test_api_answers_carrying_records_are_not_cached(client, records, council_analyst):
    sign_in(client, council_analyst)
    assert client.get("/api/v1/incidents")["Cache-Control"] == "no-store"
    assert client.get(f"/api/v1/incidents/{records['police_asb'].pk}")["Cache-Control"] == "no-store"


def test_apitoken_list_and_revoke_commands(client, records, bid_analyst, capsys):
    record, token = api_token_create(viewer=OPERATOR, user=bid_analyst, name="CCTV log")
    call_command("apitoken", "list")
    listed = capsys.readouterr().out
    assert "bid_analyst" in listed and "CCTV log" in listed and "until" in listed and token not in listed
    call_command("apitoken", "revoke", str(record.pk))
    assert "no longer works" in capsys.readouterr().out
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.object_type, entry.channel) == ("change", "partners.apitoken", "command line")
    assert client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# --- found by the schema-driven fuzz (tests/api/test_fuzz.py) and the probes around it ---------


@pytest.mark.parametrize("query", ["date_from=0", "date_to=86400", "date_from=2026-01-01T00:00:00Z", "date_to=2026-12-31T00:00"])
def test_a_date_filter_is_a_calendar_date_not_a_number_of_seconds(client, records, council_analyst, query):
    """pydantic read `date_to=0` as 1 January 1970 (seconds since then) and a date and time as its
    date, so a malformed filter quietly chose other records: the schema says YYYY-MM-DD."""
    sign_in(client, council_analyst)
    response = client.get(f"/api/v1/incidents?{query}")
    assert response.status_code == 400, response.content
    assert "YYYY-MM-DD" in response.json()["detail"]
    assert client.get("/api/v1/incidents?date_from=2026-01-01&date_to=2026-12-31").json()["count"] == 3


@pytest.mark.parametrize("query", ["source=%00", "category=anti-social%00behaviour", "place=E05%00"])
def test_a_nul_character_in_a_filter_is_a_400(client, records, council_analyst, query):
    """PostgreSQL cannot hold a NUL character: a filter with one was a server error there."""
    sign_in(client, council_analyst)
    response = client.get(f"/api/v1/incidents?{query}")
    assert response.status_code == 400, response.content
    assert "NUL character" in response.json()["detail"]


def test_places_documents_its_bad_request_answer(client, records, council_analyst):
    """`/places?kind=nonsense` answered 400 while the schema promised only 200."""
    schema = client.get("/api/v1/openapi.json").json()
    assert {"200", "400", "401"} <= set(schema["paths"]["/api/v1/places"]["get"]["responses"])
    assert {"200", "400", "401", "403", "404"} <= set(schema["paths"]["/api/v1/incidents"]["get"]["responses"])
    sign_in(client, council_analyst)
    response = client.get("/api/v1/places?kind=nonsense")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "kind"


def test_a_session_cookie_with_a_nul_character_is_no_session(client, records, council_analyst):
    """A cookie `sessionid="abcdefgh\\000"` is unquoted to a key with a NUL in it, which
    PostgreSQL refused to look up: every request, page or API, was a server error."""
    _, token = api_token_create(viewer=OPERATOR, user=council_analyst, name="x")
    client.cookies["sessionid"] = "abcdefgh\x00"
    assert client.get("/api/v1/incidents").status_code == 401
    assert client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/sign-in/").status_code == 200


def test_a_wrong_token_is_recorded_without_the_token(client, records):
    response = client.get("/api/v1/incidents", headers={"Authorization": "Bearer sp_not-a-real-token"})
    assert response.status_code == 401
    entry = AuditEntry.objects.latest("sequence")
    assert (entry.action, entry.channel, entry.details["method"]) == ("sign_in_failed", "api", "api token")
    assert "sp_not-a-real-token" not in str(entry.details)
