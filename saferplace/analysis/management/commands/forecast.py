"""`saferplace forecast --period YYYY-MM [--category SLUG]… [--place CODE] [--resolution N]
[--limit N] [--format table|json|geojson]`: next period's prospective hotspots (ProMap), ranked;
`saferplace forecast --evaluate [--months N]`: how it did on the last months it never saw,
against last period's counts (hit rate and PAI). As the operator: every incident."""

import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from saferplace.analysis.management.arguments import as_json, found_or_error, whole
from saferplace.analysis.selectors import forecast_evaluate, forecast_find
from saferplace.incidents.selectors import IncidentFilters
from saferplace.partners.viewer import operator_viewer


class Command(BaseCommand):
    help = "Forecast next period's hotspots (ProMap), or judge the forecast on past months against last period's counts."

    def add_arguments(self, parser):
        parser.add_argument("--period", metavar="YYYY-MM", help="the month to forecast")
        parser.add_argument("--evaluate", action="store_true", help="judge the forecast on the last months instead")
        parser.add_argument("--months", type=whole(1, 24), default=4, help="how many months to judge it on (1 to 24, default 4)")
        parser.add_argument("--category", action="append", default=[], metavar="SLUG")
        parser.add_argument("--place", default="", metavar="CODE")
        parser.add_argument("--resolution", type=int, default=None)
        parser.add_argument("--limit", type=whole(1, 10_000), default=50, help="how many cells (default 50)")
        parser.add_argument("--format", choices=["table", "json", "geojson"], default="table")

    def handle(self, *args, period, evaluate, months, category, place, resolution, limit, format, **options):
        filters = IncidentFilters(categories=tuple(category), place_code=place)
        viewer = operator_viewer()
        if evaluate:
            found = found_or_error(forecast_evaluate, viewer=viewer, filters=filters, resolution=resolution,
                                   periods=months)
            if format != "table":
                self.stdout.write(json.dumps(found, indent=2))
                return
            for method, shares in found["means"].items():
                self.stdout.write(f"{method:<12} " + "  ".join(f"{float(share):.0%}: hit rate {figures['hit_rate']:.1%}, "
                                                               f"PAI {figures['pai']:.1f}" for share, figures in shares.items()))
            return
        try:
            month = datetime.strptime(period or "", "%Y-%m").date()
        except ValueError:
            raise CommandError("Give the month to forecast as --period YYYY-MM (or --evaluate)") from None
        found = found_or_error(forecast_find, viewer=viewer, filters=filters, period=month, resolution=resolution,
                               limit=max(1, min(limit, 1000)))
        if format != "table":
            self.stdout.write(as_json(found, "cells", format))
            return
        for rank, cell in enumerate(found["cells"], start=1):
            self.stdout.write(f"{rank:>4}. {cell['score']:10.2f}  {cell['h3_cell']}  {cell['latitude']}, {cell['longitude']}")
