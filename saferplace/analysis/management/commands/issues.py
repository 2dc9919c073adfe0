"""`saferplace issues [--place CODE] [--from DATE] [--to DATE] [--resolution N] [--limit N]
[--format table|json]`: the candidate issues, ranked by their threat, risk and harm score, each
with its reasons (as the operator: every incident)."""

import json

from django.core.management.base import BaseCommand

from saferplace.analysis.management.arguments import day, found_or_error, whole
from saferplace.analysis.ranking import issues_rank
from saferplace.incidents.selectors import IncidentFilters
from saferplace.partners.viewer import operator_viewer
from saferplace.words import count_of


class Command(BaseCommand):
    help = "Rank what matters most: hotspots and emerging hot spots scored on a threat, risk and harm matrix, with reasons."

    def add_arguments(self, parser):
        parser.add_argument("--place", default="", metavar="CODE", help="only this LSOA, ward or community")
        parser.add_argument("--from", dest="date_from", metavar="DATE", help="from this day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", metavar="DATE", help="to this day, included")
        parser.add_argument("--resolution", type=int, default=None, help="the H3 resolution (default: the stored one)")
        parser.add_argument("--limit", type=whole(1, 200), default=20, help="how many issues (1 to 200, default 20)")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, place, date_from, date_to, resolution, limit, format, **options):
        filters = IncidentFilters(place_code=place, date_from=day(date_from), date_to=day(date_to))
        found = found_or_error(issues_rank, viewer=operator_viewer(), filters=filters, resolution=resolution,
                               limit=limit)
        if format == "json":
            self.stdout.write(json.dumps(found, indent=2))
            return
        if not found["issues"]:
            self.stdout.write("No issues stand out for these choices.")
        for rank, issue in enumerate(found["issues"], start=1):
            self.stdout.write(f"{rank:>3}. {issue['score']:5.1f}  {issue['title']} ({count_of(issue['count'], 'incident')})")
            for reason in issue["reasons"][:3]:
                self.stdout.write(f"            {reason['points']:4.1f}  {reason['why']}")
