"""`saferplace serve [--port N]`: apply migrations, collect static files in production, and
serve the site with gunicorn (static files through whitenoise)."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve SaferPlace with gunicorn on this machine."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    def handle(self, *args, port, host, workers, **options):
        if settings.MIGRATE_ON_START:
            call_command("migrate", interactive=False, verbosity=0)
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"SaferPlace is at http://{'localhost' if host == '127.0.0.1' else host}:{port}/ (Ctrl+C stops it)"))
        sys.stdout.flush()
        os.execvp(  # noqa: S606 - replaces this process with gunicorn, arguments are ours
            sys.executable,
            [sys.executable, "-m", "gunicorn", "saferplace.wsgi:application",
             "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", "4",
             "--access-logfile", "-", "--forwarded-allow-ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
             # No control socket: SaferPlace does not use one, and gunicorn's default path is one
             # per account, which a second server on the machine would take over.
             "--no-control-socket"],
        )
