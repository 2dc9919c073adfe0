"""`saferplace incidents summary --by category|lsoa|source|month [--format table|json|csv]`:
counts of the whole incident store, for a quick check after an import."""

import json

from django.core.management.base import BaseCommand

from saferplace.csv_stream import csv_lines
from saferplace.incidents.selectors import SUMMARY_GROUPS, incident_counts_summary
from saferplace.partners.viewer import operator_viewer


class Command(BaseCommand):
    help = "Work with the incident store."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{summary}")
        summary = actions.add_parser("summary", help="count incidents by category, LSOA, source or month")
        summary.add_argument("--by", choices=list(SUMMARY_GROUPS), default="category")
        summary.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args, action, by, format, **options):
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
