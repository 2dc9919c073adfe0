"""Idempotency-Key: a retried POST gets the first answer again (same status, same body) and makes
no second report; the same key with other content is refused; two posts racing with one key
make one report."""

from unittest import mock

from saferplace.reports import keys
from saferplace.reports.models import IdempotentAnswer, Report, ReportUpdate
from tests.open311.conftest import BASE, answer, post_report


def test_a_retry_gets_the_first_answer(client, services, app_key):
    first = post_report(client, app_key, headers={"Idempotency-Key": "retry-1"})
    again = post_report(client, app_key, headers={"Idempotency-Key": "retry-1"})
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1
    other = post_report(client, app_key, headers={"Idempotency-Key": "retry-2"})
    assert answer(other)[0]["service_request_id"] != answer(first)[0]["service_request_id"]
    assert Report.objects.count() == 2


def test_a_refusal_is_kept_too(client, services, app_key):
    first = post_report(client, app_key, description="", headers={"Idempotency-Key": "empty"})
    again = post_report(client, app_key, description="", headers={"Idempotency-Key": "empty"})
    assert first.status_code == again.status_code == 400
    assert again.content == first.content


def test_the_same_key_with_other_content_is_refused(client, services, app_key):
    post_report(client, app_key, headers={"Idempotency-Key": "k"})
    response = post_report(client, app_key, description="Something else", headers={"Idempotency-Key": "k"})
    assert response.status_code == 400
    [error] = answer(response)
    assert error["code"] == 400
    assert "used for a different request" in error["description"]
    assert Report.objects.count() == 1


def test_keys_of_two_clients_do_not_meet(client, services, app_key, council_key):
    post_report(client, app_key, headers={"Idempotency-Key": "same"})
    post_report(client, council_key, headers={"Idempotency-Key": "same"})
    assert Report.objects.count() == 2


def test_a_bad_idempotency_key_is_refused(client, services, app_key):
    for bad in ("x" * 101, "tab\there"):
        response = post_report(client, app_key, headers={"Idempotency-Key": bad})
        assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_post_racing_another_with_the_same_key_answers_from_the_stored_row(client, services, app_key):
    """The other request stored its answer after this one looked (the unique constraint refuses
    this one's): this one's report is rolled back and it answers what the other stored."""
    winner = post_report(client, app_key, headers={"Idempotency-Key": "race"})
    real_get = keys.idempotent_answer_get
    looks = []

    def not_yet_there(**kwargs):
        looks.append(kwargs["key"])
        return None if len(looks) == 1 else real_get(**kwargs)

    with mock.patch("saferplace.open311.common.idempotent_answer_get", side_effect=not_yet_there):
        loser = post_report(client, app_key, headers={"Idempotency-Key": "race"})
    assert len(looks) == 2
    assert loser.status_code == 200
    assert loser.content == winner.content
    assert Report.objects.count() == 1
    assert ReportUpdate.objects.count() == 1
    assert IdempotentAnswer.objects.count() == 1


def test_updates_are_idempotent_too(client, services, make_report, app_key):
    report = make_report()
    data = {"api_key": app_key, "service_request_id": report.pk, "description": "Still there this morning"}
    first = client.post(f"{BASE}servicerequestupdates.json", data, headers={"Idempotency-Key": "u1"})
    again = client.post(f"{BASE}servicerequestupdates.json", data, headers={"Idempotency-Key": "u1"})
    assert first.status_code == 200
    assert again.content == first.content
    assert report.updates.filter(from_resident=True).count() == 1
