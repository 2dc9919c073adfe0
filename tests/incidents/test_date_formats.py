"""How a partner's file writes its dates, detected from a sample and offered in words: the
format that reads every date, the UK's day/month/year when the dates could be either (and the
page says so), spreadsheet date cells needing no format, and no strftime shown to anyone."""

from datetime import date, time

import pytest

from saferplace.incidents.importers.date_formats import (
    FORMATS,
    SPREADSHEET_CELLS,
    date_format_detect,
    date_format_named,
    date_parser,
    date_precision,
)
from saferplace.incidents.profiles import date_format_options


def detected_words(values: list[str], *, spreadsheet: bool = False) -> str:
    found = date_format_detect(values, spreadsheet=spreadsheet)
    return found.chosen.label if found.chosen else ""


@pytest.mark.parametrize(("values", "words"), [
    (["31/01/2026", "15/02/2026"], "day/month/year (e.g. 31/01/2026)"),
    (["31/01/2026 23:15", "15/02/2026 08:05", "16/02/2026"], "day/month/year, 24-hour time (e.g. 31/01/2026 23:15)"),
    (["31/01/2026 11:15 pm", "15/02/2026 8:05 AM"], "day/month/year, 12-hour time (e.g. 31/01/2026 11:15 pm)"),
    (["01/31/2026", "02/15/2026"], "month/day/year (as in the USA) (e.g. 01/31/2026)"),
    (["01/31/2026 23:15"], "month/day/year (as in the USA), 24-hour time (e.g. 01/31/2026 23:15)"),
    (["2026-01-31", "2026-02-15"], "year-month-day (e.g. 2026-01-31)"),
    (["2026-01-31 23:15:00", "2026-02-15 08:05"], "year-month-day, 24-hour time (e.g. 2026-01-31 23:15)"),
    (["2026-01-31T23:15:00Z", "2026-02-15T08:05:00+00:00"], "ISO 8601 date and time (e.g. 2026-01-31T23:15:00Z)"),
    (["01/2026", "12/2025"], "month/year, no day (e.g. 01/2026)"),
    (["2026-01", "2025-12"], "year-month, no day (e.g. 2026-01)"),
])
def test_the_format_that_reads_every_sample_date_is_detected_and_said_in_words(values, words):
    assert detected_words(values) == words
    assert "%" not in words


def test_every_format_is_offered_in_words_with_an_example_and_no_strftime():
    labels = [each.label for each in FORMATS]
    assert "day/month/year, 24-hour time (e.g. 31/01/2026 23:15)" in labels
    assert all("%" not in label for label in labels)
    assert len(set(labels)) == len(labels)
    for each in FORMATS:  # each format reads its own example
        if each is not SPREADSHEET_CELLS:
            assert each in date_format_detect([each.example]).fitting


def test_dates_that_could_be_either_way_round_are_read_day_first_and_the_page_says_so():
    found = date_format_detect(["01/02/2026", "03/04/2026 10:30", "12/11/2025"])
    assert found.chosen.words == "day/month/year, 24-hour time"
    assert "Every date in the sample could be day/month/year or month/day/year (no day in it is over 12)" in found.note
    assert "SaferPlace has chosen day/month/year, 24-hour time, the way dates are written in the UK" in found.note
    assert {each.words for each in found.fitting} >= {"day/month/year, 24-hour time",
                                                       "month/day/year (as in the USA), 24-hour time"}


def test_a_day_over_12_settles_the_order_and_says_why_for_month_first():
    assert date_format_detect(["01/02/2026", "13/02/2026"]).note == ""
    found = date_format_detect(["01/02/2026", "02/13/2026"])
    assert found.chosen.words == "month/day/year (as in the USA)"
    assert found.note == "Dates in the sample such as “02/13/2026” can only be month/day/year."


def test_dates_no_format_reads_are_named():
    found = date_format_detect(["03/05/2026", "7th May", "04/05/2026"])
    assert found.chosen.words == "day/month/year" and found.fitting == []
    assert found.note == "No format reads every date in the sample: “7th May” is not day/month/year. Rows with dates like it will be rejected."
    nothing = date_format_detect(["soon", "later"])
    assert nothing.chosen is None and "None of the formats SaferPlace knows reads the sample's dates, like “soon”" in nothing.note
    assert date_format_detect(["", "  "]) == date_format_detect([])


def test_a_spreadsheet_of_date_cells_needs_no_format():
    found = date_format_detect(["2026-05-03", "2026-05-04 23:15:00"], spreadsheet=True)
    assert found.chosen is SPREADSHEET_CELLS and found.chosen.label == "Spreadsheet date cells: no format needed"
    assert "no format is needed" in found.note
    # Dates typed as text among the cells decide the format; the cells are read whatever it is.
    assert date_format_detect(["2026-05-03", "13/05/2026"], spreadsheet=True).chosen.words == "day/month/year"


def test_parsing_reads_dates_times_and_zones_and_refuses_what_is_no_date():
    parse = date_parser("%d/%m/%Y %H:%M")
    assert parse("31/01/2026 23:15") == (date(2026, 1, 31), time(23, 15))
    assert parse("31/01/2026") == (date(2026, 1, 31), None)
    assert parse("31/01/2026 11:15 pm") == (date(2026, 1, 31), time(23, 15))  # any way of writing the time
    assert parse("2026-01-31 23:15:00") == (date(2026, 1, 31), time(23, 15))  # a spreadsheet cell
    assert parse("31/01/2026 24:00") is None and parse("Tuesday") is None
    assert date_parser("%Y-%m-%dT%H:%M:%S")("2026-06-30T23:30:00Z") == (date(2026, 7, 1), time(0, 30))  # BST
    assert date_parser("%d/%m/%Y")("01/01/0000") == (date(1, 1, 1), None)  # rejected as before 1900
    for no_date in ("31/02/2026", "31/13/2026"):
        with pytest.raises(ValueError):
            parse(no_date)  # the import turns this into a rejection naming the value


def test_a_format_set_up_before_keeps_working_and_is_described_by_its_example():
    legacy = date_format_named("%d-%b-%Y")
    assert legacy.label == "The format set up before (e.g. 31-Jan-2026)"
    assert date_parser("%d-%b-%Y")("03-May-2026") == (date(2026, 5, 3), None)
    assert date_parser("%d-%b-%Y %H:%M")("03-May-2026 21:40") == (date(2026, 5, 3), time(21, 40))
    assert (date_precision("%b %Y"), date_precision("%d-%b-%Y"), date_precision("%m/%Y")) == ("month", "day", "month")


HEADER = ["Ref", "Date", "Type"]


def rows_with(dates: list[str]) -> list[list[str]]:
    return [[f"R{number}", value, "Fly tip"] for number, value in enumerate(dates)]


def test_the_profile_page_offers_the_fitting_formats_with_the_detected_one_chosen():
    options = date_format_options(header=HEADER, rows=rows_with(["31/01/2026 23:15", "01/02/2026 10:00"]), column="Date")
    assert options.chosen == "%d/%m/%Y %H:%M"
    assert options.choices == [("%d/%m/%Y %H:%M", "day/month/year, 24-hour time (e.g. 31/01/2026 23:15)")]
    assert options.note == "" and not options.spreadsheet


def test_the_profile_page_keeps_a_profiles_format_while_it_still_reads_the_sample():
    ambiguous = rows_with(["01/02/2026", "03/04/2026"])
    kept = date_format_options(header=HEADER, rows=ambiguous, column="Date", current="%m/%d/%Y")
    assert kept.chosen == "%m/%d/%Y"
    assert "could be day/month/year or month/day/year" in kept.note
    replaced = date_format_options(header=HEADER, rows=rows_with(["2026-01-31"]), column="Date", current="%d/%m/%Y")
    assert replaced.chosen == "%Y-%m-%d"
    assert "%d/%m/%Y" in dict(replaced.choices)  # the profile's own is still offered
    # Without a sample every format is offered, the profile's chosen.
    everything = date_format_options(header=HEADER, rows=[], column="Date", current="%d/%m/%Y")
    assert everything.chosen == "%d/%m/%Y" and len(everything.choices) == len(FORMATS)


def test_the_profile_page_offers_no_format_for_a_spreadsheet_of_date_cells():
    options = date_format_options(header=HEADER, rows=rows_with(["2026-05-03", "2026-05-04 23:15:00"]), column="Date",
                                  spreadsheet=True)
    assert options.choices == [(SPREADSHEET_CELLS.code, "Spreadsheet date cells: no format needed")]
    assert options.chosen == SPREADSHEET_CELLS.code and options.spreadsheet
