"""`saferplace hotspots [--category SLUG]… [--place CODE] [--from DATE] [--to DATE]
[--resolution N] [--by count|harm] [--fdr RATE] [--all] [--format table|json|geojson]`: where
the chosen incidents cluster more than chance would have them (Getis-Ord Gi*, the false
discovery rate controlled), as the operator sees them: every incident in the store."""

from django.core.management.base import BaseCommand

from saferplace.analysis.management.arguments import (
    add_choices,
    as_json,
    chosen,
    found_or_error,
    table,
)
from saferplace.analysis.selectors import hotspots_find
from saferplace.partners.viewer import operator_viewer


class Command(BaseCommand):
    help = "Find hotspots: where incidents cluster more than chance (Getis-Ord Gi* on H3 cells)."

    def add_arguments(self, parser):
        add_choices(parser)

    def handle(self, *args, **options):
        found = found_or_error(hotspots_find, viewer=operator_viewer(), **chosen(options))
        if options["format"] != "table":
            self.stdout.write(as_json(found, "hotspots", options["format"]))
            return
        parameters = found["parameters"]
        self.stdout.write(f"{len(found['hotspots'])} of {parameters['cells_tested']:,} cells at resolution "
                          f"{parameters['resolution']} ({parameters['incidents']:,} incidents, by {parameters['by']}; "
                          f"false discovery rate {parameters['false_discovery_rate']})")
        for line in table(found["hotspots"], [("where", "places", ""), ("kind", "kind", ""), ("count", "count", ","),
                                              ("expected", "expected", ".1f"), ("z", "z", ".2f"), ("q", "q_value", ".2g")]):
            self.stdout.write(line)
