"""The demo's daily risk management meeting: the series the police inspector chairs, yesterday's
meeting (the previous weekday's) closed with its decisions and their actions as tasks, who came,
and a concern the council's ASB officer has put forward for today. Made through the meetings
services, as the chair and the partners would, so the events and the audit trail are written.

Today's agenda is not drafted here: that is the worker's job each morning (and `saferplace
meeting prepare`), which reads the analysis; the build stays quick. Every name and address in
the concern's identifiable details is made up."""

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.demo import partnership as partners_of
from saferplace.demo.geography import LOCAL_AUTHORITY, CityPlan
from saferplace.meetings.agenda import meeting_for
from saferplace.meetings.models import (
    AgendaEntry,
    Attendance,
    AttendanceMode,
    Decision,
    Item,
    Meeting,
    MeetingSeries,
)
from saferplace.meetings.selectors import ITEM_SOURCE
from saferplace.meetings.services import (
    Action,
    agenda_add,
    concern_raise,
    item_decide,
    meeting_close,
    meeting_join,
    meeting_move_to,
    meeting_open,
    series_create,
)
from saferplace.partners.models import DataCategory, Organisation, Team, User
from saferplace.partners.viewer import TASK, AuditContext, viewer_for
from saferplace.places.models import Place
from saferplace.tasking.models import Task, WorkingArea

SERIES_NAME = "Riverford Daily Risk Management Meeting"
VIDEO_LINK = "https://meet.example.org/riverford-drm"
MEMBERS = [partners_of.POLICE, partners_of.COUNCIL, partners_of.FIRE, partners_of.HOUSING, partners_of.VOLUNTARY,
           partners_of.HEALTH, partners_of.PROBATION]
HOTSPOT = "town-centre"  # the planted hotspot whose ward the officer, the youth worker and the volunteer work in
# (team's organisation, team, its lead's username)
TEAM_LEADS = [(partners_of.POLICE, "Riverford Neighbourhood Policing Team", "chair.police"),
              (partners_of.VOLUNTARY, "Volunteer Centre", "youth.cvs")]
WORKING_IN_THE_WARD = ["officer.police", "youth.cvs", "volunteer.cvs"]
# who joined yesterday's meeting, and how (the chair is present: she opened it)
ATTENDANCE = [("asb.council", AttendanceMode.PRESENT), ("youth.cvs", AttendanceMode.REMOTE),
              ("analyst.council", AttendanceMode.REMOTE), ("firefighter.fire", AttendanceMode.APOLOGIES)]
CONCERN_DETAILS = ("Synthetic demo record: the complainant is Ada Madeup (aged 71) of 3 Imaginary Row; the people "
                   "named are Ben Fictitious (born 2 February 2004) and Cal Notreal (born 9 September 2005).")


@dataclass(frozen=True)
class DemoMeetings:
    series: MeetingSeries
    previous: Meeting
    concern: Item


def previous_weekday(today: date) -> date:
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _as(user: User):
    return viewer_for(user, context=AuditContext(channel=TASK, reason="the demo city"))


def _team(organisation: str, name: str) -> Team:
    return Team.objects.get(organisation__name=organisation, name=name)


def _leads_and_areas(*, viewer, people: dict[str, User], ward: Place) -> None:
    """Two teams' leads and three people's working area (no service sets them yet: each change is
    audited here, as a service would)."""
    for organisation, name, username in TEAM_LEADS:
        team = _team(organisation, name)
        team.lead = people[username]
        team.save(update_fields=["lead"])
        audit_record(viewer=viewer, action=AuditAction.CHANGE, obj=team, details={"lead": username})
    for username in WORKING_IN_THE_WARD:
        area = WorkingArea.objects.create(user=people[username], place=ward)
        audit_record(viewer=viewer, action=AuditAction.CREATE, obj=area)


def _ward(plan: CityPlan | None) -> Place:
    """The ward of the town centre's planted hotspot."""
    if plan is None:
        from saferplace.demo.geography import city_plan

        plan = city_plan()
    return Place.objects.get(code=plan.hotspot_lsoas[HOTSPOT]).parent


@transaction.atomic
def demo_meetings_create(*, viewer, personas: list[User], plan: CityPlan | None = None,
                         today: date | None = None) -> DemoMeetings:
    """The series, yesterday's closed meeting with its decisions and tasks, and today's concern."""
    today = today or timezone.localdate()
    people = {user.username: user for user in personas}
    organisations = {organisation.name: organisation for organisation in Organisation.objects.filter(name__in=MEMBERS)}
    ward = _ward(plan)
    _leads_and_areas(viewer=viewer, people=people, ward=ward)
    chair_user = people["chair.police"]
    chair = _as(chair_user)
    series = series_create(
        viewer=chair, name=SERIES_NAME, chair=chair_user, member_organisations=[organisations[name] for name in MEMBERS],
        place=Place.objects.filter(code=LOCAL_AUTHORITY[0]).first(), weekdays=[0, 1, 2, 3, 4],
        starts_at=time(9, 30), minutes_long=30, video_link=VIDEO_LINK,
    )
    previous = meeting_for(series, previous_weekday(today))
    garages = agenda_add(viewer=chair, meeting=previous, where="Mill Lane",
                         title="Rough sleeping and drug litter reported at the garages behind Mill Lane",
                         summary="Three reports in a fortnight of people sleeping in an open garage and needles nearby.")
    fly_tipping = agenda_add(viewer=chair, meeting=previous, where="Canal Walk",
                             title="Repeated fly-tipping at the end of Canal Walk",
                             summary="Household waste dumped at the same spot four times this month.")
    meeting_open(viewer=chair, meeting=previous)
    for username, mode in ATTENDANCE:
        meeting_join(viewer=_as(people[username]), meeting=previous, mode=mode)
    police, council, voluntary = (organisations[partners_of.POLICE], organisations[partners_of.COUNCIL],
                                  organisations[partners_of.VOLUNTARY])
    item_decide(
        viewer=chair, meeting=previous, item=garages.item, state="in_hand", lead=police,
        supporting=[council, voluntary], review_date=today, threshold_met=False,
        decision="Police neighbourhood team to patrol at dusk; volunteers to check the garages first. "
                 "Threshold for sharing personal details not met: no one is identified.",
        actions=[
            Action(title="Patrol the garages behind Mill Lane at dusk and speak to anyone sleeping there",
                   organisation=police, team=_team(partners_of.POLICE, "Riverford Neighbourhood Policing Team"),
                   due_date=today + timedelta(days=2), priority="high"),
            Action(title="Check whether the garages behind Mill Lane are being used by rough sleepers",
                   organisation=voluntary, team=_team(partners_of.VOLUNTARY, "Volunteer Centre"),
                   for_volunteers=True, place=ward, due_date=today + timedelta(days=1),
                   questions=("Are there signs someone is sleeping there (bedding, belongings)?",
                              "Is there drug litter? Do not touch it: say where it is.",
                              "Is any garage open or its door damaged?")),
        ],
    )
    meeting_move_to(viewer=chair, meeting=previous, entry=fly_tipping)
    item_decide(
        viewer=chair, meeting=previous, item=fly_tipping.item, state="in_hand", lead=council,
        supporting=[voluntary], review_date=today + timedelta(days=7), threshold_met=False,
        decision="Council ASB team to trace where the waste comes from; volunteers to collect it.",
        actions=[
            Action(title="Search the dumped waste for addresses and write to the households on Canal Walk",
                   organisation=council, team=_team(partners_of.COUNCIL, "Anti-social Behaviour Team"),
                   due_date=today - timedelta(days=2)),
            Action(title="Collect the fly-tip reported at the end of Canal Walk", organisation=voluntary,
                   team=_team(partners_of.VOLUNTARY, "Volunteer Centre"), for_volunteers=True, place=ward,
                   due_date=today + timedelta(days=2),
                   questions=("How many bags or items did you collect?",
                              "Was anything hazardous (asbestos, chemicals, needles)? If so, leave it and say what.")),
        ],
    )
    meeting_close(viewer=chair, meeting=previous)
    _at_the_meetings_time(previous)
    concern = concern_raise(
        viewer=_as(people["asb.council"]), series=series, where="Orchard Close",
        title="Intimidation of an older resident by young people on Orchard Close",
        summary="An older resident reports young people gathering at her door most evenings, shouting and "
                "kicking the door; two reports to the council this week.",
        details=CONCERN_DETAILS, data_category=DataCategory.objects.get(code="asb"),
    )
    return DemoMeetings(series=series, previous=previous, concern=concern)


def _at_the_meetings_time(meeting: Meeting) -> None:
    """Yesterday's meeting as it happened yesterday: opened at its start, joined, decided and
    closed within its half hour (the services stamped them with the time of the build)."""
    starts = meeting.starts_at
    Meeting.objects.filter(pk=meeting.pk).update(
        opened_at=starts, closed_at=starts + timedelta(minutes=meeting.series.minutes_long - 2))
    for minutes, attendance in enumerate(Attendance.objects.filter(meeting=meeting).order_by("id")):
        Attendance.objects.filter(pk=attendance.pk).update(joined_at=starts + timedelta(minutes=minutes))
    for minutes, decision in enumerate(Decision.objects.filter(meeting=meeting).order_by("id"), start=1):
        Decision.objects.filter(pk=decision.pk).update(at=starts + timedelta(minutes=12 * minutes))
    Task.objects.filter(source_kind=ITEM_SOURCE, source_id__in=meeting.entries.values("item_id")).update(created_at=starts + timedelta(minutes=25))


def demo_meetings_delete(organisation_names: list[str]) -> None:
    """Remove the meetings and tasks of the demo's organisations (before the people and the
    organisations they refer to). Their audit entries stay: the trail is append-only."""
    series = MeetingSeries.objects.filter(organisation__name__in=organisation_names)
    Task.objects.filter(organisation__name__in=organisation_names).delete()
    Item.objects.filter(series__in=series).delete()
    AgendaEntry.objects.filter(meeting__series__in=series).delete()
    Meeting.objects.filter(series__in=series).delete()
    series.delete()
