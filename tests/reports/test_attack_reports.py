"""Attacks on the reports' domain (issue 12): what a partner, an administrator or an Open311 key
could do beyond what it should, each shown refused and nothing changed."""

import pytest

from saferplace.errors import NotAllowed, NotFound
from saferplace.incidents.models import IncidentCategory
from saferplace.reports.client_updates import report_client_update
from saferplace.reports.incidents import report_incident_raise
from saferplace.reports.keys import api_key_create, api_key_revoke
from saferplace.reports.models import ApiKey, Report
from saferplace.reports.public import resident_viewer
from saferplace.reports.services import report_duplicate, report_state_set, state_get
from tests.conftest import OPERATOR, viewer

pytestmark = pytest.mark.django_db


# --- Add-my-voice by the back door: marking a duplicate again and again ----------------------------

def test_a_report_already_a_duplicate_cannot_move_its_voices_again(make_report, council_analyst):
    first, second = make_report(), make_report(description="Bags again")
    report_duplicate(viewer=viewer(council_analyst), report=second, of=first)
    first.refresh_from_db()
    assert first.supporters == 1
    for _ in range(3):
        with pytest.raises(ValueError, match="already"):
            report_duplicate(viewer=viewer(council_analyst), report=second, of=first)
    first.refresh_from_db()
    assert first.supporters == 1  # not 4: one duplicate is one more voice, once


def test_a_closed_report_cannot_be_made_a_duplicate(make_report, council_analyst):
    first, second = make_report(), make_report(description="Bags again")
    report_state_set(viewer=OPERATOR, report=second, state=state_get("closed"), text="Cleared")
    with pytest.raises(ValueError, match="open"):
        report_duplicate(viewer=viewer(council_analyst), report=second, of=first)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.supporters, second.state_id, second.duplicate_of_id) == (0, "closed", None)


def test_a_duplicate_never_points_at_a_removed_report(make_report, council_analyst):
    """A report removed as spam is not public: a duplicate pointing at it would send its resident to
    a page that is not there, and count voices on a report nobody sees."""
    removed, repeat = make_report(description="Spam"), make_report(description="Bags again")
    report_state_set(viewer=OPERATOR, report=removed, state=state_get("hidden"), text="Spam")
    with pytest.raises(ValueError, match="removed"):
        report_duplicate(viewer=viewer(council_analyst), report=repeat, of=removed)
    repeat.refresh_from_db()
    assert (repeat.state_id, repeat.duplicate_of_id) == ("open", None)


def test_the_report_a_duplicate_leads_to_must_be_one_the_viewer_may_see(make_report, world, council_analyst,
                                                                          fire_officer):
    """Fire shares the fire category with the council only. The council's report is a duplicate
    of the police's (shared with the council by the CSP agreement). Fire marking its own report
    a duplicate of the council's must not reach the police's, which fire may not see: no voice
    added to it, and fire's resident not sent to it."""
    fire_category, organisations = world["categories"]["fire"], world["organisations"]
    police = make_report("drugs", description="Dealing and a fire")
    council, own = make_report(description="Burning rubbish"), make_report(description="A fire")
    Report.objects.filter(pk=council.pk).update(data_category=fire_category)
    Report.objects.filter(pk=own.pk).update(data_category=fire_category, owning_organisation=organisations["fire"])
    council.refresh_from_db()
    own.refresh_from_db()
    report_duplicate(viewer=viewer(council_analyst), report=council, of=police)
    with pytest.raises(NotFound):
        report_duplicate(viewer=viewer(fire_officer), report=own, of=council)
    police.refresh_from_db()
    own.refresh_from_db()
    assert police.supporters == 1  # the council's duplicate only
    assert (own.state_id, own.duplicate_of_id) == ("open", None)


# --- The resident's reference is theirs: never in a partner's incident -----------------------------

def test_a_raised_incident_does_not_carry_the_residents_reference(services, make_report, council_analyst):
    services["fly"].incident_category = IncidentCategory.objects.get(code="fly-tipping")
    services["fly"].save()
    report = make_report()
    incident = report_incident_raise(viewer=viewer(council_analyst), report=report)
    assert report.token not in incident.external_id
    assert report.token not in str(incident.raw)
    assert incident.external_id == f"report-{report.pk}"


# --- Keys: an administrator issues keys for their own organisation only ----------------------------

def test_an_administrator_cannot_issue_a_key_acting_for_another_partner(world, council_admin):
    police = world["organisations"]["police"]
    with pytest.raises(NotAllowed):
        api_key_create(viewer=viewer(council_admin), name="Not the police", organisation=police)
    assert not ApiKey.objects.exists()
    # Their own organisation's, and a residents' app's, they may; the operator any.
    api_key_create(viewer=viewer(council_admin), name="Council CRM", organisation=world["organisations"]["council"])
    api_key_create(viewer=viewer(council_admin), name="Residents app")
    api_key_create(viewer=OPERATOR, name="Police RMS", organisation=police)
    assert ApiKey.objects.count() == 3


def test_an_administrator_cannot_revoke_another_partners_key(world, council_admin):
    api_key_create(viewer=OPERATOR, name="Police RMS", organisation=world["organisations"]["police"])
    with pytest.raises(NotAllowed):
        api_key_revoke(viewer=viewer(council_admin), name="Police RMS")
    assert ApiKey.objects.get(name="Police RMS").revoked_at is None


# --- A partner's key learns nothing of another partner's report -----------------------------------

@pytest.mark.parametrize(("status", "description"), [("OPEN", ""), ("FIXED", ""), ("OPEN", "x"), ("BOGUS", "")])
def test_a_partners_key_cannot_tell_the_state_of_another_partners_report(make_report, world, status, description):
    """Every answer about a report the key may not triage is the same 'not found', whatever its
    state and whatever was sent (before, an unchanged status with no description was a 400 for an
    open report and a 404 for any other: the state of a private report, told)."""
    key, _ = api_key_create(viewer=OPERATOR, name="Council CRM", organisation=world["organisations"]["council"])
    private = make_report("safeguarding", description="A child alone at night")
    fixed = make_report("drugs", description="Dealing")
    report_state_set(viewer=OPERATOR, report=fixed, state=state_get("fixed"), text="Done")
    for report in (private, fixed):
        with pytest.raises(NotFound):
            report_client_update(viewer=resident_viewer(client="Council CRM"), api_key=key, report_id=report.pk,
                                 status=status, description=description)
    private.refresh_from_db()
    assert private.state_id == "open" and private.updates.count() == 1
