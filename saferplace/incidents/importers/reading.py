"""Reading partner files: hashing, checking the header, and reading CSV in chunks of strings
with the row number of each record (the header is row 1), and the vectorised helpers every
importer uses (map the distinct values of a column once, then broadcast)."""

import csv
import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from saferplace.incidents.importers.errors import FileRefused
from saferplace.incidents.importers.spreadsheets import spreadsheet_check
from saferplace.incidents.source_blocks import BACKGROUND

try:  # pandas' own loop over an array of texts, ten times as fast as one in Python
    from pandas._libs.writers import max_len_string_array as _longest
except ImportError:  # pragma: no cover (it moved)
    def _longest(values: np.ndarray) -> int:
        return max(map(len, values.tolist()), default=0)

CHUNK_ROWS = 250_000
_READ_BLOCK = 4 * 1024 * 1024


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class FileFingerprint:
    """A file's size and whether it ends with a newline, known at once; its SHA-256 worked out
    in a background thread (hashing releases the GIL) so that reading the rows need not wait:
    asking for it waits until it is known."""

    def __init__(self, path: Path):
        self.size = Path(path).stat().st_size
        with open(path, "rb") as handle:
            handle.seek(max(self.size - 1, 0))
            self.ends_with_newline = handle.read(1) == b"\n"
        self._sha256: Future = BACKGROUND.submit(_sha256, Path(path))

    @property
    def sha256(self) -> str:
        return self._sha256.result()


def file_fingerprint(path: Path) -> FileFingerprint:
    return FileFingerprint(path)


def _listing(names) -> str:
    return ", ".join(names) if names else "nothing"


def read_header(path: Path, *, what: str, expected: list[str]) -> list[str]:
    """The header row of a CSV file; refuses empty, non-UTF-8 and header-less files."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
    except UnicodeDecodeError as error:
        raise FileRefused(_not_utf8(what, error)) from error
    if not first.strip():
        raise FileRefused(
            f"This is not {what}: the file is empty (expected a header row with the columns {_listing(expected)})."
        )
    try:
        return [name.strip() for name in next(csv.reader([first]))]
    except csv.Error as error:  # e.g. a name longer than the csv module reads
        raise FileRefused(f"This is not {what}: row 1, the header, cannot be read as CSV ({error}).") from error


def longest_value_check(frame: pd.DataFrame, row_numbers: np.ndarray) -> None:
    """Refuse a file with a value longer than the csv module reads (131,072 characters): pandas
    reads it, but the rows kept with the run are read back with the csv module (source_blocks),
    and an incident's page would fail on it."""
    limit = csv.field_size_limit()
    longest_name = max((len(str(name)) for name in frame.columns), default=0)
    if longest_name > limit:
        raise FileRefused(
            f"Row 1, the header, has a name {longest_name:,} characters long, more than the {limit:,} characters "
            "SaferPlace reads in one value."
        )
    for column in range(frame.shape[1] if len(frame) else 0):
        values = frame.iloc[:, column].to_numpy(dtype=object, copy=True)  # pandas' loop wants it writable
        if _longest(values) > limit:
            position = next(index for index, value in enumerate(values.tolist()) if len(value) > limit)
            raise FileRefused(
                f"Row {int(row_numbers[position]):,} has a value {len(values[position]):,} characters long in the column "
                f"{str(frame.columns[column])[:100]!r}, more than the {limit:,} characters SaferPlace reads in one value."
            )


def _not_utf8(what: str, error: UnicodeDecodeError) -> str:
    return (
        f"This is not {what}: the file is not UTF-8 text (byte 0x{error.object[error.start]:02x} at position "
        f"{error.start} cannot be read). Save it as \"CSV UTF-8\" and try again."
    )


def require_columns(header: list[str], *, what: str, expected: list[str], hint: str = "") -> None:
    missing = [name for name in expected if name not in header]
    if missing:
        raise FileRefused(
            f"This is not {what}: expected the columns {_listing(expected)} but the header has "
            f"{_listing(header)} (missing: {_listing(missing)}).{(' ' + hint) if hint else ''}"
        )


def format_hint(header: list[str]) -> str:
    """What the file looks like instead, when it is recognisably another format."""
    names = set(header)
    if "Outcome type" in names and "Crime ID" in names:
        return "It looks like a police.uk outcomes file: import it with police-uk-outcomes."
    if "Crime type" in names and "Crime ID" in names:
        return "It looks like a police.uk street-level crime file: import it with police-uk."
    if names & {"collision_index", "accident_index"}:
        return "It looks like a STATS19 road collision file: import it with stats19."
    return ""


def pick_column(header: list[str], candidates: list[str]) -> str | None:
    """The first of the candidate names the header has (case-insensitive), as spelt in the file."""
    lowered = {name.lower(): name for name in header}
    for candidate in candidates:
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    return None


@dataclass
class Chunk:
    frame: pd.DataFrame  # every value a string ("" where blank)
    row_numbers: np.ndarray  # the row number in the file of each record (header = 1)
    incomplete: np.ndarray  # true for a last row the file ends part-way through


class CsvReader:
    """Reads a CSV file in chunks of strings. A file that ends part-way through its last row (a
    truncated download) has that row marked incomplete so the importer can reject it."""

    def __init__(self, path: Path, *, what: str, header: list[str], fingerprint: FileFingerprint):
        self.path = path
        self.what = what
        self.header = header
        self.fingerprint = fingerprint
        self.records = 0  # records read so far, blank ones included
        self.last_row_incomplete = (not fingerprint.ends_with_newline) and self._last_line_short()

    @property
    def estimated_rows(self) -> int:
        """Rows after the header, estimated from the size and the first lines' length (for
        progress; the import counts them exactly as it reads)."""
        with open(self.path, "rb") as handle:
            sample = handle.read(65536)
        if len(sample) >= self.fingerprint.size:
            return max(sample.count(b"\n") - 1 + (not self.fingerprint.ends_with_newline), 0)
        return max(round(self.fingerprint.size * max(sample.count(b"\n"), 1) / len(sample)) - 1, 0)

    def _last_line_short(self) -> bool:
        with open(self.path, "rb") as handle:
            handle.seek(max(self.fingerprint.size - 65536, 0))
            tail = handle.read().decode("utf-8", errors="replace")
        last_line = tail.rsplit("\n", 1)[-1]
        if not last_line.strip():
            return False
        try:
            fields = next(csv.reader([last_line]))
        except csv.Error:
            return True
        return len(fields) < len(self.header)

    def chunks(self, rows: int = CHUNK_ROWS, columns: list[str] | None = None) -> Iterator[Chunk]:
        """The file's records in chunks (only the given columns, if any). The last chunk's
        `incomplete` marks a last row cut short."""
        pending = None
        for chunk in self._read(rows, columns):
            if pending is not None:
                yield pending
            pending = chunk
        if pending is not None:
            if self.last_row_incomplete and len(pending.frame):
                pending.incomplete[-1] = True
            yield pending

    def _read(self, rows: int, columns: list[str] | None) -> Iterator[Chunk]:
        position = 0
        try:
            reader = pd.read_csv(
                self.path,
                usecols=columns,
                dtype=object,  # strings as they are: no type inference, no string array
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                encoding="utf-8-sig",
                chunksize=rows,
            )
        except pd.errors.EmptyDataError as error:
            raise FileRefused(f"This is not {self.what}: the file is empty.") from error
        try:
            for frame in reader:
                frame.columns = [str(name).strip() for name in frame.columns]
                numbers = np.arange(position + 2, position + 2 + len(frame), dtype=np.int64)
                longest_value_check(frame, numbers)
                position += len(frame)
                self.records = position
                blank = _blank_rows(frame)
                if blank.any():
                    frame, numbers = frame[~blank], numbers[~blank]
                yield Chunk(frame.reset_index(drop=True), numbers, np.zeros(len(frame), dtype=bool))
        except UnicodeDecodeError as error:
            raise FileRefused(_not_utf8(self.what, error)) from error
        except (pd.errors.ParserError, csv.Error, ValueError) as error:
            raise FileRefused(f"This {self.what} could not be read as CSV after row {position + 1}: {error}") from error
        finally:
            reader.close()

    @property
    def last_row_number(self) -> int:
        return self.estimated_rows + 1


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    blank = np.ones(len(frame), dtype=bool)
    for name in frame.columns:
        candidates = np.flatnonzero(blank)
        if not len(candidates):
            break
        blank[candidates] = frame[name].to_numpy(dtype=object)[candidates] == ""
    return blank


def read_table(path: Path, *, what: str, sheet: str | int | None = None, rows: int | None = None) -> pd.DataFrame:
    """A whole CSV or XLSX file as strings ("" where blank), for the smaller partner files. A
    spreadsheet is checked against the limits before anything unpacks it (spreadsheets.py)."""
    spreadsheet = is_spreadsheet(path)
    if spreadsheet:
        spreadsheet_check(path)
    try:
        if spreadsheet:
            frame = pd.read_excel(
                path, engine="openpyxl", sheet_name=sheet if sheet not in (None, "") else 0, dtype=str, nrows=rows
            )
            frame = _plain_dates(frame.fillna(""))
        else:
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8-sig", nrows=rows
            )
    except UnicodeDecodeError as error:
        raise FileRefused(_not_utf8(what, error)) from error
    except pd.errors.EmptyDataError as error:
        raise FileRefused(f"This is not {what}: the file is empty.") from error
    except (pd.errors.ParserError, csv.Error, ValueError, KeyError, OSError) as error:
        raise FileRefused(f"This {what} could not be read: {error}") from error
    except Exception as error:  # openpyxl raises its own errors for damaged workbooks
        raise FileRefused(f"This {what} could not be read as a spreadsheet: {error}") from error
    frame.columns = [str(name).strip() for name in frame.columns]
    longest_value_check(frame, np.arange(2, len(frame) + 2, dtype=np.int64))
    return frame


_MIDNIGHT_CELL = r"^(\d{4}-\d{2}-\d{2}) 00:00:00$"


def _plain_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """A spreadsheet's date cell reads as "2026-05-03 00:00:00" when it holds no time of day, and
    as "2026-05-03 23:15:00" when it does: the first is kept as the date alone, "2026-05-03". (A
    cell cannot tell a plain date from midnight, and a plain date is by far the likelier.)"""
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if not pd.api.types.is_string_dtype(values):
            continue
        midnight = values.str.endswith(" 00:00:00").to_numpy(dtype=bool)  # a quick look before the pattern
        if midnight.any():
            frame.iloc[midnight, position] = values[midnight].str.replace(_MIDNIGHT_CELL, r"\1", regex=True)
    return frame


def is_spreadsheet(path: Path) -> bool:
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return True
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


# Vectorised helpers ---------------------------------------------------------------------------


def column_values(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=object)


def map_distinct(values: np.ndarray, function: Callable[[str], object]) -> np.ndarray:
    """Apply `function` once per distinct value and broadcast the results (an object array)."""
    codes, uniques = pd.factorize(values)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [function(value) for value in uniques]
    return mapped[codes]


def combined_strings(first: np.ndarray, second: np.ndarray, combine: Callable[[str, str], str]) -> tuple[np.ndarray, list[str]]:
    """`combine(a, b)` for each pair of values, computed once per distinct pair; and the
    distinct results."""
    first_codes, first_uniques = pd.factorize(first)
    second_codes, second_uniques = pd.factorize(second)
    width = max(len(second_uniques), 1)
    pair_codes, pairs = pd.factorize(first_codes.astype(np.int64) * width + second_codes)
    first_uniques = np.asarray(first_uniques, dtype=object)
    second_uniques = np.asarray(second_uniques, dtype=object)
    combined = np.empty(len(pairs), dtype=object)
    combined[:] = [combine(first_uniques[pair // width], second_uniques[pair % width]) for pair in pairs.tolist()]
    return combined[pair_codes], list(dict.fromkeys(combined.tolist()))


def row_dict(frame: pd.DataFrame, position: int) -> dict:
    """The row as the rejection keeps it, a NUL character shown as "␀" (no JSON column of
    PostgreSQL takes one)."""
    return {str(name): str(value).replace("\x00", "\N{SYMBOL FOR NULL}") for name, value in frame.iloc[position].items()}


def float_or_nan(text: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return float("nan")
    return value
