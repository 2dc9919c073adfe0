"""Sharing agreements, as the operator:

    saferplace agreements due    the agreements in force that end, or are due for review, within
                                 AGREEMENT_WARNING_DAYS (what the administrators' banner lists)
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from saferplace.partners.selectors import agreements_due
from saferplace.partners.viewer import operator_viewer


class Command(BaseCommand):
    help = "Sharing agreements: those ending or due for review soon."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("due", help=f"Agreements in force that end or are due for review within "
                                   f"AGREEMENT_WARNING_DAYS ({settings.AGREEMENT_WARNING_DAYS} days).")

    def handle(self, *args, action, **options):
        due = agreements_due(viewer=operator_viewer())
        if not due:
            self.stdout.write(f"No agreement in force ends or is due for review within "
                              f"{settings.AGREEMENT_WARNING_DAYS} days.")
            return
        for item in due:
            self.stdout.write(f"{item.summary} ({item.agreement.title}; parties: "
                              f"{', '.join(party.name for party in item.agreement.parties.all())})")
