"""Riverford's public reports: about three hundred residents' reports over the last 120 days, in
every state, and a handful of private ones (someone at risk, hate incidents), made as residents
and partners make them: `report_create` as a resident, then the triage services as the partner's
persona (the council's analyst and ASB officer, the police officer, the firefighter;
Riverside Homes has no persona, so its estate reports are triaged by the build, the operator,
named as such on their timelines and in the audit trail). Some fly tips become volunteer tasks,
taken and completed by the volunteer (the resident is told what was done). The services stamp
everything with the time of the build, so each report's times are then moved back, in bulk, to
when it was made and dealt with: its events and updates, its tasks and their events, and the
messages to its resident, which are marked not sent (every address is a made-up one at
example.org). Descriptions come from a few phrases; no one is named. No report is raised as an
incident here: the city's incidents are the partners' imported files."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import shapely
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from saferplace.demo import partnership as partners_of
from saferplace.demo.geography import CityPlan
from saferplace.demo.meetings import HOTSPOT
from saferplace.demo.report_phrases import CLOSING, DESCRIPTIONS, FOLLOW_UPS, TASKS
from saferplace.demo.report_services import (
    SERVICES,
    demo_report_services_create,
    demo_report_services_delete,
    estate_lsoa_codes,
)
from saferplace.notifications.models import NotificationSend, SendStatus
from saferplace.partners.models import Team, User
from saferplace.partners.viewer import TASK, AuditContext, viewer_for
from saferplace.reports.models import Report, ReportEvent, ReportUpdate, Service
from saferplace.reports.public import resident_viewer
from saferplace.reports.services import (
    report_accept,
    report_create,
    report_duplicate,
    report_state_set,
    report_task_make,
    state_get,
)
from saferplace.tasking.models import Task, TaskEvent
from saferplace.tasking.services import task_complete, task_take

PUBLIC_REPORTS = 300
DAYS = 120
SEED = 2026
# How many of each public service's reports in a hundred.
WEIGHTS = {"fly-tipping": 20, "litter": 9, "graffiti": 8, "abandoned-vehicle": 5, "dog-fouling": 6,
           "drug-dealing": 8, "noise-nuisance": 10, "street-drinking": 5, "street-light": 10, "pothole": 14,
           "fire-risk": 5}
# A report's state by its age: a fortnight old or less, and older.
RECENT = {"open": 30, "investigating": 20, "action_scheduled": 14, "in_progress": 14, "fixed": 8, "duplicate": 5,
          "not_responsible": 3, "internal_referral": 2, "hidden": 2}
OLDER = {"open": 3, "investigating": 5, "action_scheduled": 4, "in_progress": 5, "fixed": 36, "duplicate": 8,
         "not_responsible": 6, "no_further_action": 8, "unable_to_fix": 6, "internal_referral": 5, "closed": 11,
         "hidden": 3}
AT_LEAST = 3  # reports in each state
PRIVATE = [("someone-at-risk", "open"), ("someone-at-risk", "open"), ("someone-at-risk", "investigating"),
           ("someone-at-risk", "investigating"), ("someone-at-risk", "internal_referral"),
           ("someone-at-risk", "closed"), ("hate-incident", "open"), ("hate-incident", "investigating"),
           ("hate-incident", "closed")]
VOLUNTEER_FIXED, VOLUNTEER_OFFERED = 4, 2  # fly tips in the volunteer's ward collected, and on offer
NEAR_ESTATES = {"noise-nuisance": 0.45, "drug-dealing": 0.3}  # share of these reports on the estates
ACTORS = {partners_of.COUNCIL: "analyst.council", partners_of.POLICE: "officer.police",
          partners_of.FIRE: "firefighter.fire"}
# Who makes a report a task (the council's; the others schedule their action on the report itself).
ASSIGNERS = {partners_of.COUNCIL: "analyst.council"}
TEAMS = {"Anti-social behaviour": "Anti-social Behaviour Team"}  # by service group; else the streets' team
STREETS_TEAM = "Environmental Enforcement"


@dataclass
class Planned:
    number: int
    service: str
    state: str
    created: datetime
    point: tuple[float, float]
    volunteer: bool = False
    original: "Planned | None" = None
    report: Report | None = None
    times: list[datetime] = field(default_factory=list)  # of the report's events, in order
    task_times: list[datetime] = field(default_factory=list)


class _Places:
    """Points inside the city's LSOAs: by population, or inside chosen LSOAs."""

    def __init__(self, plan: CityPlan, generator: np.random.Generator):
        self.generator = generator
        self.lsoas = plan.lsoas
        self.codes = [lsoa.code for lsoa in plan.lsoas]
        weights = np.array([lsoa.population for lsoa in plan.lsoas], dtype=float)
        self.weights = weights / weights.sum()

    def point(self, codes: list[str] | None = None) -> tuple[float, float]:
        index = (self.codes.index(self.generator.choice(codes)) if codes
                 else int(self.generator.choice(len(self.lsoas), p=self.weights)))
        geometry = self.lsoas[index].geometry
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        while True:
            lon, lat = self.generator.uniform(min_lon, max_lon), self.generator.uniform(min_lat, max_lat)
            if shapely.contains_xy(geometry, lon, lat):
                return round(float(lat), 6), round(float(lon), 6)


def _plan(plan: CityPlan, now: datetime, generator: np.random.Generator) -> list[Planned]:
    places = _Places(plan, generator)
    estates = estate_lsoa_codes(plan)
    ward = next(lsoa.parent_code for lsoa in plan.lsoas if lsoa.code == plan.hotspot_lsoas[HOTSPOT])
    volunteer_lsoas = [lsoa.code for lsoa in plan.lsoas if lsoa.parent_code == ward]
    codes = list(WEIGHTS)
    shares = np.array([WEIGHTS[code] for code in codes], dtype=float)
    planned = []
    for number in range(PUBLIC_REPORTS):
        service = str(generator.choice(codes, p=shares / shares.sum()))
        created = timezone.localtime(now - timedelta(days=float(generator.uniform(0, DAYS))))
        created = created.replace(hour=int(generator.integers(7, 22)), minute=int(generator.integers(0, 60)))
        if created > now:
            created -= timedelta(days=1)
        weights = RECENT if now - created < timedelta(days=14) else OLDER
        state = str(generator.choice(list(weights), p=np.array(list(weights.values())) / sum(weights.values())))
        near_estates = generator.random() < NEAR_ESTATES.get(service, 0)
        planned.append(Planned(number, service, state, created, places.point(estates if near_estates else None)))
    planned.sort(key=lambda each: each.created)
    _every_state(planned)
    _duplicates(planned, generator)
    repeated = {id(each.original) for each in planned if each.original is not None}  # they keep their place
    fly_tips = [each for each in planned if each.service == "fly-tipping" and id(each) not in repeated]
    offered = [tip for tip in fly_tips if tip.state in ("open", "investigating", "action_scheduled")]
    for each in offered[-VOLUNTEER_OFFERED:]:
        each.state = "action_scheduled"
    for each in [tip for tip in fly_tips if tip.state == "fixed"][-VOLUNTEER_FIXED:] + offered[-VOLUNTEER_OFFERED:]:
        each.volunteer, each.point = True, places.point(volunteer_lsoas)
    for number, (service, state) in enumerate(PRIVATE, start=PUBLIC_REPORTS):
        created = now - timedelta(days=float(generator.uniform(0.5, 30)))
        planned.append(Planned(number, service, state, created, places.point()))
    return planned


def _every_state(planned: list[Planned]) -> None:
    """At least AT_LEAST reports in each state, taken from the commonest state (the newest of
    them: a duplicate needs an earlier report to repeat)."""
    for state in OLDER | RECENT:
        while sum(each.state == state for each in planned) < AT_LEAST:
            counts = {code: sum(each.state == code for each in planned) for code in OLDER}
            commonest = max(counts, key=counts.get)
            next(each for each in reversed(planned) if each.state == commonest).state = state


DUPLICABLE = {spec.code for spec in SERVICES if not spec.on_estates and not spec.private}


def _duplicates(planned: list[Planned], generator: np.random.Generator) -> None:
    """Each duplicate repeats an earlier report (of a service one partner handles everywhere),
    next to it and of its service; the first report of all, with none before it, stays open."""
    for position, each in enumerate(planned):
        if each.state != "duplicate":
            continue
        earlier = [other for other in planned[:position]
                   if other.service in DUPLICABLE and other.state not in ("duplicate", "hidden")]
        if not earlier:
            each.state = "open"
            continue
        same = [other for other in earlier if other.service == each.service]
        each.original = (same or earlier)[int(generator.integers(len(same or earlier)))]
        each.service = each.original.service
        latitude, longitude = each.original.point
        each.point = (round(latitude + float(generator.normal(0, 0.0002)), 6),
                      round(longitude + float(generator.normal(0, 0.0003)), 6))


def _as(user: User):
    return viewer_for(user, context=AuditContext(channel=TASK, reason="the demo city"))


class _Partners:
    """Who acts for each organisation: its persona, else the build (the operator)."""

    def __init__(self, *, viewer, personas: list[User]):
        self.operator = viewer
        self.people = {user.username: user for user in personas}
        self.viewers = {username: _as(user) for username, user in self.people.items()}

    def triage(self, report: Report):
        name = report.owning_organisation.name
        if name == partners_of.COUNCIL and report.service.group == "Anti-social behaviour":
            return self.viewers["asb.council"]
        return self.viewers[ACTORS[name]] if name in ACTORS else self.operator

    def assigner(self, report: Report):
        username = ASSIGNERS.get(report.owning_organisation.name)
        return self.viewers[username] if username else None


def _create(each: Planned, services: dict[str, Service], generator: np.random.Generator) -> None:
    service = services[each.service]
    phrases = DESCRIPTIONS[each.service]
    description = phrases[int(generator.integers(len(phrases)))]
    if generator.random() < 0.4:
        description += " " + FOLLOW_UPS[int(generator.integers(len(FOLLOW_UPS)))]
    each.report = report_create(
        viewer=resident_viewer(address=f"192.0.2.{each.number % 250 + 1}"), service=service,
        latitude=each.point[0], longitude=each.point[1], description=description,
        answers=_answers(service, generator),
        email=f"resident{each.number}@example.org" if generator.random() < 0.5 else "",
    )
    each.times.append(each.created)


def _answers(service: Service, generator: np.random.Generator) -> dict:
    answers = {}
    for attribute in service.attributes.all():
        keys = [value["key"] for value in attribute.values]
        if not attribute.variable or not (attribute.required or generator.random() < 0.7):
            continue
        if attribute.datatype == "singlevaluelist":
            answers[attribute.code] = keys[int(generator.integers(len(keys)))]
        elif attribute.datatype == "multivaluelist":
            answers[attribute.code] = list(generator.choice(keys, size=int(generator.integers(1, 3)), replace=False))
        elif attribute.datatype == "number":
            answers[attribute.code] = str(int(generator.integers(2, 9)))
    return answers


class _Clock:
    """The times of one report's steps after it was made: hours to days apart, before now."""

    def __init__(self, each: Planned, now: datetime, generator: np.random.Generator):
        self.at, self.now, self.generator = each.created, now, generator

    def next(self) -> datetime:
        gap = timedelta(hours=float(self.generator.exponential(30)) + 0.5)
        self.at = min(self.at + gap, self.now - timedelta(minutes=5))
        return self.at


def _triage(each: Planned, partners: _Partners, clock: _Clock) -> None:
    """Take the report to its planned state through the services, as its partner would."""
    report, state = each.report, each.state
    who = partners.triage(report)
    if state == "open":
        return
    if state == "duplicate":
        report_duplicate(viewer=who, report=report, of=each.original.report)
        each.times.append(clock.next())
        return
    if state not in ("not_responsible", "internal_referral", "hidden"):
        report_accept(viewer=who, report=report)
        each.times.append(clock.next())
    if state == "investigating":
        return
    assigner = partners.assigner(report)
    if state == "action_scheduled" and assigner is not None or each.volunteer:
        _task(each, partners, assigner, clock)
        return
    report_state_set(viewer=who, report=report, state=state_get(state), text=CLOSING.get(state, ""))
    each.times.append(clock.next())


def _task(each: Planned, partners: _Partners, assigner, clock: _Clock) -> None:
    report = each.report
    organisation = report.owning_organisation.name
    team = None if each.volunteer else Team.objects.get(
        organisation__name=organisation, name=TEAMS.get(report.service.group, STREETS_TEAM))
    task = report_task_make(viewer=assigner, report=report, title=f"{TASKS[each.service]} ({report.where})"[:200],
                            team=team, for_volunteers=each.volunteer, due_date=(clock.at + timedelta(days=7)).date(),
                            questions=["How many bags or items did you collect?"] if each.volunteer else None)
    each.times.append(clock.next())
    each.task_times.append(clock.at)
    if each.state == "fixed":
        volunteer = partners.viewers["volunteer.cvs"]
        task_take(viewer=volunteer, task=task)
        each.task_times.append(clock.next())
        task_complete(viewer=volunteer, task=task, outcome="Collected and taken to the depot.",
                      answers={"How many bags or items did you collect?": "6"})
        each.times.append(clock.next())  # the report fixed, the resident told
        each.task_times.append(clock.at)


def _moved(model, owner: str, planned: dict[int, list[datetime]], stamp: str) -> list:
    """The rows of `model` belonging to the planned records (by `owner` id), each given the
    time of its place in its record's list (the last again if there are more rows than times)."""
    changed, seen = [], {}
    for row in model.objects.filter(**{f"{owner}__in": list(planned)}).order_by(owner, "id"):
        times = planned[getattr(row, owner)]
        position = seen.get(getattr(row, owner), 0)
        seen[getattr(row, owner)] = position + 1
        setattr(row, stamp, times[min(position, len(times) - 1)])
        changed.append(row)
    return changed


def _backdate(planned: list[Planned]) -> None:
    reports = {each.report.pk: each.times for each in planned}
    ReportEvent.objects.bulk_update(_moved(ReportEvent, "record_id", reports, "at"), ["at"], batch_size=500)
    ReportUpdate.objects.bulk_update(_moved(ReportUpdate, "report_id", reports, "at"), ["at"], batch_size=500)
    rows = list(Report.objects.filter(pk__in=list(reports)))
    for row in rows:
        row.created_at, row.updated_at = reports[row.pk][0], reports[row.pk][-1]
    Report.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=500)
    tasks = {task.pk: next(each.task_times for each in planned if each.report.pk == task.source_id)
             for task in Task.objects.filter(source_kind="report", source_id__in=list(reports))}
    TaskEvent.objects.bulk_update(_moved(TaskEvent, "record_id", tasks, "at"), ["at"], batch_size=500)
    rows = list(Task.objects.filter(pk__in=list(tasks)))
    for row in rows:
        times = tasks[row.pk]
        row.created_at = times[0]
        row.accepted_at = times[1] if row.accepted_at and len(times) > 1 else row.accepted_at
        row.finished_at = times[-1] if row.finished_at else None
    Task.objects.bulk_update(rows, ["created_at", "accepted_at", "finished_at"], batch_size=500)
    about = [f"reports.report:{pk}" for pk in reports]
    NotificationSend.objects.filter(about__in=about, status=SendStatus.WAITING).update(
        status=SendStatus.GAVE_UP, last_error="A synthetic demo report: its resident's address is made up, "
                                             "so nothing is sent")


@transaction.atomic
def demo_reports_create(*, viewer, personas: list[User], plan: CityPlan, now: datetime | None = None) -> dict:
    """The services and their routes, then the reports, as residents and partners make them."""
    now = now or timezone.now()
    generator = np.random.default_rng(SEED)
    services = demo_report_services_create(viewer=viewer, plan=plan)
    partners = _Partners(viewer=viewer, personas=personas)
    planned = _plan(plan, now, generator)
    for each in planned:
        _create(each, services, generator)
    clocks = {each.number: _Clock(each, now, generator) for each in planned}
    for each in planned:
        _triage(each, partners, clocks[each.number])
    _backdate(planned)
    return {"reports": len(planned)}


def demo_reports_delete(organisation_names: list[str]) -> None:
    """The reports routed to the demo's organisations (their photos, updates and events go with
    them), then the demo's services. Audit entries stay: the trail is append-only."""
    Report.objects.filter(Q(owning_organisation__name__in=organisation_names)
                          | Q(service__code__in=[spec.code for spec in SERVICES])).delete()
    demo_report_services_delete()
