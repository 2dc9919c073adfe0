"""The imported file kept in compressed blocks of whole rows, and the raw source row of an
incident read back from them.

A block is about a megabyte of the file's text, cut at the end of a row and compressed with
zstd (a million-row police.uk file, 187 MB, becomes about 42 MB). When every row of a CSV file
is one line, which is nearly always, the blocks are cut from the file's bytes as they are, and
the compression runs in a background thread while the importer reads and checks the rows.
Otherwise (a quoted value with a line break in it, or a spreadsheet) the rows are written out
as CSV, one row per record, with the same row numbers."""

import csv
import io
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import zstandard
from django.db import connection

from saferplace.incidents.models import ImportRun, SourceBlock

BLOCK_BYTES = 1 << 20
BLOCK_RECORDS = 5_000
LEVEL = 1
SAVE_BATCH = 20


def _compress(text: bytes) -> bytes:
    return zstandard.ZstdCompressor(level=LEVEL).compress(text)


def _line_blocks(path: Path) -> list[tuple[int, int, bytes]]:
    """(first row, row count, compressed text) for blocks of whole lines of the file."""
    data = Path(path).read_bytes()
    blocks, position, row = [], 0, 1
    while position < len(data):
        end = data.find(b"\n", position + BLOCK_BYTES)
        end = len(data) if end < 0 else end + 1
        text = data[position:end]
        count = text.count(b"\n") + (0 if text.endswith(b"\n") else 1)
        blocks.append((row, count, _compress(text)))
        row += count
        position = end
    return blocks


def _record_blocks(records: Iterable[list[str]]) -> list[tuple[int, int, bytes]]:
    blocks, row, buffer, count = [], 1, io.StringIO(), 0
    writer = csv.writer(buffer, lineterminator="\n")
    for record in records:
        writer.writerow(record)
        count += 1
        if count == BLOCK_RECORDS:
            blocks.append((row, count, _compress(buffer.getvalue().encode())))
            row += count
            buffer.seek(0)
            buffer.truncate()
            count = 0
    if count:
        blocks.append((row, count, _compress(buffer.getvalue().encode())))
    return blocks


# One background thread for the work on a file beside its reading (hashing it, compressing
# it): hashing and zstd release the GIL, and one thread beside the importer's keeps both of a
# two-core machine's cores busy without the three taking turns.
BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="file-background")


class SourceFile:
    """A CSV file's blocks, compressed in the background from the moment it is opened."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._future: Future = BACKGROUND.submit(_line_blocks, self.path)

    def blocks(self, *, records: int) -> list[tuple[int, int, bytes]]:
        """The blocks, given how many records (rows after the header, blank ones included) the
        CSV reader found: when that is not one per line, rows are cut by the CSV rules instead."""
        blocks = self._future.result()
        lines = sum(count for _, count, _ in blocks)  # the header's included
        if records + 1 == lines:
            return blocks
        with open(self.path, encoding="utf-8-sig", newline="") as handle:
            return _record_blocks(csv.reader(handle))


class SourceTable:
    """A file read as a table (a spreadsheet): its header and rows, written out as CSV."""

    def __init__(self, header: list[str], rows: Iterable[list[str]]):
        self.header = header
        self.rows = rows

    def blocks(self, *, records: int = 0) -> list[tuple[int, int, bytes]]:
        return _record_blocks([self.header, *self.rows])


def source_blocks_save(*, run: ImportRun, blocks: list[tuple[int, int, bytes]]) -> None:
    if connection.vendor == "postgresql":
        # One binary COPY: through the ORM, psycopg would write the ~40 MB of a million-row file
        # into the statements' text as hexadecimal, for the server to parse back (half the time).
        meta = SourceBlock._meta
        fields = [meta.get_field(name) for name in ("run", "first_row", "row_count", "data")]
        with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(
            f"COPY {meta.db_table} ({', '.join(field.column for field in fields)}) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types([field.db_type(connection) for field in fields])
            for first, count, data in blocks:
                copy.write_row((run.pk, first, count, data))
        return
    for start in range(0, len(blocks), SAVE_BATCH):
        SourceBlock.objects.bulk_create(
            SourceBlock(run=run, first_row=first, row_count=count, data=data)
            for first, count, data in blocks[start : start + SAVE_BATCH]
        )


def _rows(block: SourceBlock) -> list[list[str]]:
    text = zstandard.ZstdDecompressor().decompress(bytes(block.data)).decode("utf-8-sig", errors="replace")
    return list(csv.reader(io.StringIO(text, newline="")))


def source_record(*, run_id: int, row_number: int) -> dict[str, str] | None:
    """Row `row_number` of the run's file (the header is row 1) as a dictionary of its columns,
    or None when the run kept no such row."""
    blocks = SourceBlock.objects.filter(run_id=run_id)
    block = blocks.filter(first_row__lte=row_number).order_by("-first_row").first()
    header_block = blocks.filter(first_row=1).first()
    if block is None or header_block is None or row_number >= block.first_row + block.row_count:
        return None
    rows = _rows(block)
    header = rows[0] if block.first_row == 1 else _rows(header_block)[0]
    position = row_number - block.first_row
    if position >= len(rows):
        return None
    values = rows[position]
    return {str(name).strip(): (values[index] if index < len(values) else "") for index, name in enumerate(header)}
