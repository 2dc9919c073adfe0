"""`saferplace tasks list [--failed]` and `saferplace tasks retry TASK_ID`: the background
tasks, and queueing a failed one again (as the operator). An import is better retried with
`saferplace import retry RUN_ID`, which keeps its run."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from saferplace.errors import NotFound
from saferplace.partners.viewer import operator_viewer
from saferplace.worker.services import task_list, task_retry


class Command(BaseCommand):
    help = "List background tasks, or retry a failed one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the latest 100 tasks")
        listing.add_argument("--failed", action="store_true", help="only failed ones")
        retry = sub.add_parser("retry", help="queue a failed task again")
        retry.add_argument("task_id")

    def handle(self, *args, action, **options):
        viewer = operator_viewer()
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
