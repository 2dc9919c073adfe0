"""The mapping profile page asks how dates are written in words, with the format detected from
the sample chosen; it never shows a strftime pattern, and says when the sample's dates could be
read either way round, or are spreadsheet date cells that need no format."""

import csv
import html
import io
import re
from datetime import datetime

import pytest
from django.urls import reverse
from openpyxl import Workbook

from saferplace.incidents.models import MappingProfile
from tests.conftest import sign_in
from tests.web.test_imports import data_dir, profile_data, upload_sample  # noqa: F401 (data_dir: autouse)

pytestmark = pytest.mark.django_db

HEADER = ["Reference", "Date reported", "Type", "Latitude", "Longitude", "Street", "Logged"]


def sample(dates: list[str], logged: list[str] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    types = ["Fly tip", "Graffiti", "Dog fouling"]
    for number, value in enumerate(dates):
        writer.writerow([f"ENV-{number}", value, types[number % 3], "52.451", "-0.951", "High Street",
                         (logged or dates)[number]])
    return buffer.getvalue().encode()


def date_radios(page: str) -> dict[str, bool]:
    """The date format radios on the page: their words → whether checked."""
    radios = {}
    for match in re.finditer(r'<input class="govuk-radios__input"[^>]*name="date_format"[^>]*>\s*<label[^>]*>\s*([^<]+?)\s*</label>',
                             page):
        radios[html.unescape(match.group(1))] = " checked" in match.group(0)
    return radios


def test_the_detected_format_is_chosen_in_words_and_saved(client, council_analyst, world):
    sign_in(client, council_analyst)
    url = upload_sample(client, reverse("web:profile-create"), "calls.csv",
                        sample(["13/05/2026 23:15", "14/05/2026 08:05", "15/05/2026 19:40"]))
    page = client.get(url).content.decode()

    assert "How are the dates written?" in page
    assert date_radios(page) == {"day/month/year, 24-hour time (e.g. 31/01/2026 23:15)": True}
    shown = re.sub(r"<[^>]+>", "", page)  # what the page says (the pattern is only the radios' value)
    assert "%d" not in shown and "%Y" not in shown and "strftime" not in shown
    assert "A time of day after the date is kept" in page

    response = client.post(url, profile_data(world, page, date_format="%d/%m/%Y %H:%M", dates_column="Date reported"))
    assert response.status_code == 302, response.content.decode()
    assert MappingProfile.objects.get().date_format == "%d/%m/%Y %H:%M"


def test_dates_that_could_be_either_way_round_are_read_the_uk_way_and_the_page_says_so(client, council_analyst):
    sign_in(client, council_analyst)
    url = upload_sample(client, reverse("web:profile-create"), "env.csv", sample(["03/05/2026", "04/05/2026"]))
    page = html.unescape(client.get(url).content.decode())

    radios = date_radios(page)
    assert radios["day/month/year (e.g. 31/01/2026)"] is True
    assert radios["month/day/year (as in the USA) (e.g. 01/31/2026)"] is False
    assert "Every date in the sample could be day/month/year or month/day/year (no day in it is over 12)" in page
    assert "SaferPlace has chosen day/month/year, the way dates are written in the UK" in page


def test_a_spreadsheet_of_date_cells_needs_no_format(client, council_analyst, tmp_path):
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["ENV-1", datetime(2026, 5, 3, 23, 15), "Fly tip", "52.451", "-0.951", "High Street", ""])
    workbook.active.append(["ENV-2", datetime(2026, 5, 4), "Fly tip", "52.451", "-0.951", "High Street", ""])
    path = tmp_path / "env.xlsx"
    workbook.save(path)
    sign_in(client, council_analyst)
    url = upload_sample(client, reverse("web:profile-create"), "env.xlsx", path.read_bytes())
    page = html.unescape(client.get(url).content.decode())

    assert date_radios(page) == {"Spreadsheet date cells: no format needed": True}
    assert "The sample's dates are spreadsheet date cells, which are dates already: no format is needed." in page
    assert "Dates in spreadsheet date cells are read as they are, whichever is chosen here" in page


def test_choosing_another_date_column_reads_its_dates_before_saving(client, council_analyst, world):
    sign_in(client, council_analyst)
    url = upload_sample(client, reverse("web:profile-create"), "calls.csv",
                        sample(["13/05/2026", "14/05/2026", "15/05/2026"],
                               logged=["2026-05-13T23:15:00Z", "2026-05-14T08:05:00Z", "2026-05-15T10:00:00Z"]))
    page = client.get(url).content.decode()
    data = profile_data(world, page, date_column="Logged", date_format="%d/%m/%Y", dates_column="Date reported")
    response = client.post(url, data)
    content = html.unescape(response.content.decode())

    assert not MappingProfile.objects.exists()
    assert "Check how the dates in the column “Logged” are written, then save." in content
    assert date_radios(content) == {"ISO 8601 date and time (e.g. 2026-01-31T23:15:00Z)": True}

    # The refresh button reads them too, keeping what was entered.
    refreshed = html.unescape(client.post(url, data | {"action": "refresh"}).content.decode())
    assert date_radios(refreshed) == {"ISO 8601 date and time (e.g. 2026-01-31T23:15:00Z)": True}
