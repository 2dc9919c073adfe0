"""A spreadsheet checked before anything reads it. An XLSX workbook is a zip archive of XML
parts: a few kilobytes can unpack to gigabytes (a zip bomb), or describe a sheet whose last cell
is a million rows down and sixteen thousand columns across, which pandas would build in full,
every empty cell of it. So before pandas or openpyxl opens a workbook:

1. The archive's directory is read, and nothing unpacked: too many parts, more than
   IMPORT_MAX_UNCOMPRESSED_MB in all, or a part compressed more than IMPORT_MAX_COMPRESSION_RATIO
   to 1 is refused. Python's zipfile never unpacks a part past the size the directory gives it,
   so these sizes bound what openpyxl can unpack.
2. Every part is streamed through an XML parser that keeps nothing but counts, and stops at the
   first limit passed: a sheet that declares (its <dimension>) or has more than IMPORT_MAX_ROWS
   rows or IMPORT_MAX_CELLS cells is refused. It counts what openpyxl reads, not what the sheet
   says of itself (pandas ignores the declaration), and every part, whatever its name (openpyxl
   finds sheets by the workbook's own references).

A refusal says what was wrong and which setting sets the limit. See docs/decisions.md."""

import math
import pyexpat
import zipfile
import zlib
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.utils.exceptions import CellCoordinatesException

from saferplace.incidents.importers.errors import FileRefused

MB = 1024 * 1024
MAX_PARTS = 10_000  # a workbook has a dozen or so; listing each costs memory
DIRECTORY_BYTES_PER_PART = 1024  # a part's entry in the directory is about a hundred bytes
RATIO_GRACE_BYTES = MB  # a part this small is harmless however well it compresses
_BLOCK = 256 * 1024  # unpacked and parsed at a time
NOT_A_WORKBOOK = "This file is not an XLSX workbook: it is not a valid zip archive"


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int
    ratio: int
    rows: int
    cells: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            unpacked_bytes=settings.IMPORT_MAX_UNCOMPRESSED_MB * MB, ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            rows=settings.IMPORT_MAX_ROWS, cells=settings.IMPORT_MAX_CELLS,
        )


def spreadsheet_check(path: Path) -> None:
    """Refuse (`FileRefused`) a workbook that is not a zip archive or is beyond the limits. Keeps
    nothing of what it unpacks."""
    limits = Limits.from_settings()
    with open(path, "rb") as handle:
        _directory_check(handle)
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
            raise FileRefused(f"{NOT_A_WORKBOOK} ({error}).") from error
        with archive:
            parts = archive.infolist()
            _parts_check(parts, limits)
            for part in parts:
                _part_scan(archive, part, limits)


def _directory_check(handle) -> None:
    """The archive's end record says how many parts it has and how long its directory is: checked
    before zipfile reads the whole directory into memory. (`_EndRecData` is zipfile's own reader
    of that record; private, but there since Python 2.6.)"""
    end = zipfile._EndRecData(handle)
    if end is None:
        raise FileRefused(f"{NOT_A_WORKBOOK}.")
    parts, directory = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
    if parts > MAX_PARTS or directory > MAX_PARTS * DIRECTORY_BYTES_PER_PART:
        raise FileRefused(f"This spreadsheet has more than the {MAX_PARTS:,} parts a workbook SaferPlace reads may have.")


def _parts_check(parts: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(parts) > MAX_PARTS:
        raise FileRefused(f"This spreadsheet has {len(parts):,} parts, more than the {MAX_PARTS:,} a workbook SaferPlace reads may have.")
    total = sum(part.file_size for part in parts)
    if total > limits.unpacked_bytes:
        raise FileRefused(
            f"This spreadsheet would unpack to {math.ceil(total / MB):,} MB, more than the "
            f"{limits.unpacked_bytes // MB:,} MB SaferPlace reads (IMPORT_MAX_UNCOMPRESSED_MB)."
        )
    for part in parts:
        if part.file_size > RATIO_GRACE_BYTES and part.file_size > limits.ratio * max(part.compress_size, 1):
            ratio = math.ceil(part.file_size / max(part.compress_size, 1))
            raise FileRefused(
                f"This spreadsheet's part {_name(part)} is compressed {ratio:,} to 1, more than the {limits.ratio:,} to 1 "
                "SaferPlace reads (IMPORT_MAX_COMPRESSION_RATIO): files made to exhaust whoever opens them look like this."
            )


def _name(part: zipfile.ZipInfo) -> str:
    return repr(part.filename[:100])


def _part_scan(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limits: Limits) -> None:
    """Stream one part through the counting parser. A part that is not XML (an image) stops it
    at once; openpyxl could not read a sheet from it either."""
    name = _name(part)
    try:
        with archive.open(part) as stream:
            _sheet_scan(stream, name, limits)
    except pyexpat.ExpatError:
        return
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise FileRefused(f"This spreadsheet could not be unpacked: its part {name} is damaged or encrypted ({error}).") from error


_NOWHERE = 1 << 62  # the depth of a cell while no row is open


def _sheet_scan(stream, name: str, limits: Limits) -> None:
    """Count a part's rows and the width of its widest row the way openpyxl reads them: a row is
    numbered by its r attribute, else one after the last; every child of a row is a cell; a row
    is as wide as its last cell's column (from its r attribute, else one after the cell before).
    pandas then builds a table of the last row by the widest row. Refuses at the first limit
    passed. (Closures rather than an object: this runs once per element of the workbook.)"""
    depth, cell_depth = 0, _NOWHERE
    open_rows: list[tuple[int, str, int]] = []  # each open row's depth, and the counts of the row it is in
    row = rows = columns = 0
    last_reference, cells_after = "", 0  # the open row's last cell with an r, and the cells since
    kinds: dict[str, str] = {}  # element name → "row", "dimension" or ""

    def start(element: str, attributes: dict) -> None:
        nonlocal depth, cell_depth, row, rows, last_reference, cells_after
        depth += 1
        if depth > cell_depth:  # inside a cell: its value, formula, text
            return
        if depth == cell_depth:
            reference = attributes.get("r")
            if reference:
                last_reference, cells_after = reference, 0
            else:
                cells_after += 1
        kind = kinds.get(element)
        if kind is None:
            local = element.rpartition(" ")[2]
            kind = kinds[element] = local if local in ("row", "dimension") else ""
        if kind == "row":
            open_rows.append((depth, last_reference, cells_after))
            cell_depth = depth + 1
            row = _row_number(attributes.get("r"), row + 1)
            rows = max(rows, row)
            last_reference, cells_after = "", 0
            _limits_check(limits, name, "has", rows, columns)
        elif kind == "dimension":
            declared_rows, declared_columns = _declared(attributes.get("ref", ""))
            _limits_check(limits, name, "declares", declared_rows, declared_columns)

    def end(element: str) -> None:
        nonlocal depth, cell_depth, columns, last_reference, cells_after
        if depth == cell_depth - 1:  # a row ends
            columns = max(columns, cells_after + _column(last_reference))
            _limits_check(limits, name, "has", rows, columns)
            _, last_reference, cells_after = open_rows.pop()  # a row in a row: back to the outer one
            cell_depth = open_rows[-1][0] + 1 if open_rows else _NOWHERE
        depth -= 1

    def doctype(*_) -> None:
        raise FileRefused(
            f"This spreadsheet's part {name} has a document type declaration, which no workbook has "
            "(it can make an XML reader expand or fetch entities)."
        )

    parser = pyexpat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler, parser.StartDoctypeDeclHandler = start, end, doctype
    while block := stream.read(_BLOCK):
        parser.Parse(block, False)
    parser.Parse(b"", True)


def _limits_check(limits: Limits, name: str, verb: str, rows: int, columns: int) -> None:
    if rows > limits.rows:
        raise FileRefused(
            f"This spreadsheet's sheet {name} {verb} {rows:,} rows, more than the {limits.rows:,} "
            "SaferPlace reads (IMPORT_MAX_ROWS)."
        )
    if rows * columns > limits.cells:
        raise FileRefused(
            f"This spreadsheet's sheet {name} {verb} {rows:,} rows by {columns:,} columns, {rows * columns:,} "
            f"cells, more than the {limits.cells:,} SaferPlace reads (IMPORT_MAX_CELLS)."
        )


def _declared(ref: str) -> tuple[int, int]:
    """The last row and column a <dimension ref="A1:Z1000"> declares ((0, 0) for none that
    openpyxl could read)."""
    try:
        _, _, columns, rows = range_boundaries(ref.strip().upper())
    except (CellCoordinatesException, ValueError, TypeError):
        return 0, 0
    return rows or 0, columns or 0


def _column(reference: str) -> int:
    """The column of a cell reference like "XFD12" (0 for none, or one openpyxl cannot read)."""
    with suppress(CellCoordinatesException, ValueError, KeyError):
        return coordinate_to_tuple(reference)[1] if reference else 0
    return 0


def _row_number(reference: str | None, following: int) -> int:
    """A row's number as openpyxl reads its r attribute: an integer, or a float that is whole
    (so "1e300" is row 10^300); else the row after the last."""
    if reference is None:
        return following
    try:
        return int(reference)
    except ValueError:
        pass
    try:
        value = float(reference)
    except ValueError:
        return following
    return int(value) if value.is_integer() else following
