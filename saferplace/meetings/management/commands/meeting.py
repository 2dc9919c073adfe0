"""`saferplace meeting prepare [--series NAME] [--date D] [--format table|json]`: draft (or bring
up to date) the agenda of a series' next meeting on or after the day, as the worker does each
morning, and print it. As the operator; the analysis is read as the series' chair may see it."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from saferplace.analysis.management.arguments import day
from saferplace.errors import NotAllowed, NotFound
from saferplace.meetings.agenda import agenda_prepare
from saferplace.meetings.models import MeetingSeries
from saferplace.meetings.selectors import agenda, series_named
from saferplace.partners.viewer import operator_viewer

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def agenda_as_data(viewer, meeting) -> dict:
    """The agenda as `--format json` prints it."""
    series = meeting.series
    return {
        "meeting": {"id": meeting.pk, "series": series.name, "kind": series.get_kind_display(),
                    "date": meeting.date.isoformat(), "starts_at": meeting.starts_at.isoformat(),
                    "status": meeting.status, "chair": series.chair.display_name, "video_link": series.video_link},
        "items": [{"title": shown.item.title, "kind": shown.item.kind, "place": shown.item.where,
                   "score": shown.item.score, "reasons": shown.item.reasons, "source": shown.item.source,
                   "why": shown.entry.why, "state": shown.item.state.name}
                  for shown in agenda(viewer=viewer, meeting=meeting)],
    }


class Command(BaseCommand):
    help = "Draft the agenda of a meeting series' next meeting and print it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        prepare = sub.add_parser("prepare", help="draft the next meeting's agenda (again: adds what is new)")
        prepare.add_argument("--series", default="", metavar="NAME", help="the series (needed when there are several)")
        prepare.add_argument("--date", default="", metavar="DATE", help="the meeting on or after this day (YYYY-MM-DD)")
        prepare.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, action, series, date, format, **options):
        viewer = operator_viewer()
        on = day(date)
        if on is not None and not EARLIEST <= on <= LATEST:
            raise CommandError(f"{on.isoformat()} is out of range: choose a day from {EARLIEST.year} to {LATEST.year}.")
        chosen = self._series(viewer, series)
        try:
            drafted = agenda_prepare(viewer=viewer, series=chosen, on=on)
        except (ValueError, NotAllowed) as refused:
            raise CommandError(str(refused)) from None
        found = agenda_as_data(viewer, drafted.meeting)
        if format == "json":
            self.stdout.write(json.dumps(found, indent=2))
            return
        meeting = found["meeting"]
        self.stdout.write(f"{meeting['series']}, {drafted.meeting.date:%A %-d %B %Y} at "
                          f"{drafted.meeting.starts_at:%H:%M} ({drafted.added} new on the agenda)")
        if not found["items"]:
            self.stdout.write("Nothing on the agenda yet.")
        for number, item in enumerate(found["items"], start=1):
            score = f"{item['score']:5.1f}" if item["score"] is not None else "    -"
            self.stdout.write(f"{number:>3}. {score}  {item['title']}  [{item['why']}]")
            for reason in item["reasons"][:3]:
                self.stdout.write(f"              {reason['points']:4.1f}  {reason['why']}")

    def _series(self, viewer, name: str) -> MeetingSeries:
        if name:
            try:
                return series_named(viewer=viewer, name=name)
            except NotFound as missing:
                raise CommandError(str(missing)) from None
        active = list(MeetingSeries.objects.filter(active=True).order_by("name"))
        if len(active) == 1:
            return active[0]
        if not active:
            raise CommandError("There is no meeting series yet: the demo makes one, or set one up in the browser.")
        raise CommandError("There are several series; choose one with --series: "
                           + ", ".join(repr(series.name) for series in active))
