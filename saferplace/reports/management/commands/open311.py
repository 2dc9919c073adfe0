"""Open311 API keys for client applications, as the operator:

    saferplace open311 key create --name CLIENT [--organisation NAME] [--per-minute N]
    saferplace open311 key list
    saferplace open311 key revoke --name CLIENT

`create` prints the key alone on standard output (so a script can keep it: it is not shown
again), and what it is to standard error."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from saferplace.errors import NotAllowed, NotFound
from saferplace.partners.selectors import organisation_named
from saferplace.partners.viewer import operator_viewer
from saferplace.reports.keys import api_key_create, api_key_list, api_key_revoke


class Command(BaseCommand):
    help = "Manage Open311 API keys (saferplace open311 key create|list|revoke)."

    def add_arguments(self, parser):
        things = parser.add_subparsers(dest="thing", required=True)
        key = things.add_parser("key", help="API keys of Open311 client applications.")
        sub = key.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a key for a client application; prints it once.")
        create.add_argument("--name", required=True, help="The client application, e.g. 'Riverford app'")
        create.add_argument("--organisation", help="A partner whose system it is: it may then update that "
                                                   "partner's reports")
        create.add_argument("--per-minute", type=int, default=600, help="Requests a minute (default 600)")
        sub.add_parser("list", help="Every key: its client, partner, limit, when last used, whether revoked.")
        revoke = sub.add_parser("revoke", help="Stop a key working.")
        revoke.add_argument("--name", required=True)

    def handle(self, *args, thing, action, **options):
        viewer = operator_viewer()
        try:
            getattr(self, action)(viewer, **options)
        except (ValueError, NotFound, NotAllowed) as error:
            raise CommandError(str(error)) from error

    def create(self, viewer, *, name, organisation, per_minute, **options):
        partner = None
        if organisation:
            partner = organisation_named(organisation)
            if partner is None:
                raise CommandError(f"There is no organisation called {organisation!r}.")
        record, key = api_key_create(viewer=viewer, name=name, organisation=partner, per_minute=per_minute)
        for_whom = f" for {partner.name}" if partner else ""
        self.stderr.write(f"Open311 key {record.name!r}{for_whom}, {record.per_minute} requests a minute. "
                          f"Keep it secret; it is not shown again.")
        self.stdout.write(key)

    def list(self, viewer, **options):
        self.stdout.write(f"{'name':<30} {'organisation':<36} {'a minute':>8}  {'last used':<16} state")
        for record in api_key_list(viewer=viewer):
            used = f"{timezone.localtime(record.last_used_at):%Y-%m-%d %H:%M}" if record.last_used_at else "never"
            state = f"revoked {timezone.localtime(record.revoked_at):%Y-%m-%d}" if record.revoked_at else "in use"
            organisation = record.organisation.name if record.organisation_id else "(any client)"
            self.stdout.write(f"{record.name[:30]:<30} {organisation[:36]:<36} {record.per_minute:>8}  {used:<16} {state}")

    def revoke(self, viewer, *, name, **options):
        record = api_key_revoke(viewer=viewer, name=name)
        self.stdout.write(self.style.SUCCESS(f"The key {record.name!r} no longer works."))
