"""A person's calendar as iCalendar (`.ics`): the meetings of the series they are a member of
(the next 60 days from each series' weekdays, time and length, and the meetings already made),
with the video-call link as the place, and the due dates of the tasks given to them, as all-day
events with the task's title only (de-identified, as tasks are).

A signed-in person downloads it (`/calendar.ics`); a calendar app, which cannot sign in, reads
it through a private link (`/calendar/<secret>.ics`): only a hash of the secret is kept, it is
shown once, and making a new one replaces it. Every reading is audited with the tasks listed."""

import hashlib
import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotAllowed, NotFound
from saferplace.meetings.models import CalendarFeed, Meeting, MeetingSeries
from saferplace.meetings.selectors import series_list
from saferplace.partners import access
from saferplace.partners.events import UserEvent, UserEventKind
from saferplace.partners.viewer import AuditContext, viewer_for
from saferplace.tasking.models import FINISHED, Task

AHEAD_DAYS = 60
BEHIND_DAYS = 14  # meetings already held stay in the calendar a while
TOKEN_PREFIX = "cal_"  # noqa: S105 - a label before the secret, not a secret
TOKEN_LENGTH_MOST = 100
FEED_CHANNEL = "calendar"
PRODUCT = "-//SaferPlace//Meetings and tasks//EN"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _member_series(viewer) -> list[MeetingSeries]:
    """The active series the viewer is a member of (none for a role that takes no part)."""
    if not viewer.is_active_person:
        return []
    if not (access.can(viewer, "meetings.attend") or access.can(viewer, "meetings.chair")):
        return []
    return list(series_list(viewer=viewer).filter(active=True).order_by("pk"))


def _meeting_event(series: MeetingSeries, starts: datetime, now: datetime) -> Event:
    event = Event()
    event.add("uid", f"meeting-{series.pk}-{timezone.localtime(starts):%Y%m%d}@saferplace")
    event.add("summary", series.name)
    event.add("description", f"{series.get_kind_display()}, chaired by {series.chair.display_name}.")
    event.add("dtstart", starts.astimezone(ZoneInfo("UTC")))
    event.add("dtend", (starts + timedelta(minutes=series.minutes_long)).astimezone(ZoneInfo("UTC")))
    event.add("dtstamp", now)
    if series.video_link:
        event.add("location", series.video_link)
        event.add("url", series.video_link)
    return event


def _meetings(viewer, today: date, now: datetime) -> list[Event]:
    local = ZoneInfo(settings.TIME_ZONE)
    events: dict[tuple[int, date], Event] = {}
    series_list = _member_series(viewer)
    for series in series_list:
        if not series.weekdays:
            continue
        for offset in range(AHEAD_DAYS):
            day = today + timedelta(days=offset)
            if day.weekday() in series.weekdays:
                starts = datetime.combine(day, series.starts_at, tzinfo=local)
                events[(series.pk, day)] = _meeting_event(series, starts, now)
    held = Meeting.objects.filter(series__in=series_list, date__gte=today - timedelta(days=BEHIND_DAYS),
                                  date__lt=today + timedelta(days=AHEAD_DAYS)).select_related("series", "series__chair")
    for meeting in held:  # a meeting already made keeps its own time
        events[(meeting.series_id, meeting.date)] = _meeting_event(meeting.series, meeting.starts_at, now)
    return [events[key] for key in sorted(events, key=lambda key: (key[1], key[0]))]


def _tasks(viewer) -> list[Task]:
    if viewer.user_id is None:
        return []
    return list(Task.objects.filter(assignee_id=viewer.user_id, due_date__isnull=False)
                .exclude(status__in=FINISHED).order_by("due_date", "pk"))


def _task_event(task: Task, now: datetime) -> Event:
    event = Event()
    event.add("uid", f"task-{task.pk}@saferplace")
    event.add("summary", f"Task due: {task.title}")
    event.add("dtstart", task.due_date)
    event.add("dtend", task.due_date + timedelta(days=1))
    event.add("dtstamp", now)
    event.add("transp", "TRANSPARENT")
    return event


def calendar_ics(*, viewer, today: date | None = None) -> bytes:
    """The viewer's calendar: their series' meetings and their tasks' due dates (audited)."""
    if not viewer.is_active_person:
        raise NotAllowed("Only a person has a calendar.")
    now = timezone.now().replace(microsecond=0)
    today = today or timezone.localdate()
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "SaferPlace")
    for event in _meetings(viewer, today, now):
        calendar.add_component(event)
    tasks = _tasks(viewer)
    for task in tasks:
        calendar.add_component(_task_event(task, now))
    audit_record(viewer=viewer, action=AuditAction.VIEW, object_type="tasking.task",
                 object_repr=f"calendar of {viewer.name}: meetings and {len(tasks)} task due dates"[:300],
                 record_ids=[task.pk for task in tasks], details={"calendar": True})
    return calendar.to_ical()


def calendar_feed_ics(*, token: str, address: str = "", user_agent: str = "", today: date | None = None) -> bytes:
    """The calendar behind a private link, as its person; `NotFound` for a link that is not (or
    no longer) one, or whose person cannot sign in."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > TOKEN_LENGTH_MOST:
        raise NotFound("There is no such calendar.", record_type="meetings.calendarfeed")
    feed = CalendarFeed.objects.select_related("user", "user__organisation").filter(token_hash=_hash(token)).first()
    if feed is None or not feed.user.is_active or _switched_off_since(feed):
        raise NotFound("There is no such calendar.", record_type="meetings.calendarfeed")
    reader = viewer_for(feed.user, context=AuditContext(channel=FEED_CHANNEL, address=address, user_agent=user_agent))
    return calendar_ics(viewer=reader, today=today)


def _switched_off_since(feed: CalendarFeed) -> bool:
    """Whether the person's account was switched off after the link was made: switching an
    account off ends its sessions and tokens, and its calendar link too (switched on again, they
    make a new one)."""
    return UserEvent.objects.filter(record_id=feed.user_id, kind=UserEventKind.DEACTIVATED,
                                    at__gte=feed.created_at).exists()


def calendar_feed_get(*, viewer) -> CalendarFeed | None:
    """The viewer's private link, if they made one (its secret is not kept)."""
    if not viewer.is_active_person:
        raise NotAllowed("Only a person has a calendar.")
    return CalendarFeed.objects.filter(user_id=viewer.user_id).first()


@transaction.atomic
def calendar_feed_make(*, viewer) -> tuple[CalendarFeed, str]:
    """Make the viewer's private calendar link, replacing any earlier one (which stops working).
    Returns the record and the secret, which is not kept."""
    if not viewer.is_active_person:
        raise NotAllowed("Only a person has a calendar.")
    replaced = CalendarFeed.objects.filter(user_id=viewer.user_id).delete()[0] > 0
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=viewer.user, token_hash=_hash(token))
    audit_record(viewer=viewer, action=AuditAction.CREATE, obj=feed, details={"replaced": replaced})
    return feed, token


@transaction.atomic
def calendar_feed_remove(*, viewer) -> bool:
    """Stop the viewer's private link working."""
    if not viewer.is_active_person:
        raise NotAllowed("Only a person has a calendar.")
    feed = CalendarFeed.objects.filter(user_id=viewer.user_id).first()
    if feed is None:
        return False
    audit_record(viewer=viewer, action=AuditAction.DELETE, obj=feed)
    feed.delete()
    return True

