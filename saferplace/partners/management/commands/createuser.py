"""`saferplace createuser`: add a person who can sign in (they set up two-factor sign-in at first
sign-in)."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from saferplace.partners.models import Organisation, OrganisationKind, Role
from saferplace.partners.services import organisation_save, user_create


class Command(BaseCommand):
    help = "Create a SaferPlace user in an organisation, with a role."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="Organisation name (created if new).")
        parser.add_argument("--organisation-kind", choices=OrganisationKind.values, default=OrganisationKind.COUNCIL)
        parser.add_argument("--role", choices=Role.values, required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--password", help="Prompted for when not given.")

    def handle(self, *args, username, organisation, organisation_kind, role, password, **options):
        org = Organisation.objects.filter(name__iexact=organisation).first()
        if org is None:
            org = organisation_save(actor=None, name=organisation, kind=organisation_kind)
            self.stdout.write(f"Created organisation {org.name}.")
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords are not the same.")
        try:
            user = user_create(
                actor=None, username=username, password=password, organisation=org, role=role,
                email=options["email"], first_name=options["first_name"], last_name=options["last_name"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Created {user.username} ({user.get_role_display()}, {org.name}). "
            "They set up two-factor sign-in the first time they sign in."
        ))
