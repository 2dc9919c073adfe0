"""A batch of incidents as importers hand it to the store (`store.incident_rows_insert`), and
how the store numbers what its incidents share: both ways of writing them (SQLite's staging
tables, PostgreSQL's COPY) send each distinct combination of the shared fields once."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

# The fields an importer gives for each incident (foreign keys by id, the category by code).
INCIDENT_FIELDS = [
    "source", "partition", "import_run", "owning_organisation", "data_category", "external_id",
    "occurred_on", "occurred_precision", "occurred_time", "category", "source_category", "location", "lsoa", "ward",
    "community", "outcome", "source_row",
]
OPTIONAL_ID_FIELDS = {"partition", "source_category", "location", "lsoa", "ward", "community", "outcome"}

# How the rows of a batch reach the table: the fields many incidents share are sent once per
# distinct combination (a coding, a place), the per-incident ones once per incident. The time of
# day is shared (none) in a file without times, and sent per incident in one with them: nearly
# every incident has its own, and as part of the coding it would make a coding per incident.
PLACE_FIELDS = ["location", "lsoa", "ward", "community"]
PER_ROW_FIELDS = ["external_id", "source_row"]
TIME_FIELD = "occurred_time"
CODING_FIELDS = [name for name in INCIDENT_FIELDS if name not in PLACE_FIELDS + PER_ROW_FIELDS]
ADAPTED_FIELDS = {"occurred_on", TIME_FIELD}  # dates and times, as the database takes them


@dataclass
class IncidentBatch:
    """Incidents ready to store: each field is an array (one value per incident) or a single
    value for all of them. Dates are `date` objects, times of day `time` objects or None (a
    field left out is None for all), ids integers (-1 where none)."""

    size: int
    columns: dict[str, object]


def is_array(value) -> bool:
    return isinstance(value, np.ndarray | list)


def _value(name: str, value, adapt_date):
    if isinstance(value, np.generic):
        value = value.item()
    if name in ADAPTED_FIELDS and value is not None:
        return adapt_date(value)
    if name in OPTIONAL_ID_FIELDS and value == -1:
        return None
    return value


def combinations(batch: IncidentBatch, names: list[str], adapt_date) -> tuple[np.ndarray, list[list]]:
    """Per incident, the number of its combination of these fields' values; and the distinct
    combinations in that numbering, column by column (the number first). Ids of none (-1) are
    None, dates and times go through `adapt_date`."""
    combined = np.zeros(batch.size, dtype=np.int64)
    bound = 1
    for name in names:
        value = batch.columns.get(name)
        if is_array(value):
            codes, uniques = pd.factorize(np.asarray(value))
            if bound * (len(uniques) + 1) >= 2**62:  # renumber before the product could overflow
                combined, kept = pd.factorize(combined)
                combined, bound = combined.astype(np.int64), len(kept)
            combined = combined * (len(uniques) + 1) + codes + 1
            bound *= len(uniques) + 1
    numbers, distinct = pd.factorize(combined)
    firsts = np.empty(len(distinct), dtype=np.int64)
    firsts[numbers[::-1]] = np.arange(batch.size - 1, -1, -1)  # the first incident with each number
    columns = [list(range(len(firsts)))]
    for name in names:
        value = batch.columns.get(name)
        if not is_array(value):
            columns.append([_value(name, value, adapt_date)] * len(firsts))
            continue
        taken = np.asarray(value)[firsts]
        if name in OPTIONAL_ID_FIELDS:
            objects = taken.astype(object)
            objects[taken < 0] = None
            columns.append(objects.tolist())
        elif name in ADAPTED_FIELDS:
            columns.append([adapt_date(each) if each is not None else None for each in taken.tolist()])
        else:
            columns.append(taken.tolist())
    return numbers, columns


def per_row_values(batch: IncidentBatch, name: str) -> list:
    """A field's value for each incident of the batch, as a list."""
    value = batch.columns.get(name)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return list(value) if is_array(value) else [value] * batch.size
