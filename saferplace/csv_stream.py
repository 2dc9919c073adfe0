"""Stream rows as CSV text, a line at a time, so an export of any size uses little memory.

Every CSV SaferPlace writes neutralises values a spreadsheet would run as a formula (OWASP's CSV
injection guidance) with `neutralise`: a text starting with =, +, -, @, a tab or a carriage
return (or, after spaces or line breaks, with one of them or a full-width =, +, - or @) is given
a leading apostrophe, unless it is simply a number such as "-0.95". Numbers
themselves are written as they are. `csv_lines` does it for every cell; the incident export
(`saferplace/incidents/exports.py`), built for a million rows, does it once for each distinct
value it writes, and for each partner's reference that could need it."""

import csv
import io
import re
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What some spreadsheets also take as the start of a formula: the full-width signs, and any of
# them after spaces or line breaks, which a spreadsheet may trim first.
_WIDE_STARTS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise(value):
    """The value, safe to open in a spreadsheet."""
    if not isinstance(value, str):
        return value
    trimmed = value.lstrip(" \n\t\r")
    starts = value.startswith(FORMULA_STARTS) or trimmed.startswith(FORMULA_STARTS + _WIDE_STARTS)
    if starts and not _PLAIN_NUMBER.match(trimmed):
        return "'" + value
    return value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(name) for name in header])
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(value) for value in row])
        yield buffer.getvalue()
