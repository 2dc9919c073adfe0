"""`saferplace hotspots [--category SLUG]… [--place CODE] [--from DATE] [--to DATE]
[--resolution N] [--by count|harm] [--fdr RATE] [--all] [--format table|json|geojson]`: where
the chosen incidents cluster more than chance would have them (Getis-Ord Gi*, the false
discovery rate controlled), as the operator sees them: every incident in the store."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from saferplace.analysis.getis_ord import ALPHA
from saferplace.analysis.selectors import MEASURES, hotspots_find
from saferplace.incidents.geojson import hexagon_polygon
from saferplace.incidents.selectors import IncidentFilters
from saferplace.partners.viewer import operator_viewer


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date: write it as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Find hotspots: where incidents cluster more than chance (Getis-Ord Gi* on H3 cells)."

    def add_arguments(self, parser):
        parser.add_argument("--category", action="append", default=[], metavar="SLUG",
                            help="only this category (repeat for several)")
        parser.add_argument("--place", default="", metavar="CODE", help="only this LSOA, ward or community")
        parser.add_argument("--from", dest="date_from", metavar="DATE", help="from this day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", metavar="DATE", help="to this day, included")
        parser.add_argument("--resolution", type=int, default=None, help="the H3 resolution (default: the stored one)")
        parser.add_argument("--by", choices=MEASURES, default="count", help="count incidents, or add up their harm")
        parser.add_argument("--fdr", type=float, default=ALPHA, help=f"the false discovery rate (default {ALPHA})")
        parser.add_argument("--all", action="store_true", dest="every_cell", help="every cell tested, not only hotspots")
        parser.add_argument("--format", choices=["table", "json", "geojson"], default="table")

    def handle(self, *args, category, place, date_from, date_to, resolution, by, fdr, every_cell, format, **options):
        filters = IncidentFilters(categories=tuple(category), place_code=place,
                                  date_from=_day(date_from) if date_from else None,
                                  date_to=_day(date_to) if date_to else None)
        try:
            found = hotspots_find(viewer=operator_viewer(), filters=filters, resolution=resolution, by=by, alpha=fdr,
                                  every_cell=every_cell)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if format == "json":
            self.stdout.write(json.dumps(found, indent=2))
        elif format == "geojson":
            self.stdout.write(json.dumps({
                "type": "FeatureCollection", "parameters": found["parameters"],
                "features": [{"type": "Feature", "geometry": hexagon_polygon(row["h3_cell"]), "properties": row}
                             for row in found["hotspots"]],
            }, indent=2))
        else:
            self._table(found)

    def _table(self, found: dict) -> None:
        parameters = found["parameters"]
        rows = found["hotspots"]
        self.stdout.write(f"{len(rows)} of {parameters['cells_tested']:,} cells at resolution {parameters['resolution']} "
                          f"({parameters['incidents']:,} incidents, by {parameters['by']}; "
                          f"false discovery rate {parameters['false_discovery_rate']})")
        if not rows:
            return
        width = max(len("where"), *(len(row["places"]) for row in rows))
        self.stdout.write(f"{'where':<{width}}  {'kind':<4}  {'count':>7}  {'expected':>8}  {'z':>7}  {'q':>9}")
        for row in rows:
            self.stdout.write(f"{row['places']:<{width}}  {row['kind']:<4}  {row['count']:>7,}  {row['expected']:>8.1f}  "
                              f"{row['z']:>7.2f}  {row['q_value']:>9.2g}")
