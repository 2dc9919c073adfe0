"""Reading harm tables, and deriving a category's weight from its offences'.

A weights file (the ONS Crime Severity Score's "list of weights", a Cambridge Crime Harm Index
table) has a row per Home Office offence code with its weight; a mapping file has a row per
offence code with the police.uk crime type it is counted under and how many were recorded. Column
headings are matched loosely (`HEADINGS`), as the publications name them differently. A table is
loaded whole or not at all: a published table missing a row would change a category's weight
without anyone noticing, so every problem is named (row, column, reason) and nothing is kept.

A police.uk category's weight is the volume-weighted mean of the weights of the offences mapped
to it (`derive`), the way the ONS weights a crime type's severity: an offence recorded often
counts for more than a rare one."""

import csv
import io
import math
from dataclasses import dataclass, field

from saferplace.incidents.services import HARM_LIMIT
from saferplace.words import count_of

LARGEST_FILE = 5 * 1024 * 1024  # bytes: the published tables are a few hundred rows
LARGEST_WEIGHT = HARM_LIMIT  # what a category's weight may be, so what a derivation may give
MOST_PROBLEMS = 20

HEADINGS = {
    "offence_code": ("offence code", "home office offence code", "ho offence code", "ho code", "code"),
    "offence": ("offence", "offence description", "offence name", "description"),
    "weight": ("weight", "severity weight", "css weight", "harm", "harm index", "cchi", "days", "harm (days)"),
    "category": ("police.uk category", "police.uk crime type", "crime type", "category"),
    "volume": ("volume", "offences", "number", "count", "recorded"),
}
NEEDED = {"weights": ("offence_code", "weight"), "mapping": ("offence_code", "category", "volume")}


class TableRefused(ValueError):
    """The file cannot be loaded; `problems` names each row, column and reason."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MOST_PROBLEMS]
        more = f" (and {len(problems) - MOST_PROBLEMS} more)" if len(problems) > MOST_PROBLEMS else ""
        super().__init__("; ".join(shown) + more)


def read_table(content: bytes, *, shape: str) -> list[dict]:
    """The rows of a weights (`shape="weights"`) or mapping (`"mapping"`) CSV file, each a dict
    of the fields in `HEADINGS` (weights and volumes as numbers). Raises `TableRefused`."""
    if len(content) > LARGEST_FILE:
        raise TableRefused([f"The file is {len(content):,} bytes: a harm table is at most {LARGEST_FILE:,}"])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableRefused(["The file is not UTF-8 text (save it as CSV UTF-8)"]) from None
    reader = csv.reader(io.StringIO(text))
    try:
        return _rows(reader, shape)
    except csv.Error as error:  # a value longer than the csv module reads (128 kB), say
        raise TableRefused([f"Line {reader.line_num}: it cannot be read as CSV ({str(error)[:100]})"]) from None


def _rows(reader, shape: str) -> list[dict]:
    header = next(reader, None)
    if not header:
        raise TableRefused(["The file is empty"])
    columns = _columns(header)
    absent = [name for name in NEEDED[shape] if name not in columns]
    if absent:
        raise TableRefused([f"No column for {name.replace('_', ' ')} (headings accepted: "
                            f"{', '.join(HEADINGS[name])})" for name in absent])
    rows, problems, seen = [], [], {}
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        row = {name: values[index].strip() if index < len(values) else "" for name, index in columns.items()}
        problems += _row_problems(row, number, shape, seen)
        rows.append(row)
    if not rows and not problems:
        problems.append("The file has a header but no rows")
    if problems:
        raise TableRefused(problems)
    return rows


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, heading in enumerate(header):
        text = " ".join(heading.strip().lower().split())
        for name, accepted in HEADINGS.items():
            if name not in found and text in accepted:
                found[name] = index
    return found


def _row_problems(row: dict, number: int, shape: str, seen: dict) -> list[str]:
    problems = []
    code = row["offence_code"]
    if not code:
        problems.append(f"Row {number}, offence code: empty")
    elif len(code) > 20:
        problems.append(f"Row {number}, offence code: {code[:30]!r} is longer than 20 characters")
    elif code in seen:
        problems.append(f"Row {number}, offence code: {code} is also in row {seen[code]}")
    else:
        seen[code] = number
    if shape == "weights":
        row["weight"], problem = _number(row["weight"], whole=False, largest=LARGEST_WEIGHT)
        if problem:
            problems.append(f"Row {number}, weight: {problem}")
    else:
        row["volume"], problem = _number(row["volume"], whole=True, largest=1_000_000_000)
        if problem:
            problems.append(f"Row {number}, volume: {problem}")
        if not row["category"]:
            problems.append(f"Row {number}, police.uk category: empty")
    row["offence"] = row.get("offence", "")[:300]
    return problems


def _number(text: str, *, whole: bool, largest: float) -> tuple[float | int, str]:
    cleaned = text.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return 0, f"{text[:30]!r} is not a number"
    if not math.isfinite(value) or value < 0 or value > largest:
        return 0, f"{text[:30]!r} is not a number from 0 to {largest:,.0f}"
    if whole:
        if value != int(value):
            return 0, f"{text[:30]!r} is not a whole number"
        return int(value), ""
    return value, ""


@dataclass
class Derivation:
    """How one category's weight comes from its offences."""

    category: str
    weight: float | None  # None: none of its offences has a weight
    offences: list[dict] = field(default_factory=list)  # {offence_code, offence, volume, weight or None}

    @property
    def volume(self) -> int:
        return sum(offence["volume"] for offence in self.offences)

    @property
    def weighed_volume(self) -> int:
        return sum(offence["volume"] for offence in self.offences if offence["weight"] is not None)

    def in_words(self) -> str:
        weighed = [offence for offence in self.offences if offence["weight"] is not None]
        if self.weight is None:
            return f"None of its {count_of(len(self.offences), 'offence')} has a weight in the table"
        missing = len(self.offences) - len(weighed)
        text = (f"The volume-weighted mean of the weights of {count_of(len(weighed), 'offence')} "
                f"({count_of(self.weighed_volume, 'offence')} recorded): {self.weight:.2f}")
        return text + (f"; {count_of(missing, 'mapped offence')} with no weight left out" if missing else "")


def derive(weights: dict[str, float], mappings: list[dict]) -> list[Derivation]:
    """Each mapped category's weight: Σ(volume × weight) / Σ volume over its offences that have a
    weight (an offence with no weight in the table is listed and left out; a volume of zero
    counts for nothing). `mappings`: {offence_code, offence, category, volume}."""
    by_category: dict[str, Derivation] = {}
    for mapping in mappings:
        derivation = by_category.setdefault(mapping["category"], Derivation(category=mapping["category"], weight=None))
        derivation.offences.append({"offence_code": mapping["offence_code"], "offence": mapping["offence"],
                                    "volume": mapping["volume"], "weight": weights.get(mapping["offence_code"])})
    for derivation in by_category.values():
        volume = derivation.weighed_volume
        if volume:
            total = sum(offence["volume"] * offence["weight"] for offence in derivation.offences
                        if offence["weight"] is not None)
            derivation.weight = round(total / volume, 4)
    return sorted(by_category.values(), key=lambda derivation: derivation.category)
