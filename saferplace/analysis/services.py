"""Changing what the analysis reads: loading harm tables and deriving the categories' weights
from them. Each needs `harm.manage` (an administrator), is atomic, writes its events and is
audited."""

import hashlib

from django.db import transaction

from saferplace.analysis.harm import TableRefused, derive, read_table
from saferplace.analysis.models import (
    WEIGHTS,
    HarmTable,
    HarmTableEventKind,
    HarmTableKind,
    OffenceMapping,
    OffenceWeight,
)
from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.history import event_write
from saferplace.incidents.models import IncidentCategory
from saferplace.incidents.services import categories_harm_set
from saferplace.partners import access


def _category_codes(texts: set[str]) -> tuple[dict[str, str], list[str]]:
    """{text: category code} for texts naming a category by its code or its name (any case)."""
    codes = {}
    for code, name in IncidentCategory.objects.values_list("code", "name"):
        codes[code.lower()] = code
        codes[name.lower()] = code
    found = {text: codes[text.lower()] for text in texts if text.lower() in codes}
    return found, sorted(texts - set(found))


@transaction.atomic
def harm_table_load(*, viewer, kind: str, name: str, content: bytes, source: str = "",
                    illustrative: bool = False) -> HarmTable:
    """Load a weights or mapping table from a CSV file's bytes, whole or not at all
    (`harm.TableRefused` names every problem)."""
    access.require(viewer, "harm.manage")
    kind = HarmTableKind(kind)
    name = name.strip()[:120]
    if not name:
        raise TableRefused(["Give the table a name"])
    if HarmTable.objects.filter(name=name).exists():
        raise TableRefused([f"There is already a harm table called {name!r}: choose another name"])
    rows = read_table(content, shape="weights" if kind in WEIGHTS else "mapping")
    table = HarmTable.objects.create(name=name, kind=kind, source=source.strip(), illustrative=illustrative,
                                     file_sha256=hashlib.sha256(content).hexdigest(), rows=len(rows),
                                     loaded_by=viewer.name[:150])
    if kind in WEIGHTS:
        OffenceWeight.objects.bulk_create(OffenceWeight(table=table, offence_code=row["offence_code"],
                                                        offence=row["offence"], weight=row["weight"]) for row in rows)
    else:
        codes, unknown = _category_codes({row["category"] for row in rows})
        if unknown:
            raise TableRefused([f"Row {number}, police.uk category: {row['category']!r} is not a category here"
                                for number, row in enumerate(rows, start=2) if row["category"] in unknown])
        OffenceMapping.objects.bulk_create(OffenceMapping(table=table, offence_code=row["offence_code"],
                                                          offence=row["offence"], category_id=codes[row["category"]],
                                                          volume=row["volume"]) for row in rows)
    event_write(viewer=viewer, record=table, kind=HarmTableEventKind.LOADED,
                changes={"rows": [None, len(rows)], "file_sha256": [None, table.file_sha256]}, note=source)
    audit_record(viewer=viewer, action=AuditAction.CREATE, obj=table, details={"kind": kind, "rows": len(rows)})
    return table


@transaction.atomic
def harm_weights_derive(*, viewer, weights: HarmTable, mapping: HarmTable) -> list[dict]:
    """Set every mapped category's harm weight to the volume-weighted mean of its offences'
    weights (`harm.derive`), each change an event of the category saying how it was derived.
    Returns each mapped category's derivation, changed or not."""
    access.require(viewer, "harm.manage")
    if weights.kind not in WEIGHTS or mapping.kind != HarmTableKind.OFFENCE_MAPPING:
        raise ValueError("Derive from a table of weights (css or cchi) and an offence mapping")
    derivations = derive(dict(weights.weights.values_list("offence_code", "weight")),
                         list(mapping.mappings.values("offence_code", "offence", "category", "volume")))
    provenance = f"Derived from {weights} and {mapping}"
    changed = categories_harm_set(viewer=viewer, weights={
        derivation.category: (derivation.weight, f"{provenance}. {derivation.in_words()}")
        for derivation in derivations if derivation.weight is not None})
    for table in (weights, mapping):
        event_write(viewer=viewer, record=table, kind=HarmTableEventKind.DERIVED,
                    changes={"categories": [None, changed]}, note=provenance)
    return [{"category": derivation.category, "weight": derivation.weight, "changed": derivation.category in changed,
             "how": derivation.in_words(), "offences": derivation.offences} for derivation in derivations]
