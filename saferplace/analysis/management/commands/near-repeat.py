"""`saferplace near-repeat [--category SLUG]… [--place CODE] [--from DATE] [--to DATE]
[--permutations N] [--format table|json]`: the Knox test for near repeats as the Near Repeat
Calculator shows it, and the live risk areas (as the operator: every incident)."""

import json

from django.core.management.base import BaseCommand

from saferplace.analysis.management.arguments import day, found_or_error, table
from saferplace.analysis.repeat_selectors import near_repeat_find
from saferplace.incidents.selectors import IncidentFilters
from saferplace.partners.viewer import operator_viewer


class Command(BaseCommand):
    help = "Test for near repeats (Knox, Monte Carlo) and list the live near-repeat risk areas."

    def add_arguments(self, parser):
        parser.add_argument("--category", action="append", default=[], metavar="SLUG")
        parser.add_argument("--place", default="", metavar="CODE")
        parser.add_argument("--from", dest="date_from", metavar="DATE")
        parser.add_argument("--to", dest="date_to", metavar="DATE")
        parser.add_argument("--permutations", type=int, default=99)
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, category, place, date_from, date_to, permutations, format, **options):
        filters = IncidentFilters(categories=tuple(category), place_code=place, date_from=day(date_from),
                                  date_to=day(date_to))
        found = found_or_error(near_repeat_find, viewer=operator_viewer(), filters=filters, permutations=permutations)
        if format == "json":
            self.stdout.write(json.dumps(found, indent=2))
            return
        near = found["near_repeat"]
        self.stdout.write(f"{found['parameters']['incidents']:,} incidents, {permutations} permutations. "
                          + (f"Near repeats stand out within {near['metres']:g} m and {near['days']} days: "
                             f"{len(found['risk_areas'])} live risk areas." if near["days"] else "No near-repeat pattern."))
        rows = [{**cell, "ratio": cell["ratio"] if cell["ratio"] is not None else float("nan")} for cell in found["knox"]]
        for line in table(rows, [("distance", "distance", ""), ("time", "time", ""), ("observed", "observed", ","),
                                 ("expected", "expected", ".1f"), ("ratio", "ratio", ".2f"), ("p", "p_value", ".3f")]):
            self.stdout.write(line)
