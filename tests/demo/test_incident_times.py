"""The demo's records happen at realistic times of day (the night-time economy's violence and
ASB late in the evening, shoplifting in shop hours, collisions at rush hour), and the partners'
files carry them, so the demo's incidents have their time of day where the source gives one."""

from collections import Counter

import pytest

from saferplace.demo.geography import city_plan
from saferplace.demo.incident_data import incident_rows
from saferplace.incidents.models import Incident
from tests.demo.conftest import END

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def rows(django_db_blocker):
    with django_db_blocker.unblock():
        return incident_rows(plan=city_plan(), size=0.5, seed=11, end=END)


def share(rows: list[dict], category: str, hours: set[int]) -> float:
    chosen = [row for row in rows if row["category"] == category]
    return sum(row["occurred_time"].hour in hours for row in chosen) / len(chosen)


EVENING = {18, 19, 20, 21, 22, 23, 0, 1, 2, 3}
SHOP_HOURS = set(range(9, 18))


def test_every_record_has_a_time_of_day(rows):
    assert all(row["occurred_time"] is not None for row in rows)
    assert incident_rows(plan=city_plan(), size=0.05, seed=11, end=END) == incident_rows(
        plan=city_plan(), size=0.05, seed=11, end=END
    )


def test_violence_and_asb_happen_late_and_shoplifting_in_shop_hours(rows):
    assert share(rows, "violent-crime", EVENING) > 0.6
    assert share(rows, "anti-social-behaviour", EVENING) > 0.6
    assert share(rows, "shoplifting", SHOP_HOURS) > 0.7
    assert share(rows, "road-collision-slight", {7, 8, 9, 15, 16, 17, 18}) > 0.4


def test_friday_and_saturday_nights_are_the_busiest_for_violence(rows):
    nights = Counter(
        row["occurred_on"].weekday() for row in rows
        if row["category"] == "violent-crime" and row["occurred_time"].hour in {0, 1, 2, 3}
    )
    quieter = [nights[day] for day in (1, 2, 3)]  # Tuesday to Thursday small hours
    assert nights[5] > max(quieter) and nights[6] > max(quieter)  # after Friday and Saturday nights


def test_the_demo_keeps_the_times_its_partners_files_carry(city):
    timed = Incident.objects.exclude(occurred_time=None)
    by_source = Counter(timed.values_list("source", flat=True))
    assert by_source["stats19"]  # STATS19's time column
    assert by_source["police-calls"] and by_source["fire-incidents"]  # partners' date-time columns
    assert not Incident.objects.filter(source="police-uk").exclude(occurred_time=None).exists()  # months only
    assert not Incident.objects.filter(source="youth-contacts").exclude(occurred_time=None).exists()  # dates only
