"""`saferplace demo [--size N] [--seed N] [--replace] [--no-serve] [--port N]`: migrate, build
the demo city of Riverford if this database has none (`--size 272` is ten million incidents: the
build's time grows with the size, its memory does not; a build that stopped part-way is found,
and replaced with --replace), show how to sign in as its personas and
which of them uploads which of its source files (DATA_DIR/demo-sources),
and run the site: the web server (`saferplace serve`) and the background worker (`saferplace
worker`, which runs the imports uploaded in the browser) together, as child processes of this
one. Ctrl-C stops both; if either stops, so does the other (saferplace/cli/processes.py)."""

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from saferplace.cli.processes import run_together, saferplace_command
from saferplace.demo import demo_city_build, demo_city_exists, demo_city_unfinished
from saferplace.demo.personas import DEMO_PASSWORD, DEMO_TOTP_BASE32, PERSONAS
from saferplace.demo.source_files import DEMO_UPLOADS
from saferplace.partners.models import User


class Command(BaseCommand):
    help = "Build the demo city of Riverford (synthetic data only) and run SaferPlace: web server and worker."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=float, default=1.0, help="scale of the incident data (1: about 37,000 records; 272: about ten million)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed of the incident data")
        parser.add_argument("--months", type=int, default=12,
                            help="how many months of incidents, up to the last complete one (default 12; size is per year)")
        parser.add_argument("--replace", action="store_true", help="delete the demo city already here and build it again")
        parser.add_argument("--no-serve", action="store_true",
                            help="build and stop, without running the web server and the worker")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args, size, seed, replace, no_serve, port, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo city is not built in production: its personas share a published "
                               "password and two-factor secret (SAFERPLACE_ENV=production).")
        console = Console(file=self.stdout._out)
        if not console.is_terminal:
            console.width = 140
        call_command("migrate", interactive=False, verbosity=0)
        if demo_city_unfinished() and not replace:
            raise CommandError("A build of the demo city stopped part-way in this database (its places are here, "
                               "its personas are not): run saferplace demo --replace to build it again.")
        if demo_city_exists() and not replace:
            console.print("The demo city of Riverford is already in this database; keeping it "
                          "(use [bold]--replace[/bold] to build it again).")
        else:
            console.print(f"Building the demo city of Riverford (size {size:g}, seed {seed})…")
            try:
                summary = demo_city_build(size=size, seed=seed, replace=replace, progress=options["verbosity"] > 0,
                                          months=options["months"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            console.print(
                f"Built Riverford: {summary.population:,} residents in {summary.places.get('lsoa', 0)} LSOAs, "
                f"{summary.places.get('ward', 0)} wards and {summary.places.get('community', 0)} communities, "
                f"{summary.streets:,} streets; "
                f"{summary.organisations} organisations, {summary.agreements} sharing agreements and "
                f"{summary.incidents:,} incidents from {summary.period_start:%-d %B %Y} to {summary.period_end:%-d %B %Y}."
            )
        console.print(personas_table())
        console.print(
            f"Every persona's password is [bold]{DEMO_PASSWORD}[/bold]. For the two-factor code run "
            f"[bold]saferplace demo-code[/bold], or add the key {DEMO_TOTP_BASE32} to an authenticator app.\n"
            "A role that opens a special category (practitioner, chair) given by admin.council waits for a second "
            "administrator: sign in as admin2.council to approve it.\n"
            "Everything in the demo is made up: no real person, place or record."
        )
        console.print(uploads_table(settings.DATA_DIR / "demo-sources"))
        console.print(
            "Upload one on the Imports page as the persona named (a partner's file with its mapping profile). "
            "The other files in partners/ are the fire service's, the CVS's, the health trust's and the police's "
            "domestic abuse and safeguarding records, which no demo persona may import: "
            "[bold]saferplace import profile PROFILE FILE[/bold] imports them as the operator."
        )
        if not no_serve:
            console.print("Starting the web server and the background worker…")
            status = run_together(
                {"web server": saferplace_command("serve", "--port", str(port)),
                 "worker": saferplace_command("worker")},
                # Migrated above, once; the links residents are sent name the port the demo serves on.
                environment={"MIGRATE_ON_START": "false",
                             "SAFERPLACE_PUBLIC_URL": os.environ.get("SAFERPLACE_PUBLIC_URL") or f"http://localhost:{port}"},
                say=console.print,
            )
            if status:
                sys.exit(status)


def uploads_table(directory: Path) -> Table:
    """Where the partners' files the demo imported are, and which persona may upload which."""
    table = Table(title=f"The demo's source files, in {directory}")
    for column in ("Files", "What they are", "Upload as"):
        table.add_column(column, no_wrap=column == "Files")
    for upload in DEMO_UPLOADS:
        what = f"{upload.what} (profile {upload.profile})" if upload.profile else upload.what
        table.add_row(upload.files, what, upload.persona)
    return table


def personas_table() -> Table:
    table = Table(title="Demo personas (synthetic)")
    for column in ("Username", "Name", "Role", "Organisation", "Password"):
        table.add_column(column, no_wrap=column in ("Username", "Password"))
    users = {user.username: user for user in User.objects.filter(is_demo_persona=True).select_related("organisation")}
    for persona in PERSONAS:
        user = users.get(persona.username)
        if user is None:
            continue
        table.add_row(user.username, user.display_name, user.get_role_display(), str(user.organisation), DEMO_PASSWORD)
    return table
