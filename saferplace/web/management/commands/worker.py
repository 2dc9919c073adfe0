"""`saferplace worker`: run background tasks (imports, recomputation, checks) from the database
queue. Any number of workers can run beside the web server."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker (Django Tasks, database-backed)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run the tasks waiting now, then stop.")
        parser.add_argument("--queue-name", default="default")

    def handle(self, *args, batch, queue_name, **options):
        if settings.MIGRATE_ON_START:
            call_command("migrate", interactive=False, verbosity=0)
        arguments = ["--queue-name", queue_name, "--interval", "1"]
        if batch:
            arguments.append("--batch")
        call_command("db_worker", *arguments)
