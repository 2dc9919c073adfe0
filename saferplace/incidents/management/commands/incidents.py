"""`saferplace incidents summary --by category|lsoa|source|month [--format table|json|csv]`:
counts of the whole incident store, for a quick check after an import.
`saferplace incidents recount`: count every incident again into the count tables the pages read
(the importers keep them; this is for after restoring a backup of the incident table alone)."""

import json

from django.core.management.base import BaseCommand

from saferplace.csv_stream import csv_lines
from saferplace.incidents.selectors import SUMMARY_GROUPS, incident_counts_summary
from saferplace.incidents.services import incident_counts_rebuild
from saferplace.partners.viewer import operator_viewer


class Command(BaseCommand):
    help = "Work with the incident store."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{summary,recount}")
        actions.add_parser("recount", help="count every incident again into the tables the pages read")
        summary = actions.add_parser("summary", help="count incidents by category, LSOA, source or month")
        summary.add_argument("--by", choices=list(SUMMARY_GROUPS), default="category")
        summary.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args, action, by="category", format="table", **options):
        if action == "recount":
            rows = incident_counts_rebuild(viewer=operator_viewer())
            self.stdout.write(f"Counted every incident again: {rows:,} rows in the count tables.")
            return
        counts = incident_counts_summary(viewer=operator_viewer(), by=by)
        if format == "json":
            self.stdout.write(json.dumps({"by": by, "counts": [{by: value, "count": count} for value, count in counts],
                                          "total": sum(count for _, count in counts)}, indent=2))
        elif format == "csv":
            for line in csv_lines([by, "count"], counts):
                self.stdout.write(line, ending="")
        else:
            width = max([len(by), len("(none)"), *(len(value) for value, _ in counts)])
            self.stdout.write(f"{by:<{width}}  {'count':>10}")
            for value, count in counts:
                self.stdout.write(f"{value or '(none)':<{width}}  {count:>10,}")
            self.stdout.write(f"{'total':<{width}}  {sum(count for _, count in counts):>10,}")
