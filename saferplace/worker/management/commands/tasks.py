"""`saferplace tasks list [--failed]` and `saferplace tasks retry TASK_ID`: the background
tasks, and queueing a failed one again (as the operator). An import is better retried with
`saferplace import retry RUN_ID`, which keeps its run.

`saferplace tasks overdue [--date D] [--format table|json]`: the partnership's tasks (the
tasking app's: what people were asked to do) due before that day and not finished.
`saferplace tasks escalate`: apply the escalation rules now, as the worker does every 15 minutes."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from saferplace.errors import NotFound
from saferplace.partners.viewer import operator_viewer
from saferplace.tasking.escalation import tasks_escalate
from saferplace.tasking.selectors import tasks_overdue_report
from saferplace.worker.services import task_list, task_retry


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date: write it as YYYY-MM-DD, like 2026-11-28") from None
    if not 1900 <= day.year <= 2100:
        raise CommandError(f"{text!r} is out of range: choose a date from 1900 to 2100")
    return day


class Command(BaseCommand):
    help = "Background tasks (list, retry a failed one), and the partnership's overdue tasks (overdue)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the latest 100 background tasks")
        listing.add_argument("--failed", action="store_true", help="only failed ones")
        retry = sub.add_parser("retry", help="queue a failed background task again")
        retry.add_argument("task_id")
        overdue = sub.add_parser("overdue", help="tasks people were given, due before a day and not finished")
        overdue.add_argument("--date", dest="on", metavar="DATE", help="overdue on this day (YYYY-MM-DD; default today)")
        overdue.add_argument("--format", choices=["table", "json"], default="table")
        sub.add_parser("escalate", help="apply the escalation rules now (the worker does every 15 minutes)")

    def handle(self, *args, action, **options):
        viewer = operator_viewer()
        if action == "overdue":
            self._overdue(viewer, on=_day(options["on"]), format=options["format"])
            return
        if action == "escalate":
            fired = tasks_escalate(viewer=viewer)
            self.stdout.write(f"{len(fired)} escalation{'' if len(fired) == 1 else 's'}: " + (", ".join(
                f"task {escalation.task_id} ({escalation.rule.name})" for escalation in fired) or "none due."))
            return
        if action == "list":
            for result in task_list(viewer=viewer, status="FAILED" if options["failed"] else ""):
                when = timezone.localtime(result.enqueued_at).strftime("%Y-%m-%d %H:%M")
                self.stdout.write(f"{result.id}  {when}  {result.status:<10} {result.task_path}")
            return
        try:
            again = task_retry(viewer=viewer, task_id=options["task_id"])
        except (NotFound, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Queued again as task {again.id}; `saferplace worker` will run it."))

    def _overdue(self, viewer, *, on: date | None, format: str) -> None:
        report = tasks_overdue_report(viewer=viewer, on=on)
        if format == "json":
            self.stdout.write(json.dumps(report, indent=2))
            return
        rows = report["tasks"]
        if not rows:
            self.stdout.write(f"No task is overdue on {report['on']}.")
            return
        self.stdout.write(f"{len(rows)} task{'s' if len(rows) != 1 else ''} overdue on {report['on']}:")
        for row in rows:
            late = f"{row['days_overdue']} day{'s' if row['days_overdue'] != 1 else ''} late"
            with_whom = row["assignee"] or (f"{row['team']} (nobody yet)" if row["team"] else "nobody yet")
            self.stdout.write(f"{row['id']:>6}  due {row['due_date']}  {late:<12} {row['priority']:<7} "
                              f"{row['title']}: {row['organisation']}, {with_whom}")
