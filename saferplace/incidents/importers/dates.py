"""Dates in partner files, checked for sense as well as form. A date before 1900 or further
ahead than IMPORT_FUTURE_MARGIN_DAYS is a typing mistake, a broken export or a hostile value,
never an incident: its row is rejected naming the field and the value, and the rest of the file
loads. Parsing never raises, whatever the text (docs/decisions.md, "Dates from 1900 to a month
ahead")."""

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils import timezone

EARLIEST_YEAR = 1900


def latest_date() -> date:
    """The latest date an import accepts: today (in TIME_ZONE) and the margin."""
    return timezone.localdate() + timedelta(days=settings.IMPORT_FUTURE_MARGIN_DAYS)


def checked_dates(
    texts: np.ndarray, parse: Callable[[str], date | None], *, field: str, unreadable: Callable[[str], str]
) -> tuple[np.ndarray, np.ndarray]:
    """Each text's date (None where it has none) and the problem with it ("" where none):
    `unreadable(text)` for a text that is not a date, or that the date is before 1900 or in the
    future. Worked out once per distinct text (a police.uk file has one month)."""
    latest = latest_date()
    codes, uniques = pd.factorize(texts)
    dates = np.empty(len(uniques), dtype=object)
    problems = np.empty(len(uniques), dtype=object)
    for position, text in enumerate(uniques):
        value = _parsed(parse, text)
        problem = unreadable(text) if value is None else date_problem(value, field=field, text=text, latest=latest)
        dates[position], problems[position] = (None if problem else value), problem
    return dates[codes], problems[codes]


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


def _parsed(parse: Callable[[str], date | None], text: str) -> date | None:
    try:
        return parse(text)
    except (ValueError, OverflowError):  # e.g. year 0, a year past 9999
        return None
