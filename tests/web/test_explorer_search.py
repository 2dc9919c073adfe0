"""The explorer's search and the filters added for the night-time economy and for phones: search
by reference, street or postcode, "near me", owner, outcome, hours of the day (past midnight
too), days of the week, sorting; the hours-of-the-week table; words instead of codes; an
explorer with nothing to show says why and offers no downloads. Every one goes through the
access policy, and hostile values are a form error (or a 400 for data and exports), never a 500."""

import csv
import html
import io
import re
from datetime import date, time

import h3
import pytest
from django.conf import settings
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from saferplace.audit.models import AuditEntry
from saferplace.incidents.models import Incident, LocationPrecision, PostcodeCentroid, SourceLabel
from saferplace.incidents.recount import counts_refresh
from tests.conftest import make_location, sign_in

pytestmark = pytest.mark.django_db

POINT_A = (52.4512, -0.9531)
POINT_B = (52.4391, -0.9288)  # about 2.1 km from A

# (reference, owner, data category, taxonomy code, date, time, point, street, outcome, source)
# 3 January 2026 is a Saturday.
ROWS = [
    ("T-POL-1", "police", "asb", "anti-social-behaviour", date(2026, 1, 3), time(23, 15), POINT_A, "On or near High Street", "Under investigation", "police-asb"),
    ("T-POL-2", "police", "asb", "anti-social-behaviour", date(2026, 1, 4), time(2, 30), POINT_B, "On or near Mill Lane", "No further action", "police-asb"),
    ("T-POL-3", "police", "asb", "anti-social-behaviour", date(2026, 1, 5), time(14, 0), POINT_A, "On or near High Street", "", "police-asb"),
    ("T-CC-1", "council", "environmental", "fly-tipping", date(2026, 1, 10), None, POINT_B, "Mill Lane car park", "", "council-environmental"),
    ("T-CC-2", "council", "environmental", "fly-tipping", date(2026, 2, 1), None, None, "", "", "council-environmental"),
    # Not for the council's eyes: a police crime and the BID's own record, both on a Saturday night.
    ("T-POL-CRIME", "police", "crime", "burglary", date(2026, 1, 3), time(22, 0), POINT_A, "On or near High Street", "Under investigation", "police-uk"),
    ("T-BID-1", "bid", "asb", "anti-social-behaviour", date(2026, 1, 3), time(23, 30), POINT_A, "On or near High Street", "Resolved by the BID", "bid-patrols"),
]
COUNCIL_SEES = {"T-POL-1", "T-POL-2", "T-POL-3", "T-CC-1", "T-CC-2"}


def add(world, reference, owner, category, code, when, at, point, street, outcome, source, **extra) -> Incident:
    location = None
    if point or street:
        location = make_location(
            point[0] if point else None, point[1] if point else None,
            precision=LocationPrecision.SNAPPED if point else LocationPrecision.NONE, description=street,
            h3_cell=h3.latlng_to_cell(*point, settings.H3_RESOLUTION) if point else "",
        )
    incident = Incident.objects.create(
        source=source, owning_organisation=world["organisations"][owner], data_category=world["categories"][category],
        external_id=reference, occurred_on=when, occurred_time=at, category_id=code, location=location,
        occurred_precision=extra.pop("precision", "month" if reference == "T-CC-2" else "day"),
        outcome=SourceLabel.objects.get_or_create(text=outcome)[0] if outcome else None, **extra,
    )
    counts_refresh([incident.partition_id])
    return incident


@pytest.fixture
def night(world):
    return {row[0]: add(world, *row) for row in ROWS}


def _listed(client, query: str = "") -> list[str]:
    """The references in the list, in its order."""
    content = client.get(reverse("web:incident-list") + query).content.decode()
    table = content.split('id="list"', 1)[1]
    return re.findall(r'href="/incidents/\d+/">([^<]+)</a>', table)


def _errors(client, query: str) -> str:
    response = client.get(reverse("web:incident-list") + query)
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "There is a problem with the filters" in content
    return content


# --- hours of the day and days of the week ---------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ("?hour_from=14&hour_to=15", {"T-POL-3"}),
    ("?hour_from=22&hour_to=4", {"T-POL-1", "T-POL-2"}),  # past midnight; not the crime or the BID's
    ("?hour_from=23", {"T-POL-1"}),  # to midnight
    ("?hour_from=22&hour_to=0", {"T-POL-1"}),  # "to 00:00" is to midnight
    ("?hour_to=3", {"T-POL-2"}),  # from midnight
    ("?hour_from=0", {"T-POL-1", "T-POL-2", "T-POL-3"}),  # any hour, but a time must be recorded
    ("?hour_from=5&hour_to=5", {"T-POL-1", "T-POL-2", "T-POL-3"}),  # the whole day from 05:00
    ("?weekday=6", {"T-POL-1", "T-CC-1"}),  # Saturdays
    ("?weekday=6&weekday=7", {"T-POL-1", "T-POL-2", "T-CC-1"}),  # not T-CC-2: dated to the month only
    ("?weekday=6&weekday=7&hour_from=22&hour_to=6", {"T-POL-1", "T-POL-2"}),
])
def test_hours_and_days_filter_the_list(client, council_analyst, night, query, expected):
    sign_in(client, council_analyst)
    assert set(_listed(client, query)) == expected


def test_the_list_shows_the_time_and_day_where_there_is_one(client, council_analyst, night):
    sign_in(client, council_analyst)
    content = client.get(reverse("web:incident-list")).content.decode()
    row = content.split(">T-POL-1<", 1)[1].split("</tr>", 1)[0]
    assert "3 Jan 2026" in row and "11:15pm, Saturday" in row  # as the incident page writes it
    assert "23:15" not in row
    row = content.split(">T-POL-2<", 1)[1].split("</tr>", 1)[0]
    assert "2:30am, Sunday" in row
    row = content.split(">T-CC-2<", 1)[1].split("</tr>", 1)[0]
    assert "Feb 2026" in row and "month only" in row


def _heatmap(content: str) -> dict[str, list[int]]:
    table = content.split("Incidents in each hour of each day", 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in table.split("<tr")[2:]:
        cells = re.findall(r">\s*([^<>]+?)\s*</t[hd]>", row)
        rows[cells[0]] = [int(cell.replace(",", "")) for cell in cells[1:]]
    return rows


def test_hours_of_the_week_count_only_what_the_viewer_may_see(client, council_analyst, night):
    sign_in(client, council_analyst)
    content = html.unescape(client.get(reverse("web:incident-list")).content.decode())
    grid = _heatmap(content)
    assert len(grid) == 24 and all(len(counts) == 7 for counts in grid.values())
    assert grid["23:00"] == [0, 0, 0, 0, 0, 1, 0]  # Saturday: the police ASB, not the BID's record
    assert grid["22:00"] == [0] * 7  # the burglary is not the council's to see
    assert grid["02:00"] == [0, 0, 0, 0, 0, 0, 1]
    assert grid["14:00"] == [1, 0, 0, 0, 0, 0, 0]
    assert sum(map(sum, grid.values())) == 3
    assert "2 other incidents have no time of day recorded" in content
    assert "Monday" in content  # days named in full for screen readers


def test_hours_of_the_week_follow_the_filters(client, council_analyst, night):
    sign_in(client, council_analyst)
    content = html.unescape(client.get(reverse("web:incident-list") + "?weekday=7").content.decode())
    assert sum(map(sum, _heatmap(content).values())) == 1
    content = client.get(reverse("web:incident-list") + "?category=fly-tipping").content.decode()
    assert "None of these incidents has a time of day recorded" in content


# --- owner and outcome -----------------------------------------------------------------------


def test_owner_choices_are_the_organisations_whose_records_the_viewer_may_see(client, council_analyst, night):
    sign_in(client, council_analyst)
    content = client.get(reverse("web:incident-list")).content.decode()
    select = content.split('id="id_owner"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "Fenshire Police", "Riverford City Council"]
    assert set(_listed(client, "?owner=Fenshire+Police")) == {"T-POL-1", "T-POL-2", "T-POL-3"}


@pytest.mark.parametrize(("persona", "owner", "hidden"), [
    ("council_analyst", "Riverford Business Improvement District", {"T-BID-1"}),
    ("bid_analyst", "Fenshire Police", {"T-POL-1", "T-POL-2", "T-POL-3", "T-POL-CRIME"}),  # no agreement at all
])
def test_the_owner_filter_reveals_nothing_the_policy_hides(client, request, night, persona, owner, hidden):
    sign_in(client, request.getfixturevalue(persona))
    query = "?owner=" + owner.replace(" ", "+")
    content = _errors(client, query)
    assert content.count("Choose an organisation from the list") >= 2
    assert not set(_listed(client, query)) & hidden
    response = client.get(reverse("web:incident-export") + query)
    assert response.status_code == 400
    api = client.get("/api/v1/incidents", {"owner": owner}).json()
    assert api["count"] == 0 and api["results"] == []


def test_outcome_filter(client, council_analyst, night):
    sign_in(client, council_analyst)
    assert _listed(client, "?outcome=No+further+action") == ["T-POL-2"]
    content = client.get(reverse("web:incident-list")).content.decode()
    select = content.split('id="id_outcome"', 1)[1].split("</select>", 1)[0]
    assert "Resolved by the BID" not in select  # the BID's outcome is not the council's to see
    assert "Under investigation" in select


# --- search, postcode and near me ------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ("?q=T-POL-2", {"T-POL-2"}),
    ("?q=t-pol-2", {"T-POL-2"}),
    ("?q=high+street", {"T-POL-1", "T-POL-3"}),  # not the crime or the BID's record on the same street
    ("?q=Mill+Lane", {"T-POL-2", "T-CC-1"}),
    # A street as the pages write it, with its road number: the number is no part of the search.
    ("?q=High+Street+%28A1%29", {"T-POL-1", "T-POL-3"}),
    ("?q=mill+lane+(b1234)", {"T-POL-2", "T-CC-1"}),
    ("?q=High+Street+(M1)", {"T-POL-1", "T-POL-3"}),
    ("?q=High+Street+(A1(M))", {"T-POL-1", "T-POL-3"}),
    ("?q=High+Street+(A615)+", {"T-POL-1", "T-POL-3"}),
    ("?q=(A615)", set()),  # nothing but a number: searched as it is
    ("?q=100%25", set()),  # a wildcard is only a character
    ("?q=_", set()),
])
def test_search_by_reference_or_street(client, council_analyst, night, query, expected):
    sign_in(client, council_analyst)
    assert set(_listed(client, query)) == expected


def test_search_by_postcode_looks_around_it(client, council_analyst, night):
    PostcodeCentroid.objects.create(postcode="RV11AA", latitude=POINT_A[0], longitude=POINT_A[1])
    sign_in(client, council_analyst)
    assert set(_listed(client, "?q=rv1+1aa")) == {"T-POL-1", "T-POL-3"}
    assert set(_listed(client, "?q=RV11AA&radius=2000")) == {"T-POL-1", "T-POL-3"}  # B is 2.1 km away
    content = client.get(reverse("web:incident-list") + "?q=rv1+1aa&radius=250").content.decode()
    assert "Within 250 metres of RV1 1AA" in content  # the selected filter, removable
    content = _errors(client, "?q=ZZ9+9ZZ")
    assert content.count("There is no location for the postcode ZZ9 9ZZ") >= 2


def test_near_me_looks_around_the_given_point(client, council_analyst, night):
    sign_in(client, council_analyst)
    query = f"?latitude={POINT_B[0]}&longitude={POINT_B[1]}"
    assert set(_listed(client, query)) == {"T-POL-2", "T-CC-1"}
    assert set(_listed(client, query + "&radius=250")) == {"T-POL-2", "T-CC-1"}
    content = client.get(reverse("web:incident-list") + query + "&radius=1000").content.decode()
    assert "Within 1 kilometre of your location" in content
    # The selected filter's tag removes both coordinates.
    assert 'href="?radius=1000"' in content


def test_near_me_without_javascript_has_no_button_to_press(client, council_analyst, night):
    sign_in(client, council_analyst)
    content = client.get(reverse("web:incident-list")).content.decode()
    button = content.split('data-module="app-near-me"', 1)[1].split(">", 1)[0]
    assert "hidden" in button  # the script shows it where the browser can give a location
    assert 'name="latitude"' not in content


@pytest.mark.parametrize("query", [
    "latitude=nan&longitude=0", "latitude=inf&longitude=0", "latitude=91&longitude=0", "latitude=0&longitude=181",
    "latitude=1e400&longitude=1", "latitude=abc&longitude=1", "latitude=52.4", "longitude=-0.9",
    "latitude=52.4&longitude=-0.9&q=RV1+1AA",
])
def test_a_location_that_is_no_place_is_a_form_error(client, council_analyst, night, query):
    PostcodeCentroid.objects.create(postcode="RV11AA", latitude=POINT_A[0], longitude=POINT_A[1])
    sign_in(client, council_analyst)
    content = _errors(client, "?" + query)
    assert "Your location could not be used" in content or "not both" in content
    assert set(_listed(client, "?" + query)) <= COUNCIL_SEES


# --- sorting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("sort", "order"), [
    ("", ["T-CC-2", "T-CC-1", "T-POL-3", "T-POL-2", "T-POL-1"]),
    ("newest", ["T-CC-2", "T-CC-1", "T-POL-3", "T-POL-2", "T-POL-1"]),
    ("oldest", ["T-POL-1", "T-POL-2", "T-POL-3", "T-CC-1", "T-CC-2"]),
    ("category", ["T-POL-3", "T-POL-2", "T-POL-1", "T-CC-2", "T-CC-1"]),  # Anti-social behaviour, then Fly-tipping
])
def test_sorting(client, council_analyst, night, sort, order):
    sign_in(client, council_analyst)
    assert _listed(client, f"?sort={sort}") == order


def test_sorting_by_time_within_a_day(client, council_analyst, night, world):
    add(world, "T-POL-4", "police", "asb", "anti-social-behaviour", date(2026, 1, 3), time(9, 0), POINT_A, "", "", "police-asb")
    add(world, "T-POL-5", "police", "asb", "anti-social-behaviour", date(2026, 1, 3), None, POINT_A, "", "", "police-asb")
    sign_in(client, council_analyst)
    newest = _listed(client, "?sort=newest&weekday=6")
    assert newest.index("T-POL-1") < newest.index("T-POL-4")  # 23:15 before 09:00 on the same day
    oldest = _listed(client, "?sort=oldest&weekday=6")
    assert oldest.index("T-POL-4") < oldest.index("T-POL-1")


# --- hostile values --------------------------------------------------------------------------


HOSTILE = [
    ("hour_from=24", "Choose the 'from' time from the list"),
    ("hour_from=-1", "Choose the 'from' time from the list"),
    ("hour_from=abc", "Choose the 'from' time from the list"),
    ("hour_from=1.5", "Choose the 'from' time from the list"),
    ("hour_to=99999999999999999999999", "Choose the 'to' time from the list"),
    ("weekday=8", "Choose days of the week from the list"),
    ("weekday=0", "Choose days of the week from the list"),
    ("weekday=Monday", "Choose days of the week from the list"),
    ("sort=random", "Choose an order from the list"),
    ("sort=-occurred_on", "Choose an order from the list"),
    ("radius=10", "Choose a distance from the list"),
    ("radius=1e9", "Choose a distance from the list"),
    ("owner=%00", "Choose an organisation from the list"),
    ("outcome=Nothing+like+it", "Choose an outcome from the list"),
    ("q=" + "x" * 101, "at most 100 characters"),
    ("q=a%00b", "Null characters are not allowed"),
]


@pytest.mark.parametrize(("query", "message"), HOSTILE)
def test_hostile_values_are_form_errors_never_a_500(client, council_analyst, night, query, message):
    sign_in(client, council_analyst)
    content = _errors(client, "?" + query)
    assert message in content
    assert "govuk-error-message" in content
    assert set(_listed(client, "?" + query)) == COUNCIL_SEES  # the bad filter is left out, nothing more is shown


@pytest.mark.parametrize(("query", "message"), HOSTILE[:12])
def test_hostile_values_refuse_data_and_exports_with_a_400(client, council_analyst, night, query, message):
    sign_in(client, council_analyst)
    before = AuditEntry.objects.count()
    for name in ("web:incident-export", "web:incident-export-geojson", "web:incident-hexagons"):
        response = client.get(reverse(name) + "?" + query)
        assert response.status_code == 400, name
    assert AuditEntry.objects.count() == before


# --- exports and the audit trail -------------------------------------------------------------


def test_exports_follow_the_new_filters_and_the_audit_keeps_them(client, council_analyst, night):
    sign_in(client, council_analyst)
    response = client.get(reverse("web:incident-export") + "?hour_from=22&hour_to=4&weekday=6&weekday=7")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["external_id"] for row in rows} == {"T-POL-1", "T-POL-2"}
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry.action == "export"
    assert entry.details["filters"] == {"hour_from": 22, "hour_to": 4, "weekdays": [6, 7]}

    client.get(reverse("web:incident-list") + "?hour_from=0&hour_to=6&owner=Fenshire+Police")
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.details["filters"]) == ("view", {"owner": "Fenshire Police", "hour_from": 0, "hour_to": 6})
    assert entry.record_ids.strip(",") == str(night["T-POL-2"].pk)


# --- words, not codes ------------------------------------------------------------------------


def test_sources_and_filters_are_shown_by_name(client, police_officer, night):
    sign_in(client, police_officer)
    content = client.get(reverse("web:incident-list") + "?source=police-uk&owner=Fenshire+Police").content.decode()
    source_select = content.split('id="id_source"', 1)[1].split("</select>", 1)[0]
    assert '<option value="police-uk" selected>police.uk street-level crime</option>' in source_select
    assert ">Police ASB</option>" in source_select
    selected = content.split("Selected filters", 1)[1].split("moj-filter__options", 1)[0]
    assert "police.uk street-level crime" in selected and "police-uk" not in selected.replace('source=police-uk', '')
    row = content.split(">T-POL-CRIME<", 1)[1].split("</tr>", 1)[0]
    assert "police.uk street-level crime" in row and "Burglary" in row and "Under investigation" in row
    assert "police-uk<" not in content and ">burglary<" not in content


def test_the_search_tag_names_the_street_without_its_road_number(client, council_analyst, night):
    sign_in(client, council_analyst)
    content = html.unescape(client.get(reverse("web:incident-list") + "?q=High+Street+(A1)").content.decode())
    selected = content.split("Selected filters", 1)[1].split("moj-filter__options", 1)[0]
    assert "“High Street”" in selected


@pytest.mark.parametrize(("value", "written"), [
    (255454.0, "255,454"), (12.5, "12.5"), (0, "0"), (2.96, "3"), (1234.04, "1,234"), (None, "0"),
])
def test_harm_is_written_with_no_pointless_decimal(value, written):
    formats = engines["jinja2"].env.get_template("incidents/_formats.html").module
    assert str(formats.harm(value)) == written


@pytest.mark.parametrize(("at", "written"), [
    (time(1, 43), "1:43am"), (time(23, 15), "11:15pm"), (time(0, 0), "Midnight"), (time(12, 0), "Midday"),
    (time(12, 5), "12:05pm"), (time(0, 30), "12:30am"),
])
def test_a_time_of_day_is_written_the_same_on_every_page(at, written):
    formats = engines["jinja2"].env.get_template("incidents/_formats.html").module
    assert str(formats.time_of_day(at)) == written


def test_counts_read_as_english(client, council_analyst, night):
    sign_in(client, council_analyst)
    content = client.get(reverse("web:incident-list") + "?q=T-POL-2").content.decode()
    assert ">1 incident<" in content and "1 incidents" not in content
    assert re.search(r"total harm [\d,]+(\.[1-9])?\.", content) and not re.search(r"total harm [\d,]+\.0\.", content)
    content = client.get(reverse("web:incident-list") + "?category=fly-tipping").content.decode()
    assert "1 incident has no location" in content


# --- nothing to show -------------------------------------------------------------------------


def test_an_explorer_with_no_agreement_and_no_records_says_why_and_offers_no_downloads(client, bid_analyst):
    sign_in(client, bid_analyst)
    content = client.get(reverse("web:incident-list")).content.decode()
    assert "not party to a sharing agreement in force" in content
    assert "Download" not in content
    assert reverse("web:incident-export") not in content and reverse("web:incident-export-geojson") not in content
    assert 'data-module="app-hex-map"' not in content


def test_an_explorer_with_an_agreement_but_no_records_says_so(client, health_analyst):
    sign_in(client, health_analyst)
    content = client.get(reverse("web:incident-list")).content.decode()
    assert "Your organisation is party to a sharing agreement, but no records" in content
    assert reverse("web:incident-export") not in content


def test_filters_that_match_nothing_offer_no_downloads(client, council_analyst, night):
    sign_in(client, council_analyst)
    content = client.get(reverse("web:incident-list") + "?q=nothing-like-it").content.decode()
    assert "No incidents you may see match these filters" in content
    assert reverse("web:incident-export") not in content
    assert "Filter" in content  # the filters stay, to change


# --- the number of queries does not grow with the rows ---------------------------------------


def test_the_list_page_queries_do_not_grow_with_its_rows(client, council_analyst, night, world):
    sign_in(client, council_analyst)
    client.get(reverse("web:incident-list"))  # warm the session and the viewer

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("web:incident-list")).status_code == 200
        return len(captured)

    few = queries()
    for number in range(30):
        add(world, f"T-MORE-{number}", "police", "asb", "anti-social-behaviour", date(2026, 1, 1 + number % 28),
            time(number % 24, 0), POINT_A if number % 2 else POINT_B, f"Street {number}", f"Outcome {number % 3}",
            f"source-{number % 2}")
    assert queries() == few
