"""Open311 API keys: made by an administrator or the operator (not by a role without
`reports.manage`), stored only as a hash, shown once; revoked they stop working. A partner's key
acts for its organisation only, on categories that are not special. Idempotent answers are kept
once per key."""

import pytest
from django.db import IntegrityError, transaction

from saferplace.audit.models import AuditEntry
from saferplace.errors import NotAllowed, NotFound
from saferplace.partners import access
from saferplace.reports.keys import (
    PartnerKeyViewer,
    api_key_authenticate,
    api_key_create,
    api_key_list,
    api_key_revoke,
    idempotency_key_checked,
    idempotent_answer_get,
    idempotent_answer_store,
    key_viewer,
    request_hash,
)
from saferplace.reports.models import ApiKey
from tests.conftest import OPERATOR, viewer


def test_a_key_is_shown_once_and_kept_as_a_hash(world):
    record, key = api_key_create(viewer=OPERATOR, name="Riverford app", per_minute=120)
    assert key.startswith("o311_") and len(key) > 40
    stored = ApiKey.objects.get()
    assert stored.key_hash != key and key not in stored.key_hash and len(stored.key_hash) == 64
    assert stored.per_minute == 120 and stored.created_by == "operator:test-suite"
    assert api_key_authenticate(key) == record
    assert ApiKey.objects.get().last_used_at is not None
    entry = AuditEntry.objects.get(object_type="reports.apikey")
    assert key not in str(entry.details)


def test_an_administrator_makes_keys_and_another_role_cannot(world, council_admin, council_analyst, police_officer):
    api_key_create(viewer=viewer(council_admin), name="Council CRM", organisation=world["organisations"]["council"])
    assert [record.name for record in api_key_list(viewer=viewer(council_admin))] == ["Council CRM"]
    for person in (council_analyst, police_officer):
        with pytest.raises(NotAllowed):
            api_key_create(viewer=viewer(person), name="Mine")
        with pytest.raises(NotAllowed):
            api_key_list(viewer=viewer(person))
        with pytest.raises(NotAllowed):
            api_key_revoke(viewer=viewer(person), name="Council CRM")
    assert ApiKey.objects.get().revoked_at is None


@pytest.mark.parametrize(("name", "per_minute", "says"), [
    ("", 600, "Name the client"), ("  ", 600, "Name the client"), ("x" * 101, 600, "at most 100"),
    ("App", 0, "Requests a minute"), ("App", 10**9, "Requests a minute"),
])
def test_a_key_needs_a_name_and_a_sensible_limit(world, name, per_minute, says):
    with pytest.raises(ValueError, match=says):
        api_key_create(viewer=OPERATOR, name=name, per_minute=per_minute)


@pytest.mark.parametrize("given", ["", "o311_", "o311_wrong", "sp_token", None, "o311_" + "x" * 300])
def test_only_a_key_in_use_authenticates(world, given):
    api_key_create(viewer=OPERATOR, name="App")
    assert api_key_authenticate(given) is None


def test_a_revoked_key_stops_working(world):
    _, key = api_key_create(viewer=OPERATOR, name="App")
    api_key_revoke(viewer=OPERATOR, name="App")
    api_key_revoke(viewer=OPERATOR, name="App")  # again: nothing more
    assert api_key_authenticate(key) is None
    assert AuditEntry.objects.filter(object_type="reports.apikey", action="change").count() == 1
    with pytest.raises(NotFound):
        api_key_revoke(viewer=OPERATOR, name="Never made")


def test_a_partners_key_acts_for_its_organisation_on_ordinary_categories(world):
    council, categories = world["organisations"]["council"], world["categories"]
    record, _ = api_key_create(viewer=OPERATOR, name="Council CRM", organisation=council)
    acting = key_viewer(record, address="192.0.2.1")
    assert isinstance(acting, PartnerKeyViewer)
    assert (acting.name, acting.organisation_name, acting.organisation_id) == (
        "open311:Council CRM", council.name, council.pk)
    assert acting.grants.allows(council.pk, categories["environmental"].pk)
    assert not acting.grants.allows(council.pk, categories["safeguarding"].pk)
    assert not acting.grants.allows(world["organisations"]["police"].pk, categories["environmental"].pk)
    assert access.can(acting, "reports.triage") and not access.can(acting, "reports.manage")
    assert not access.can(acting, "incidents.view")


def test_a_client_apps_key_opens_nothing(world):
    record, _ = api_key_create(viewer=OPERATOR, name="App")
    acting = key_viewer(record)
    assert acting.capabilities == {}
    assert not acting.grants.allows(world["organisations"]["council"].pk, world["categories"]["environmental"].pk)


def test_an_answer_is_kept_once_per_key(world):
    one, _ = api_key_create(viewer=OPERATOR, name="One")
    two, _ = api_key_create(viewer=OPERATOR, name="Two")
    idempotent_answer_store(api_key=one, key="k", request_hash="h", status=200, content_type="application/json",
                            body="[]")
    idempotent_answer_store(api_key=two, key="k", request_hash="h", status=200, content_type="application/json",
                            body="[1]")
    assert idempotent_answer_get(api_key=one, key="k").body == "[]"
    assert idempotent_answer_get(api_key=two, key="other") is None
    with pytest.raises(IntegrityError), transaction.atomic():
        idempotent_answer_store(api_key=one, key="k", request_hash="h2", status=400, content_type="x", body="")


def test_the_request_hash_reads_content_not_order():
    assert request_hash([("a", "1"), ("b", "2")]) == request_hash([("b", "2"), ("a", "1")])
    assert request_hash([("a", "1"), ("b", "2")]) != request_hash([("a", "1"), ("b", "3")])
    assert request_hash([("a", "1=b")]) != request_hash([("a", "1"), ("b", "")])


@pytest.mark.parametrize("given", ["", " ", "x" * 101, "line\nbreak"])
def test_an_idempotency_key_is_printable_and_short(given):
    with pytest.raises(ValueError, match="Idempotency-Key"):
        idempotency_key_checked(given)
