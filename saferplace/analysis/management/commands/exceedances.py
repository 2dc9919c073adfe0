"""`saferplace exceedances [--days N] [--end DATE] [--category SLUG]… [--place CODE] [--fdr RATE]
[--all] [--format table|json]`: wards and categories whose last days exceed their seasonal
expectation, the false discovery rate controlled (as the operator: every incident)."""

import json

from django.core.management.base import BaseCommand

from saferplace.analysis.getis_ord import ALPHA
from saferplace.analysis.management.arguments import day, found_or_error, table
from saferplace.analysis.selectors import exceedances_find
from saferplace.incidents.selectors import IncidentFilters
from saferplace.partners.viewer import operator_viewer


class Command(BaseCommand):
    help = "Find short-term exceedances: the last days per ward and category against a seasonal expectation."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="how many days to the end (default 7)")
        parser.add_argument("--end", metavar="DATE", help="the last day (default: the latest incident dated to the day)")
        parser.add_argument("--category", action="append", default=[], metavar="SLUG")
        parser.add_argument("--place", default="", metavar="CODE")
        parser.add_argument("--fdr", type=float, default=ALPHA, help=f"the false discovery rate (default {ALPHA})")
        parser.add_argument("--all", action="store_true", dest="every_test", help="every ward and category tested")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, days, end, category, place, fdr, every_test, format, **options):
        found = found_or_error(exceedances_find, viewer=operator_viewer(), days=days, end=day(end), alpha=fdr,
                               every_test=every_test,
                               filters=IncidentFilters(categories=tuple(category), place_code=place))
        if format == "json":
            self.stdout.write(json.dumps(found, indent=2))
            return
        parameters = found["parameters"]
        self.stdout.write(f"{len(found['exceedances'])} of {parameters['tests']:,} wards and categories, "
                          f"{parameters['from']} to {parameters['end']} (false discovery rate {parameters['false_discovery_rate']})")
        for line in table(found["exceedances"], [("ward", "place", ""), ("category", "category_name", ""),
                                                 ("seen", "observed", ","), ("expected", "expected", ".1f"),
                                                 ("q", "q_value", ".2g")]):
            self.stdout.write(line)
