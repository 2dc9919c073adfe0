"""`saferplace emerging [--interval week|month] [--category SLUG]… [--place CODE] [--from DATE]
[--to DATE] [--resolution N] [--by count|harm] [--fdr RATE] [--all] [--format
table|json|geojson]`: emerging hot spots (new, intensifying, persistent, … hot and cold), each
location with its trend and its series, as the operator sees them."""

from django.core.management.base import BaseCommand

from saferplace.analysis.management.arguments import (
    add_choices,
    as_json,
    chosen,
    found_or_error,
    table,
)
from saferplace.analysis.selectors import emerging_find
from saferplace.incidents.selectors import INTERVALS
from saferplace.partners.viewer import operator_viewer


class Command(BaseCommand):
    help = "Find emerging hot spots: what is new, growing or fading, by week or month (space-time Gi*, Mann-Kendall)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", choices=INTERVALS, default="month", help="the time step (default: month)")
        add_choices(parser)

    def handle(self, *args, **options):
        found = found_or_error(emerging_find, viewer=operator_viewer(), interval=options["interval"], **chosen(options))
        if options["format"] != "table":
            self.stdout.write(as_json(found, "locations", options["format"]))
            return
        parameters = found["parameters"]
        self.stdout.write(f"{len(found['locations'])} of {parameters['locations_tested']:,} locations with a pattern, "
                          f"{parameters['steps']} {parameters['interval']}s from {parameters['periods'][0]} to "
                          f"{parameters['periods'][1]} ({parameters['incidents']:,} incidents, by {parameters['by']})")
        rows = [{**row, "series": "".join({"hot": "+", "cold": "-"}.get(step["spot"], ".") for step in row["bins"])}
                for row in found["locations"]]
        for line in table(rows, [("where", "places", ""), ("pattern", "pattern", ""), ("count", "count", ","),
                                 ("trend z", "trend_z", ".2f"), ("hot + / cold -", "series", "")]):
            self.stdout.write(line)
