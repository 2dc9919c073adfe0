"""Attacks on Open311 (issue 12) with a residents' app key and a partner's key: what one could
change or learn beyond what it should, each shown refused and nothing changed."""

import pytest

from saferplace.reports.models import Report
from saferplace.reports.services import report_state_set, state_get
from tests.conftest import OPERATOR
from tests.open311.conftest import BASE, answer, post_report

URL = f"{BASE}servicerequestupdates.json"
pytestmark = pytest.mark.django_db


def _update(client, key, report, **fields):
    return client.post(URL, {"api_key": key, "service_request_id": report.pk, **fields})


def test_a_residents_key_cannot_reopen_a_report_made_elsewhere_without_its_reference(client, make_report, app_key):
    """On the website only the resident holding the reference reopens a fixed report. A residents'
    app key is in every copy of the app (no secret): with it anyone could reopen any fixed report
    by its id. It reopens only the reports made through it."""
    fixed = make_report()  # made on the website
    report_state_set(viewer=OPERATOR, report=fixed, state=state_get("fixed"), text="Cleared.")
    for status in ("OPEN", "REOPEN", "reopen"):
        response = _update(client, app_key, fixed, status=status, description="It is back")
        assert response.status_code == 403, response.content
        assert "reference" in answer(response)[0]["description"]
    fixed.refresh_from_db()
    assert fixed.state_id == "fixed" and fixed.updates.count() == 2
    # A report made through the key, it reopens.
    made = Report.objects.get(pk=answer(post_report(client, app_key))[0]["service_request_id"])
    report_state_set(viewer=OPERATOR, report=made, state=state_get("fixed"), text="Cleared.")
    assert _update(client, app_key, made, status="OPEN", description="It is back").status_code == 200
    made.refresh_from_db()
    assert made.state_id == "open"


@pytest.mark.parametrize(("status", "description"), [("OPEN", ""), ("FIXED", ""), ("OPEN", "x"), ("BOGUS", "")])
def test_a_partners_key_gets_one_answer_for_any_report_not_its_own(client, make_report, council_key, status,
                                                                     description):
    """Before, an unchanged status with no description was a 400 for another partner's open report
    and a 404 for any other state: the state of a private (safeguarding) report, told."""
    private = make_report("safeguarding", description="A child alone at night")
    response = _update(client, council_key, private, status=status, description=description)
    assert response.status_code == 404
    assert answer(response)[0]["description"] == "There is no such report."
    private.refresh_from_db()
    assert private.state_id == "open" and private.updates.count() == 1
