"""`saferplace harm load FILE --kind css|cchi|offence-mapping --name NAME [--source TEXT]
[--illustrative]`, `saferplace harm derive --weights NAME --mapping NAME`, `saferplace harm set
CATEGORY WEIGHT --reason TEXT`, `saferplace harm show [--format table|json]`: harm weights as
data, with where each came from (as the operator)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saferplace.analysis.harm import LARGEST_FILE, TableRefused
from saferplace.analysis.models import HarmTableKind
from saferplace.analysis.services import harm_table_load, harm_weights_derive
from saferplace.analysis.settings_selectors import harm_table_find, harm_weights_list
from saferplace.incidents.services import categories_harm_set
from saferplace.partners.viewer import operator_viewer


class Command(BaseCommand):
    help = "Harm weights: load published tables, derive the categories' weights, set one, show them."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,derive,set,show}")
        load = actions.add_parser("load", help="load a table of offence weights or an offence mapping (CSV)")
        load.add_argument("file")
        load.add_argument("--kind", required=True, choices=list(HarmTableKind.values))
        load.add_argument("--name", required=True, help="what to call it (unique)")
        load.add_argument("--source", default="", help="where it was published: title, edition, address")
        load.add_argument("--illustrative", action="store_true", help="made-up values, not a publication's")
        derive = actions.add_parser("derive", help="set police.uk categories' weights from a weights table and a mapping")
        derive.add_argument("--weights", required=True, metavar="NAME")
        derive.add_argument("--mapping", required=True, metavar="NAME")
        chosen = actions.add_parser("set", help="set one category's weight")
        chosen.add_argument("category")
        chosen.add_argument("weight", type=float)
        chosen.add_argument("--reason", required=True)
        show = actions.add_parser("show", help="every category's weight and where it came from")
        show.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, action, **options):
        viewer = operator_viewer()
        try:
            getattr(self, f"_{action}")(viewer, **options)
        except TableRefused as refused:
            raise CommandError("The table was not loaded:\n  " + "\n  ".join(refused.problems)) from None
        except ValueError as error:
            raise CommandError(str(error)) from None

    def _load(self, viewer, *, file, kind, name, source, illustrative, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}")
        if path.stat().st_size > LARGEST_FILE:
            raise CommandError(f"{file} is {path.stat().st_size:,} bytes: a harm table is at most {LARGEST_FILE:,}")
        table = harm_table_load(viewer=viewer, kind=kind, name=name, content=path.read_bytes(), source=source,
                                illustrative=illustrative)
        self.stdout.write(f"Loaded {table}: {table.rows:,} rows.")

    def _derive(self, viewer, *, weights, mapping, **options):
        derivations = harm_weights_derive(viewer=viewer, weights=harm_table_find(viewer=viewer, name=weights),
                                          mapping=harm_table_find(viewer=viewer, name=mapping))
        for derivation in derivations:
            mark = "changed" if derivation["changed"] else "unchanged"
            self.stdout.write(f"{derivation['category']}: {mark}. {derivation['how']}")

    def _set(self, viewer, *, category, weight, reason, **options):
        changed = categories_harm_set(viewer=viewer, weights={category: (weight, reason)})
        self.stdout.write(f"{category}: {'set to ' + format(weight, 'g') if changed else 'already ' + format(weight, 'g')}")

    def _show(self, viewer, *, format, **options):
        rows = harm_weights_list(viewer=viewer)
        if format == "json":
            self.stdout.write(json.dumps({"categories": rows}, indent=2))
            return
        width = max(len(row["code"]) for row in rows)
        for row in rows:
            self.stdout.write(f"{row['code']:<{width}}  {row['weight']:>10g}  {row['why']}")
