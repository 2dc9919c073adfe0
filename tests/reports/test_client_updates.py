"""An Open311 client's update to a report: a partner's key moves only its own organisation's
reports (another's is not found, whatever the key says); any other key adds a resident's comment
or reopens a fixed report, and nothing more."""

import pytest

from saferplace.errors import NotAllowed, NotFound
from saferplace.reports.client_updates import report_client_update
from saferplace.reports.keys import api_key_create
from saferplace.reports.models import ReportUpdate
from saferplace.reports.public import resident_viewer
from saferplace.reports.services import report_state_set, state_get
from tests.conftest import OPERATOR

RESIDENT = resident_viewer(address="192.0.2.50", client="App")


@pytest.fixture
def keys(world):
    organisations = world["organisations"]
    return {"app": api_key_create(viewer=OPERATOR, name="App")[0],
            "council": api_key_create(viewer=OPERATOR, name="Council CRM", organisation=organisations["council"])[0],
            "police": api_key_create(viewer=OPERATOR, name="Police RMS", organisation=organisations["police"])[0]}


def _update(key, report, **fields):
    return report_client_update(viewer=RESIDENT, api_key=key, report_id=report.pk, **fields)


def test_a_partner_sets_a_state_by_its_external_status(make_report, keys):
    fly = make_report()
    update = _update(keys["council"], fly, status="in progress", description="Crew on the way.",
                     client_update_id="crm-1")
    fly.refresh_from_db()
    assert fly.state_id == "in_progress"
    assert (update.text, update.state_id, update.from_resident) == ("Crew on the way.", "in_progress", False)
    event = fly.events.order_by("id").last()
    assert event.actor_name == "open311:Council CRM"
    assert event.actor_organisation == "Riverford City Council"


def test_a_partner_cannot_move_another_partners_report(make_report, keys):
    drugs = make_report("drugs", description="Dealing")
    with pytest.raises(NotFound):
        _update(keys["council"], drugs, status="FIXED", description="Done")
    drugs.refresh_from_db()
    assert drugs.state_id == "open" and drugs.updates.count() == 1


def test_a_partner_closing_says_why(make_report, keys):
    fly = make_report()
    with pytest.raises(ValueError, match="Say why"):
        _update(keys["council"], fly, status="UNABLE_TO_FIX")
    _update(keys["council"], fly, status="UNABLE_TO_FIX", description="Private land: the owner has been told.")
    fly.refresh_from_db()
    assert fly.state_id == "unable_to_fix"


def test_a_resident_comments_and_is_not_named(make_report, keys):
    fly = make_report()
    update = _update(keys["app"], fly, description="More bags today.", email="sam@example.com", first_name="Sam")
    assert (update.from_resident, update.by, update.state_id) == (True, "A resident", "open")
    assert "Sam" not in update.text and "sam@example.com" not in update.text
    assert fly.events.order_by("id").last().actor_name == "open311:App"


def test_a_resident_reopens_a_fixed_report_only(make_report, keys):
    fly = make_report(api_key=keys["app"])  # made through the key: the only reports it reopens
    with pytest.raises(NotAllowed):
        _update(keys["app"], fly, status="FIXED", description="Gone")
    report_state_set(viewer=OPERATOR, report=fly, state=state_get("fixed"), text="Cleared.")
    _update(keys["app"], fly, status="REOPEN", description="It is back.")
    fly.refresh_from_db()
    assert fly.state_id == "open"


def test_a_resident_reaches_no_hidden_or_private_report(make_report, keys):
    hidden = make_report(description="Spam")
    report_state_set(viewer=OPERATOR, report=hidden, state=state_get("hidden"), text="Abuse")
    private = make_report("safeguarding", description="A child alone")
    for report in (hidden, private):
        with pytest.raises(NotFound):
            _update(keys["app"], report, description="Hello")
    assert not ReportUpdate.objects.filter(from_resident=True).exists()


def test_what_is_said_of_the_person_is_checked(make_report, keys):
    fly = make_report()
    with pytest.raises(ValueError, match="email"):
        _update(keys["app"], fly, description="x", email="not-an-address")
    with pytest.raises(ValueError, match="first_name"):
        _update(keys["app"], fly, description="x", first_name="x" * 151)
    with pytest.raises(ValueError, match="description"):
        _update(keys["app"], fly, description="")
