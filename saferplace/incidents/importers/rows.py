"""What the incident importers share: the checks that turn bad rows into rejections, the
prepared (validated, located) rows of a file, and writing them."""

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from saferplace.incidents.importers import store
from saferplace.incidents.importers.base import (
    ImportContext,
    data_category_id,
    rejections_from_mask,
)
from saferplace.incidents.importers.locations import Located, LsoaCodes, places_from_codes
from saferplace.incidents.importers.reading import CsvReader, row_dict
from saferplace.incidents.models import LocationPrecision
from saferplace.incidents.source_blocks import SourceFile


@dataclass
class PreparedChunk:
    size: int
    columns: dict  # incident fields ready to store, except the places and data category
    data_category: np.ndarray  # "crime" or "asb" per row
    lsoa_codes: np.ndarray
    located: Located


@dataclass
class PreparedFile:
    chunks: list[PreparedChunk] = field(default_factory=list)
    partitions: set[str] = field(default_factory=set)  # what a source's re-import replaces
    external_ids: set[str] = field(default_factory=set)  # or: the ids it replaces
    people: list[tuple] = field(default_factory=list)  # (row numbers, pseudonyms) of files naming people
    lsoa: LsoaCodes | None = None


class RowChecks:
    """Collects the problems of one chunk: every failed check becomes a rejection naming the
    field and the reason, and the row is dropped."""

    def __init__(self, context: ImportContext, frame: pd.DataFrame, row_numbers: np.ndarray):
        self.context = context
        self.frame = frame
        self.row_numbers = row_numbers
        self.failed = np.zeros(len(frame), dtype=bool)
        self._nul_characters()

    def _nul_characters(self) -> None:
        """Reject the rows with a NUL character (a zero byte) in any value: no text column of
        PostgreSQL can hold one, and no real record has one. One search of each column's values
        joined together when there is none (nearly always)."""
        for name in self.frame.columns:
            values = self.frame[name].to_numpy(dtype=object)
            if values.dtype == object and "\x00" in "".join(map(str, values.tolist())):
                mask = np.fromiter(("\x00" in str(value) for value in values.tolist()), dtype=bool, count=len(values))
                self.fail(mask, str(name), f"{name} holds a NUL character (a zero byte), which no text can")

    def fail(self, mask: np.ndarray, field_name: str, reasons) -> None:
        if mask.any():
            rejections_from_mask(
                self.context, mask, self.row_numbers, field_name, reasons, lambda position: row_dict(self.frame, position)
            )
            self.failed |= mask

    def fail_row(self, position: int, field_name: str, reason: str) -> None:
        """Reject the one row at `position` (a mask per row would cost the whole chunk each)."""
        self.context.reject(self.row_numbers[position], field_name, reason, row_dict(self.frame, position))
        self.failed[position] = True

    def fail_located(self, located: Located) -> None:
        problem = located.problem_field != ""
        for field_name in pd.unique(located.problem_field[problem]):
            self.fail(problem & (located.problem_field == field_name), str(field_name), located.problem_reason)

    def kept(self) -> slice | np.ndarray:
        """What indexes the rows that passed every check: all of them (a slice, so taking them
        copies nothing) or their positions."""
        return slice(None) if not self.failed.any() else np.flatnonzero(~self.failed)

    @property
    def kept_count(self) -> int:
        return int(len(self.failed) - self.failed.sum())

    def too_long(self, values: np.ndarray, field_name: str, limit: int) -> None:
        """Reject the rows whose value does not fit the column it is stored in (rather than
        cut it short, or fail the whole file on a database that refuses it)."""
        lengths = np.fromiter((len(value) for value in values.tolist()), dtype=np.int64, count=len(values))
        self.fail(lengths > limit, field_name, f"{field_name} is longer than the {limit} characters SaferPlace keeps")

    def incomplete(self, mask: np.ndarray, field_name: str) -> None:
        self.fail(mask, field_name, "the row is incomplete: the file ends part-way through it (a truncated download?)")


def prepare_csv_chunks(context: ImportContext, *, what: str, header: list[str], prepared: PreparedFile, prepare_chunk) -> PreparedFile:
    """Read a CSV file of incidents chunk by chunk through `prepare_chunk(chunk)`, reporting
    progress, and keep the file with the run (its rows are the incidents' raw rows)."""
    reader = CsvReader(context.path, what=what, header=header, fingerprint=context.fingerprint)
    context.keep_source(SourceFile(context.path))
    context.total = reader.estimated_rows
    for chunk in reader.chunks():
        prepared.chunks.append(prepare_chunk(chunk))
        context.report_read(context.rows_read)
    context.source_records = reader.records
    return prepared


def located_subset(located: Located, kept: np.ndarray) -> Located:
    return Located(
        latitude=located.latitude[kept], longitude=located.longitude[kept],
        problem_field=located.problem_field[kept], problem_reason=located.problem_reason[kept],
        has_point=located.has_point[kept], lsoa=located.lsoa[kept], ward=located.ward[kept],
        community=located.community[kept], h3_cell=located.h3_cell[kept], point=located.point[kept],
    )


def location_precisions(has_point: np.ndarray, precision: str) -> np.ndarray:
    """`precision` where a row has a point, "none" where it has not (an object array)."""
    return np.array([LocationPrecision.NONE.value, precision], dtype=object)[has_point.astype(np.intp)]


# The location of an incident as importers give it; stored as one reference to a Location.
LOCATION_FIELDS = ("latitude", "longitude", "location_precision", "location_description", "h3_cell")


def _ids(lookup, value):
    """Ids for an array of texts, or the one id for a single text."""
    if isinstance(value, np.ndarray | list):
        return lookup(value)
    return int(lookup([value])[0])


def incidents_write(context: ImportContext, prepared: PreparedFile) -> None:
    """Store the prepared rows (after the importer has deleted what they replace): make the
    LSOAs named by code known, find or create the locations, partitions and labels the rows
    refer to, and insert in bulk."""
    codes = set()
    for chunk in prepared.chunks:
        codes.update(pd.unique(chunk.lsoa_codes).tolist())
    viewer = context.viewer
    resolved = prepared.lsoa.resolve(sorted(code for code in codes if code), viewer=viewer) if prepared.lsoa else {}
    data_categories: dict[str, int] = {}
    lookups = store.Lookups()

    def batches():
        # Each chunk is let go once written (memory); taken from the end of the reversed list,
        # as popping the first of a list moves all the others.
        prepared.chunks.reverse()
        while prepared.chunks:
            chunk = prepared.chunks.pop()
            if not chunk.size:
                continue
            lsoa, ward, community = places_from_codes(chunk.lsoa_codes, resolved, chunk.located)
            codes, uniques = pd.factorize(chunk.data_category)
            for code in uniques:
                if code not in data_categories:
                    data_categories[code] = data_category_id(code, viewer=viewer)
            columns = dict(chunk.columns)
            location = {name: columns.pop(name) for name in LOCATION_FIELDS}
            source = columns["source"]
            columns.update(
                lsoa=lsoa, ward=ward, community=community,
                data_category=np.array([data_categories[code] for code in uniques], dtype=np.int64)[codes],
                location=lookups.location_ids(
                    point=chunk.located.point, latitude=location["latitude"], longitude=location["longitude"],
                    h3_cell=location["h3_cell"], precision=location["location_precision"],
                    description=location["location_description"],
                ),
                partition=_ids(partial(lookups.partition_ids, source), columns["partition"]),
                source_category=_ids(lookups.label_ids, columns["source_category"]),
                outcome=_ids(lookups.label_ids, columns["outcome"]),
            )
            yield store.IncidentBatch(size=chunk.size, columns=columns)

    context.rows_imported = store.incident_rows_insert(
        batches=batches(), progress=context.report_written, bulk_load=context.bulk_load
    )
