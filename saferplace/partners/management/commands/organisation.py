"""The partnership's organisations, as the operator (each change audited under the operator's name):

    saferplace organisation create NAME --kind police|council|fire|… [--short-name SHORT]
    saferplace organisation list

A new organisation owns no records and is party to no sharing agreement; add its people with
`saferplace createuser`, its agreements in the web."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from saferplace.partners.models import OrganisationKind
from saferplace.partners.selectors import organisation_list
from saferplace.partners.services import organisation_save
from saferplace.partners.viewer import operator_viewer


class Command(BaseCommand):
    help = "Add a partner organisation, or list them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = sub.add_parser("create", help="Add a partner organisation.")
        create.add_argument("name", metavar="NAME", help="its full name, e.g. \"Fenshire Police\"")
        create.add_argument("--kind", required=True, choices=OrganisationKind.values,
                            help="what kind of organisation it is")
        create.add_argument("--short-name", default="", help="e.g. PCC (optional)")
        sub.add_parser("list", help="Every organisation: its kind and how many people it has.")

    def handle(self, *args, action, **options):
        viewer = operator_viewer()
        if action == "create":
            try:
                organisation = organisation_save(viewer=viewer, name=options["name"], kind=options["kind"],
                                                 short_name=options["short_name"])
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
            self.stdout.write(self.style.SUCCESS(
                f"Added {organisation.name} ({organisation.get_kind_display().lower()}), organisation {organisation.pk}."
            ))
            return
        organisations = list(organisation_list(viewer=viewer).order_by("name"))
        width = max((len(organisation.name) for organisation in organisations), default=4)
        self.stdout.write(f"{'id':>5}  {'name':<{width}}  {'short name':<10}  {'kind':<16}  people")
        for organisation in organisations:
            self.stdout.write(
                f"{organisation.pk:>5}  {organisation.name:<{width}}  {organisation.short_name:<10}  "
                f"{organisation.get_kind_display():<16}  {organisation.user_count:>6}"
            )
