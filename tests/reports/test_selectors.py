"""Reading reports: what the public may read (never a private or hidden report, never who made
it), Open311's filters and window, the nearby reports offered before sending, and each
partner's own queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saferplace.audit.models import AuditEntry
from saferplace.errors import NotAllowed, NotFound
from saferplace.meetings.models import Item
from saferplace.meetings.services import series_create
from saferplace.reports.models import Report, ReportEventKind, StateKind
from saferplace.reports.selectors import (
    PublicFilters,
    nearby_open,
    public_report_get,
    public_reports,
    public_updates_between,
    report_for_partner,
    report_id_for_token,
    services_listed,
    triage_queue,
)
from saferplace.reports.services import report_meeting_forward, report_state_set, state_get
from tests.conftest import viewer
from tests.reports.fixtures import IN_CENTRAL_NOT_PARKSIDE, IN_PARKSIDE

pytestmark = pytest.mark.django_db


def _aged(report: Report, days: int) -> Report:
    moment = timezone.now() - timedelta(days=days)
    Report.objects.filter(pk=report.pk).update(created_at=moment, updated_at=moment)
    report.refresh_from_db()
    return report


def test_private_services_are_never_listed(services):
    assert {service.code for service in services_listed()} == {"fly-tipping", "litter", "drug-dealing"}


def test_a_private_or_hidden_report_is_in_no_public_read(make_report, council_analyst):
    private = make_report("safeguarding", description="At risk")
    hidden = make_report(description="Spam")
    report_state_set(viewer=viewer(council_analyst), report=hidden, state=state_get("hidden"), text="Spam")
    shown = make_report()
    assert [report.pk for report in public_reports(PublicFilters())] == [shown.pk]
    assert public_reports(PublicFilters(ids=(private.pk, hidden.pk))) == []
    for report in (private, hidden):
        with pytest.raises(NotFound):
            public_report_get(report.pk)
    assert {update.report_id for update in public_updates_between(start=None, end=None)} == {shown.pk}
    assert nearby_open(service=private.service, latitude=IN_PARKSIDE[0], longitude=IN_PARKSIDE[1]) == []


def test_the_resident_s_reference_finds_their_report_but_a_hidden_one_is_gone(make_report, council_analyst):
    report = make_report()
    assert report_id_for_token(report.token.lower()) == report.pk
    report_state_set(viewer=viewer(council_analyst), report=report, state=state_get("hidden"), text="Spam")
    with pytest.raises(NotFound):
        report_id_for_token(report.token)


def test_open311_s_filters(make_report, council_analyst):
    old = _aged(make_report(description="Old"), 100)
    fly = make_report()
    drugs = make_report("drugs", description="Dealing")
    report_state_set(viewer=viewer(council_analyst), report=fly, state=state_get("fixed"))

    def ids(**filters):
        return [report.pk for report in public_reports(PublicFilters(**filters))]

    assert ids() == [drugs.pk, fly.pk]  # the last 90 days by default, newest first
    assert ids(ids=(old.pk,)) == [old.pk]
    assert ids(service_codes=("drug-dealing",)) == [drugs.pk]
    assert ids(statuses=("closed",)) == [fly.pk]
    assert ids(statuses=("open",)) == [drugs.pk]
    assert ids(statuses=("open", "closed")) == [drugs.pk, fly.pk]
    assert ids(start=timezone.now() - timedelta(days=120), end=timezone.now() - timedelta(days=99)) == [old.pk]
    assert ids(updated_after=timezone.now() - timedelta(days=101), updated_before=timezone.now() - timedelta(days=99)) \
        == [old.pk]
    assert [r.pk for r in public_reports(PublicFilters(), offset=1, limit=1)] == [fly.pk]


def test_nearby_open_reports_of_the_same_kind_nearest_first(make_report, council_analyst):
    near = make_report()
    make_report(at=IN_CENTRAL_NOT_PARKSIDE)  # over a kilometre away
    make_report("drugs", description="Not the same kind")
    closed = make_report()
    report_state_set(viewer=viewer(council_analyst), report=closed, state=state_get("fixed"))
    found = nearby_open(service=near.service, latitude=IN_PARKSIDE[0] + 0.0005, longitude=IN_PARKSIDE[1])
    assert [report.pk for report in found] == [near.pk]


def test_each_partner_s_queue_is_its_own_urgent_first(make_report, council_analyst, police_officer, police_analyst):
    fly = make_report()
    drugs = make_report("drugs", description="Dealing")
    at_risk = make_report("safeguarding", description="At risk")
    assert [r.pk for r in triage_queue(viewer=viewer(council_analyst))] == [fly.pk]
    assert [r.pk for r in triage_queue(viewer=viewer(police_officer))] == [at_risk.pk, drugs.pk]
    # The safeguarding data category opens to practitioners and chairs only.
    assert [r.pk for r in triage_queue(viewer=viewer(police_analyst))] == [drugs.pk]
    assert triage_queue(viewer=viewer(police_officer), kinds=(StateKind.FIXED,)) == []


def test_a_role_without_triage_has_no_queue(make_report, council_volunteer):
    make_report()
    with pytest.raises(NotAllowed):
        triage_queue(viewer=viewer(council_volunteer))


def test_opening_a_report_with_the_resident_s_details_is_audited_and_others_cannot(make_report, council_analyst,
                                                                                  police_officer, fire_officer,
                                                                                  bid_analyst):
    report = make_report(name="Sam Resident", email="sam@example.org")
    assert report_for_partner(viewer=viewer(council_analyst), report_id=report.pk).email == "sam@example.org"
    assert AuditEntry.objects.filter(action="view", object_id=str(report.pk), actor_username="council_analyst").exists()
    # The police share environmental records with the council by agreement; fire and the BID do not.
    assert report_for_partner(viewer=viewer(police_officer), report_id=report.pk).pk == report.pk
    for person in (fire_officer, bid_analyst):
        with pytest.raises(NotFound):
            report_for_partner(viewer=viewer(person), report_id=report.pk)


def test_a_report_put_forward_to_the_meeting_is_a_de_identified_concern(make_report, police_officer, police_chair,
                                                                       world):
    series = series_create(viewer=viewer(police_chair), name="Riverford DRMM", chair=police_chair,
                           member_organisations=[world["organisations"]["police"], world["organisations"]["council"]])
    at_risk = make_report("safeguarding", description="Sam Doe, 7, alone at night at 4 Mill Lane")
    report_meeting_forward(viewer=viewer(police_officer), report=at_risk, series=series)
    item = Item.objects.get()
    assert "Sam Doe" not in item.title + item.summary and item.details.get().text.startswith("Sam Doe")
    at_risk.refresh_from_db()
    assert at_risk.state_id == "investigating"
    assert at_risk.events.filter(kind=ReportEventKind.MEETING).exists()
