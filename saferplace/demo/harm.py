"""The demo's harm weights: illustrative tables, loaded and labelled as such.

The two files of `data/` (a list of offence weights shaped like the ONS Crime Severity Score's,
and a mapping of offence codes to police.uk categories with volumes) are made up; the demo
loads them marked illustrative and derives the police.uk categories' weights from them, as a
partnership would from the published tables. The partners' categories (ASB, environmental,
fire, road safety, safeguarding, youth) get weights on the same scale from a third file, each
with its reason. See data/README.md."""

import csv
import io
from pathlib import Path

from saferplace.analysis.models import HarmTable, HarmTableKind
from saferplace.analysis.services import harm_table_load, harm_weights_derive
from saferplace.incidents.services import categories_harm_set

DATA = Path(__file__).parent / "data"
SOURCE = "Made up for the SaferPlace demo (saferplace/demo/data): not a publication's values"
TABLES = [
    ("Illustrative offence weights (demo)", HarmTableKind.CSS, "harm-weights-illustrative.csv"),
    ("Illustrative offence mapping (demo)", HarmTableKind.OFFENCE_MAPPING, "harm-mapping-illustrative.csv"),
]
PARTNER_WEIGHTS = "harm-partner-weights-illustrative.csv"


def demo_harm_install(*, viewer) -> list[str]:
    """Load the illustrative tables (once), derive the police.uk categories' weights from them,
    and set the partners' categories' weights. Returns the categories whose weight changed."""
    loaded = []
    for name, kind, file_name in TABLES:
        table = HarmTable.objects.filter(name=name).first()
        loaded.append(table or harm_table_load(viewer=viewer, kind=kind, name=name, source=SOURCE, illustrative=True,
                                               content=(DATA / file_name).read_bytes()))
    derived = harm_weights_derive(viewer=viewer, weights=loaded[0], mapping=loaded[1])
    rows = csv.DictReader(io.StringIO((DATA / PARTNER_WEIGHTS).read_text(encoding="utf-8")))
    partners = categories_harm_set(viewer=viewer, weights={
        row["Category"]: (float(row["Weight"]), f"Illustrative, for the demo: {row['Why']}") for row in rows})
    return sorted({each["category"] for each in derived if each["changed"]} | set(partners))
