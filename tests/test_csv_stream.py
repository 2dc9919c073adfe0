"""Every CSV SaferPlace writes neutralises values a spreadsheet would run as a formula (OWASP's
CSV injection guidance), and leaves numbers alone."""

import csv
import io

import pytest
from django.urls import reverse

from saferplace.csv_stream import csv_lines, neutralise
from tests.conftest import make_incident, sign_in


@pytest.mark.parametrize(("value", "written"), [
    ("=HYPERLINK(\"http://evil.example\",\"Click\")", "'=HYPERLINK(\"http://evil.example\",\"Click\")"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\tanything", "'\tanything"),
    ("\rline", "'\rline"),
    (" =1+1", "' =1+1"),  # after spaces or a line break, which a spreadsheet may trim
    ("\n=1+1", "'\n=1+1"),
    ("\uff1dSUM(1+1)", "'\uff1dSUM(1+1)"),  # a full-width equals sign
    (" Burglary", " Burglary"),
    (" -0.5", " -0.5"),
    ("-0.951", "-0.951"),  # a plain number, as text, is a number
    ("+44", "+44"),
    ("1e-5", "1e-5"),
    ("Burglary", "Burglary"),
    (-0.951, -0.951),
    (7, 7),
    (None, None),
])
def test_formula_leading_values_are_neutralised(value, written):
    assert neutralise(value) == written


def test_csv_lines_neutralise_every_cell_and_the_header():
    rows = list(csv.reader(io.StringIO("".join(csv_lines(["=name", "x"], [["=1+1", -0.5], ["ok", "@x"]])))))
    assert rows == [["'=name", "x"], ["'=1+1", "-0.5"], ["ok", "'@x"]]


@pytest.mark.django_db
def test_an_incident_export_neutralises_a_partners_values(client, world, council_analyst):
    make_incident(world, owner="council", category="environmental", external_id="=HYPERLINK(\"http://evil.example\")")
    sign_in(client, council_analyst)
    response = client.get(reverse("web:incident-export"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["external_id"] for row in rows] == ["'=HYPERLINK(\"http://evil.example\")"]
    assert rows[0]["longitude"] == "-0.95"  # numbers untouched
