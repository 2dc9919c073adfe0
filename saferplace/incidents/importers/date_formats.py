"""How partners' files write their dates, in words an analyst recognises ("day/month/year,
24-hour time (e.g. 31/01/2026 23:15)"), and which of them a sample of a file's dates is in.

A mapping profile stores its format as a `strftime` pattern (`DateFormat.code`), which nobody
is asked to write: the profile page detects the format from the sample file's dates and offers
the formats in words. Profiles made before keep whatever pattern they were given; those are read
with `strptime`. The formats SaferPlace knows are read with one regular expression each, the
same for every row, so a file of a hundred thousand date-times costs no more than its dates.

An import is more forgiving than the words: every format with a day takes a time of day after
the date written any of the ways the formats know (24-hour, 12-hour, ISO 8601's T), or none (the
time is then unknown), and every format takes what a spreadsheet's date cell reads as
(`2026-01-31` or `2026-01-31 23:15:00`): date cells are dates already and need no format. A
time with a zone (`Z`, `+01:00`) is turned into the partnership's local time (`TIME_ZONE`),
which can change the date.
See docs/importers/mapping-profiles.md."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from django.conf import settings

from saferplace.incidents.importers.dates import time_of_day
from saferplace.incidents.models import DatePrecision

EXAMPLE = datetime(2026, 1, 31, 23, 15)

_DATES = {
    "dmy": r"(?P<day>\d{1,2})(?P<separator>[/.-])(?P<month>\d{1,2})(?P=separator)(?P<year>\d{4})",
    "mdy": r"(?P<month>\d{1,2})(?P<separator>[/.-])(?P<day>\d{1,2})(?P=separator)(?P<year>\d{4})",
    "ymd": r"(?P<year>\d{4})(?P<separator>[/.-])(?P<month>\d{1,2})(?P=separator)(?P<day>\d{1,2})",
    "my": r"(?P<month>\d{1,2})[/.-](?P<year>\d{4})",
    "ym": r"(?P<year>\d{4})[/.-](?P<month>\d{1,2})",
}
_CLOCK = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d{1,9})?)?"
_HALF = r"(?P<half>[ap])\.?\s?m\.?"
_ZONE = r"(?P<zone>Z|[+-]\d{2}:?\d{2})"
# What each kind of format's time looks like: what the profile page tells formats apart by.
_TIMES = {
    "": "",
    "24": rf"(?:\s+{_CLOCK})?",
    "12": rf"(?:\s+{_CLOCK}\s*{_HALF})?",
    "iso": rf"(?:T{_CLOCK}{_ZONE}?)?",
}
# What an import takes after a date of any day-precision format: a time of day written any of
# those ways, so that no row is rejected for writing its time otherwise than the sample did.
_ANY_TIME = rf"(?:(?:\s+|T){_CLOCK}(?:\s*{_HALF})?\s*{_ZONE}?)?"
# What a spreadsheet's date cell reads as (reading.read_table): a date, or a date and a time.
CELL = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?: " + _CLOCK + ")?", re.ASCII)


@dataclass(frozen=True)
class DateFormat:
    code: str  # the strftime pattern stored on the profile
    words: str  # what the profile page says
    order: str  # of the date's parts: a key of _DATES
    clock: str  # "" (no time), "24", "12" or "iso": a key of _TIMES
    example_text: str = ""  # when strftime cannot show it (ISO 8601's Z); "-" for no example

    @property
    def example(self) -> str:
        if self.example_text == "-":
            return ""
        return self.example_text or EXAMPLE.strftime(self.code)

    @property
    def label(self) -> str:
        return f"{self.words} (e.g. {self.example})" if self.example else self.words

    @property
    def as_written(self) -> str:
        """How a value in this format is, in a sentence: "not a date written day/month/year (e.g. 31/01/2026)"."""
        if self is SPREADSHEET_CELLS:
            return "in a spreadsheet date cell"
        if self.order.startswith("custom"):
            return f"in the profile's format (e.g. {self.example})"
        return f"written {self.words} (e.g. {self.example})"

    @property
    def precision(self) -> DatePrecision:
        """Day, or month for a format without a day (like month/year)."""
        return DatePrecision.DAY if "d" in self.order else DatePrecision.MONTH

    def pattern(self) -> re.Pattern:
        """What a value in exactly this format looks like."""
        return re.compile(_DATES[self.order] + _TIMES[self.clock], re.ASCII | re.IGNORECASE)

    def import_pattern(self) -> re.Pattern:
        """What an import reads in this format: its dates, with any time of day or none."""
        times = _ANY_TIME if self.precision == DatePrecision.DAY else ""
        return re.compile(_DATES[self.order] + times, re.ASCII | re.IGNORECASE)


SPREADSHEET_CELLS = DateFormat(
    "%Y-%m-%d %H:%M:%S", "Spreadsheet date cells: no format needed", "ymd", "24", example_text="-",
)
# In order of preference when more than one reads every date of a sample: the UK's day first.
FORMATS = [
    DateFormat("%d/%m/%Y", "day/month/year", "dmy", ""),
    DateFormat("%d/%m/%Y %H:%M", "day/month/year, 24-hour time", "dmy", "24"),
    DateFormat("%d/%m/%Y %I:%M %p", "day/month/year, 12-hour time", "dmy", "12", "31/01/2026 11:15 pm"),
    DateFormat("%Y-%m-%d", "year-month-day", "ymd", ""),
    DateFormat("%Y-%m-%d %H:%M", "year-month-day, 24-hour time", "ymd", "24"),
    DateFormat("%Y-%m-%dT%H:%M:%S", "ISO 8601 date and time", "ymd", "iso", "2026-01-31T23:15:00Z"),
    DateFormat("%m/%d/%Y", "month/day/year (as in the USA)", "mdy", ""),
    DateFormat("%m/%d/%Y %H:%M", "month/day/year (as in the USA), 24-hour time", "mdy", "24"),
    DateFormat("%m/%d/%Y %I:%M %p", "month/day/year (as in the USA), 12-hour time", "mdy", "12", "01/31/2026 11:15 pm"),
    DateFormat("%m/%Y", "month/year, no day", "my", ""),
    DateFormat("%Y-%m", "year-month, no day", "ym", ""),
    SPREADSHEET_CELLS,
]
BY_CODE = {each.code: each for each in FORMATS}
# The same date read the other way round: day/month ↔ month/day.
_SWAPPED = {"dmy": "mdy", "mdy": "dmy"}


def date_format_named(code: str) -> DateFormat:
    """The format a profile stores as `code`: one SaferPlace knows, or one set up before it
    offered them in words (read with strptime, and described by its example)."""
    known = BY_CODE.get(code)
    if known is not None:
        return known
    try:
        example = EXAMPLE.strftime(code)
    except ValueError:
        example = code
    has_day = "%d" in code or "%j" in code
    return DateFormat(code, "The format set up before", "custom-day" if has_day else "custom-month",
                      "custom" if re.search(r"%[HI]", code) else "", example_text=example)


def date_precision(code: str) -> DatePrecision:
    return date_format_named(code).precision


def date_parser(code: str) -> Callable[[str], tuple[date, time | None] | None]:
    """A function from a value to its date and time of day (None where it has no time), or to
    None for a value that is not in the format (nor a spreadsheet date cell). It raises
    ValueError or OverflowError for some values that are no date at all (`dates._parsed` turns
    those into rejections)."""
    chosen = date_format_named(code)
    if chosen.order.startswith("custom"):
        return _strptime_parser(code)
    pattern = chosen.import_pattern()

    def parse(text: str) -> tuple[date, time | None] | None:
        text = text.strip()
        match = pattern.fullmatch(text)
        if match is not None:
            found = _from_match(match)
            if found is not None:
                return found
        cell = CELL.fullmatch(text)
        return _from_match(cell) if cell is not None else None

    return parse


def _from_match(match: re.Match, clock: str = "") -> tuple[date, time | None] | None:
    """The date and time a match stands for (None if it is no date and time); `clock` as for
    `dates.time_of_day`."""
    parts = match.groupdict()
    year = max(int(parts["year"]), 1)  # year 0 reads as year 1, so that it is rejected as before 1900
    day = date(year, int(parts["month"]), int(parts.get("day") or 1))
    if parts.get("hour") is None:
        return day, None
    moment = time_of_day(match, clock=clock if clock in ("12", "24") else "")
    if moment is None:
        return None
    zone = parts.get("zone")
    if zone:
        return _local(datetime.combine(day, moment), zone)
    return day, moment


def _local(moment: datetime, zone: str) -> tuple[date, time]:
    """A time given with its zone (Z or +01:00), in the partnership's time zone."""
    if zone.upper() == "Z":
        offset = UTC
    else:
        sign = -1 if zone[0] == "-" else 1
        hours, minutes = int(zone[1:3]), int(zone[-2:])
        if hours > 23 or minutes > 59:
            raise ValueError(f"no such time zone offset {zone}")
        offset = timezone(sign * timedelta(hours=hours, minutes=minutes))
    local = moment.replace(tzinfo=offset).astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.date(), local.time().replace(tzinfo=None)


def _strptime_parser(code: str) -> Callable[[str], tuple[date, time | None] | None]:
    has_time = bool(re.search(r"%[HIMSp]", code))
    cell = date_parser(SPREADSHEET_CELLS.code)

    def parse(text: str) -> tuple[date, time | None] | None:
        try:
            moment = datetime.strptime(text.strip(), code)
        except (ValueError, OverflowError):  # not this format, or no date at all (year 0)
            return cell(text)
        return moment.date(), (moment.time() if has_time else None)

    return parse


# Detection --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Detected:
    """What a sample's dates say about their format."""

    chosen: DateFormat | None  # the format to offer first (None: the sample has no dates)
    fitting: list[DateFormat]  # every format that reads all the sample's dates
    note: str  # what the analyst should know: an ambiguity, dates no format reads


def date_format_detect(values: Sequence[str], *, spreadsheet: bool = False) -> Detected:
    """The format of a sample's dates: the first of `FORMATS` that reads every one of them, the
    UK's day/month/year being preferred when the dates could be either (every day 12 or less),
    which the note then says. In a spreadsheet, date cells need no format: the format is that of
    the dates typed as text, if any."""
    values = [value.strip() for value in values if value and value.strip()]
    if not values:
        return Detected(None, [], "")
    typed = [value for value in values if CELL.fullmatch(value) is None] if spreadsheet else values
    if spreadsheet and not typed:
        return Detected(SPREADSHEET_CELLS, [SPREADSHEET_CELLS],
                        "The sample's dates are spreadsheet date cells, which are dates already: no format is needed.")
    distinct = list(dict.fromkeys(typed))
    candidates = [each for each in FORMATS if each is not SPREADSHEET_CELLS]
    readers = {each.code: _reads(each) for each in candidates}
    fitting = [each for each in candidates if all(readers[each.code](value) for value in distinct)]
    if fitting:
        chosen = fitting[0]
        return Detected(chosen, fitting, _ambiguity(chosen, fitting, distinct))
    counts = {each.code: sum(1 for value in distinct if readers[each.code](value)) for each in candidates}
    best = max(candidates, key=lambda each: counts[each.code])
    if not counts[best.code]:
        return Detected(None, [], f"None of the formats SaferPlace knows reads the sample's dates, like “{distinct[0]}”.")
    unread = next(value for value in distinct if not readers[best.code](value))
    return Detected(best, [], (
        f"No format reads every date in the sample: “{unread}” is not {best.words}. "
        "Rows with dates like it will be rejected."
    ))


def _reads(chosen: DateFormat) -> Callable[[str], bool]:
    """Whether a value is in this format itself (a spreadsheet cell's text does not count)."""
    pattern = chosen.pattern()

    def reads(value: str) -> bool:
        match = pattern.fullmatch(value)
        if match is None:
            return False
        try:
            return _from_match(match, chosen.clock) is not None
        except (ValueError, OverflowError):
            return False

    return reads


def _ambiguity(chosen: DateFormat, fitting: list[DateFormat], values: list[str]) -> str:
    other = _SWAPPED.get(chosen.order)
    if other is None:
        return ""
    if any(each.order == other and each.clock == chosen.clock for each in fitting):
        return (
            f"Every date in the sample could be day/month/year or month/day/year (no day in it is over 12), "
            f"so SaferPlace has chosen {chosen.words}, the way dates are written in the UK: "
            f"check it against a date you know, like “{values[0]}”."
        )
    if chosen.order == "mdy":
        return f"Dates in the sample such as “{_month_day_evidence(values)}” can only be month/day/year."
    return ""


def _month_day_evidence(values: list[str]) -> str:
    """A value whose second number is over 12 (the day, so the date is month first)."""
    for value in values:
        numbers = re.findall(r"\d+", value, re.ASCII)
        if len(numbers) >= 2 and int(numbers[1]) > 12:
            return value
    return values[0]
