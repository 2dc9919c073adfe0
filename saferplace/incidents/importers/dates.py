"""Dates and times of day in partner files, checked for sense as well as form. A date before 1900
or further ahead than IMPORT_FUTURE_MARGIN_DAYS is a typing mistake, a broken export or a hostile
value, never an incident: its row is rejected naming the field and the value, and the rest of the
file loads. So is a time of day that is no time (25:00, 12:60). Parsing never raises, whatever the
text (docs/decisions.md, "Dates from 1900 to a month ahead")."""

import re
from collections.abc import Callable
from datetime import date, time, timedelta

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils import timezone

EARLIEST_YEAR = 1900

# A time of day as files write it: 17:45, 7:05, 17:45:30, 17:45:30.25, 5:45 pm, 5:45PM, 5.45 p.m.
_TIME = re.compile(
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d{1,9})?)?"
    r"(?:\s*(?P<half>[ap])\.?\s?m\.?)?",
    re.ASCII | re.IGNORECASE,
)


def latest_date() -> date:
    """The latest date an import accepts: today (in TIME_ZONE) and the margin."""
    return timezone.localdate() + timedelta(days=settings.IMPORT_FUTURE_MARGIN_DAYS)


def checked_dates(
    texts: np.ndarray, parse: Callable[[str], date | None], *, field: str, unreadable: Callable[[str], str]
) -> tuple[np.ndarray, np.ndarray]:
    """Each text's date (None where it has none) and the problem with it ("" where none):
    `unreadable(text)` for a text that is not a date, or that the date is before 1900 or in the
    future. Worked out once per distinct text (a police.uk file has one month)."""
    dates, _, problems = checked_dates_and_times(
        texts, lambda text: _with_no_time(parse(text)), field=field, unreadable=unreadable
    )
    return dates, problems


def checked_dates_and_times(
    texts: np.ndarray,
    parse: Callable[[str], tuple[date, time | None] | None],
    *,
    field: str,
    unreadable: Callable[[str], str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """As `checked_dates`, for texts that may carry a time of day too: `parse(text)` gives the
    date and the time (None where the text has none), or None for a text that is not a date and
    time. Returns the dates, the times and the problems."""
    latest = latest_date()
    codes, uniques = pd.factorize(texts)
    dates = np.empty(len(uniques), dtype=object)
    times = np.empty(len(uniques), dtype=object)
    problems = np.empty(len(uniques), dtype=object)
    for position, text in enumerate(uniques):
        value = _parsed(parse, text)
        problem = unreadable(text) if value is None else date_problem(value[0], field=field, text=text, latest=latest)
        dates[position], times[position] = (None, None) if problem else value
        problems[position] = problem
    return dates[codes], times[codes], problems[codes]


def date_problem(value: date, *, field: str, text: str, latest: date) -> str:
    if value.year < EARLIEST_YEAR:
        return f"{field} {text!r} is before {EARLIEST_YEAR}"
    if value > latest:
        return f"{field} {text!r} is in the future"
    return ""


def year_problem(text: str, *, field: str) -> str:
    """Why a year column's value is no year ("" for a year from 1900 to this year, or empty: the
    date's year is used then)."""
    year = text.strip()
    latest = latest_date().year
    if text == "" or (len(year) == 4 and year.isascii() and year.isdigit() and EARLIEST_YEAR <= int(year) <= latest):
        return ""
    return f"{field} {text!r} is not a year from {EARLIEST_YEAR} to {latest}"


def time_of_day(match: re.Match, *, clock: str = "") -> time | None:
    """The time a match of a time pattern (groups hour, minute, second and half, "a" or "p")
    stands for; None if it is no time of day. `clock` "24" refuses an am/pm time, "12" insists on
    one; "" takes either."""
    parts = match.groupdict()
    hour, minute = int(parts["hour"]), int(parts["minute"])
    second = int(parts.get("second") or 0)
    half = (parts.get("half") or "").lower()
    if (clock == "24" and half) or (clock == "12" and not half):
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def parse_time(text: str) -> time | None:
    """A time of day written like 17:45, 17:45:30 or 5:45 pm (None for anything else)."""
    match = _TIME.fullmatch(text.strip())
    return time_of_day(match) if match else None


def checked_times(
    texts: np.ndarray, *, field: str, blank: tuple[str, ...] = ("",), example: str = "17:45"
) -> tuple[np.ndarray, np.ndarray]:
    """Each text's time of day (None where it is blank, or one of the `blank` values) and the
    problem with it ("" where none): a text that is no time of day, like 25:00, rejects its row.
    Worked out once per distinct text."""
    codes, uniques = pd.factorize(texts)
    times = np.empty(len(uniques), dtype=object)
    problems = np.empty(len(uniques), dtype=object)
    for position, text in enumerate(uniques):
        if text.strip() in blank:
            times[position], problems[position] = None, ""
            continue
        value = parse_time(text)
        times[position] = value
        problems[position] = "" if value is not None else f"{field} {text!r} is not a time of day like {example}"
    return times[codes], problems[codes]


def _with_no_time(value: date | None) -> tuple[date, None] | None:
    return None if value is None else (value, None)


def _parsed(parse: Callable[[str], tuple | None], text: str) -> tuple | None:
    try:
        return parse(text)
    except (ValueError, OverflowError):  # e.g. year 0, a year past 9999
        return None
