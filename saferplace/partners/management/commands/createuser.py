"""`saferplace createuser`: add a person who can sign in, as the operator (they set up two-factor
sign-in at their first sign-in). A password typed here is known to the operator, so the person
must change it when they first sign in, unless --keep-password says the operator is creating
their own account."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from saferplace.partners.models import Organisation, OrganisationKind, Role
from saferplace.partners.services import organisation_save, user_create
from saferplace.partners.viewer import operator_viewer


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
        parser.add_argument("--keep-password", action="store_true",
                            help="Only for your own account: no change of password at the first sign-in.")

    def handle(self, *args, username, organisation, organisation_kind, role, password, keep_password, **options):
        viewer = operator_viewer()
        try:
            org = Organisation.objects.filter(name__iexact=organisation).first()
            if org is None:
                org = organisation_save(viewer=viewer, name=organisation, kind=organisation_kind)
                self.stdout.write(f"Created organisation {org.name}.")
            if not password:
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Password (again): "):
                    raise CommandError("The two passwords are not the same.")
            user = user_create(
                viewer=viewer, username=username, password=password, organisation=org, role=role,
                email=options["email"], first_name=options["first_name"], last_name=options["last_name"],
                must_change_password=not keep_password,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        then = "" if keep_password else " choose their own password and"
        self.stdout.write(self.style.SUCCESS(
            f"Created {user.username} ({user.get_role_display()}, {org.name}). "
            f"They{then} set up two-factor sign-in the first time they sign in."
        ))
