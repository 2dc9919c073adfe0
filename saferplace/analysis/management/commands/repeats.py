"""`saferplace repeats [--category SLUG]… [--place CODE] [--end DATE] [--format table|json]`:
repeat locations and repeat victims (by pseudonym) by the partnership's rules (as the operator:
every incident)."""

import json

from django.core.management.base import BaseCommand

from saferplace.analysis.management.arguments import day, found_or_error, table
from saferplace.analysis.repeat_selectors import repeats_find
from saferplace.incidents.selectors import IncidentFilters
from saferplace.partners.viewer import operator_viewer


class Command(BaseCommand):
    help = "Find repeat locations and repeat victims: the same place or person again and again, by the partnership's rules."

    def add_arguments(self, parser):
        parser.add_argument("--category", action="append", default=[], metavar="SLUG")
        parser.add_argument("--place", default="", metavar="CODE")
        parser.add_argument("--end", metavar="DATE", help="the last day (default: the latest incident dated to the day)")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, category, place, end, format, **options):
        found = found_or_error(repeats_find, viewer=operator_viewer(), end=day(end),
                               filters=IncidentFilters(categories=tuple(category), place_code=place))
        if format == "json":
            self.stdout.write(json.dumps(found, indent=2))
            return
        self.stdout.write(f"{len(found['repeat_locations'])} repeat locations to {found['parameters']['end']}")
        for line in table(found["repeat_locations"], [("place", "place", ""), ("incidents", "count", ","),
                                                      ("first", "first", ""), ("last", "last", ""), ("rule", "rule", "")]):
            self.stdout.write(line)
        self.stdout.write(f"{len(found['repeat_victims'])} repeat victims (pseudonyms; the incidents name them)")
        for line in table(found["repeat_victims"], [("person", "person", ""), ("organisation", "organisation", ""),
                                                    ("incidents", "count", ","), ("first", "first", ""),
                                                    ("last", "last", ""), ("rule", "rule", "")]):
            self.stdout.write(line)
