"""The demo city's public reporting (`demo.reports`, `demo.report_services`): services in groups
with their questions, routing by organisation × service × area, about three hundred public reports
over the last 120 days in every state, and private reports that are never public."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saferplace.demo import demo_city_build
from saferplace.demo.geography import city_plan
from saferplace.demo.partnership import COUNCIL, HOUSING, POLICE
from saferplace.demo.report_services import estate_lsoa_codes
from saferplace.demo.reports import DAYS, PRIVATE, PUBLIC_REPORTS
from saferplace.errors import NotFound
from saferplace.notifications.models import NotificationSend, SendStatus
from saferplace.places.models import Place
from saferplace.reports.models import Report, ReportEvent, ReportState, Service, StateKind
from saferplace.reports.routing import locate
from saferplace.reports.selectors import (
    PublicFilters,
    public_report_get,
    public_reports,
    services_listed,
)
from saferplace.tasking.models import Task, TaskStatus
from tests.demo.conftest import END, SIZE


def _inside(code: str) -> tuple[float, float]:
    lsoa = next(area for area in city_plan().lsoas if area.code == code)
    point = lsoa.geometry.representative_point()
    return point.y, point.x


def test_every_state_has_reports_spread_over_the_last_120_days(city):
    reports = Report.objects.select_related("state", "service")
    assert reports.count() == PUBLIC_REPORTS + len(PRIVATE)
    states = {code: reports.filter(state=code).count() for code in ReportState.objects.values_list("code", flat=True)}
    assert len(states) == 12 and min(states.values()) >= 1, states
    now = timezone.now()
    created = sorted(reports.values_list("created_at", flat=True))
    assert now - timedelta(days=DAYS + 1) <= created[0] and created[-1] <= now
    assert created[-1] - created[0] > timedelta(days=DAYS * 0.8)
    for report in reports.filter(state__kind__in=(StateKind.FIXED, StateKind.CLOSED))[:40]:
        times = list(ReportEvent.objects.filter(record=report).order_by("id").values_list("at", flat=True))
        assert times == sorted(times) and times[0] == report.created_at and report.updated_at == times[-1]
        assert report.updated_at <= now
    assert set(Service.objects.values_list("group", flat=True)) == {
        "Streets and rubbish", "Anti-social behaviour", "Lighting and roads", "Safety"}
    fly = Service.objects.get(code="fly-tipping")
    assert fly.attributes.filter(required=True).exists() and fly.incident_category.code == "fly-tipping"
    assert not Report.objects.exclude(incident=None).exists()  # the city's incidents are its imports
    emails = set(reports.exclude(email="").values_list("email", flat=True))
    assert emails and all(email.startswith("resident") and email.endswith("@example.org") for email in emails)
    assert not NotificationSend.objects.filter(about__startswith="reports.report:", status=SendStatus.WAITING).exists()


def test_private_reports_are_never_public(city):
    private = list(Report.objects.filter(service__private=True))
    assert len(private) == len(PRIVATE) and not any(report.is_public for report in private)
    assert all(report.urgent for report in private if report.service.code == "someone-at-risk")
    hidden = list(Report.objects.filter(state__kind=StateKind.HIDDEN))
    listed = {report.pk for report in public_reports(PublicFilters(start=timezone.now() - timedelta(days=400)),
                                                     limit=1000)}
    assert listed and not listed & {report.pk for report in private + hidden}
    for report in private + hidden:
        with pytest.raises(NotFound):
            public_report_get(report.pk)
    assert {service.code for service in services_listed()}.isdisjoint({"someone-at-risk", "hate-incident"})


def test_routing_by_service_and_area_and_what_the_partners_did(city):
    plan = city_plan()
    estates = estate_lsoa_codes(plan)
    elsewhere = next(lsoa.code for lsoa in plan.lsoas if lsoa.code not in estates)
    services = {service.code: service for service in Service.objects.all()}
    assert locate(services["fly-tipping"], *_inside(estates[0])).organisation.name == COUNCIL
    assert locate(services["drug-dealing"], *_inside(estates[0])).organisation.name == POLICE
    assert locate(services["noise-nuisance"], *_inside(estates[0])).organisation.name == HOUSING
    assert locate(services["noise-nuisance"], *_inside(elsewhere)).organisation.name == COUNCIL
    owners = dict(Report.objects.values_list("service__code", "owning_organisation__name").distinct())
    assert owners["fly-tipping"] == COUNCIL and owners["drug-dealing"] == POLICE
    assert set(Report.objects.filter(service__code="fly-tipping").values_list("owning_organisation__name",
                                                                             flat=True)) == {COUNCIL}
    on_estates = Report.objects.filter(service__code="noise-nuisance", place__in=Place.objects.filter(code__in=estates))
    assert on_estates.exists() and set(on_estates.values_list("owning_organisation__name", flat=True)) == {HOUSING}
    # Fly tips collected by the volunteer: the report fixed, the resident told what was done.
    done = Task.objects.filter(source_kind="report", for_volunteers=True, status=TaskStatus.DONE)
    assert done.exists()
    assert Task.objects.filter(source_kind="report", for_volunteers=True, assignee=None).count() == 2  # on offer
    for task in done:
        report = Report.objects.get(pk=task.source_id)
        assert report.state_id == "fixed" and "What was done" in report.updates.order_by("-id").first().text
        assert task.assignee.username == "volunteer.cvs" and task.finished_at <= timezone.now()


def test_the_city_is_replaced_with_its_reports(city):
    before = Report.objects.count()
    demo_city_build(size=SIZE, seed=2026, end=END, progress=False, replace=True)
    assert Report.objects.count() == before
    assert Service.objects.filter(code="fly-tipping").count() == 1
