"""Repeats: the Knox table is every pair counted right, a planted near-repeat pattern is found
with its live risk areas and a random one is not, and repeat locations follow the rules."""

from datetime import date, timedelta
from itertools import combinations

import numpy as np
import pytest
from django.core.management import call_command

from saferplace.analysis.knox import MOST_PAIRS, TooManyPairs, _band, _metres, knox
from saferplace.analysis.models import RepeatRule, RepeatSubject
from saferplace.analysis.repeat_selectors import near_repeat_find, repeats_find
from saferplace.incidents.models import Incident, IncidentPerson, LocationPrecision
from saferplace.incidents.pseudonyms import pseudonym
from saferplace.incidents.recount import counts_rebuild
from saferplace.incidents.selectors import IncidentFilters
from tests.conftest import make_location, viewer

DISTANCES, TIMES = [0.0, 100.0, 200.0], [7, 14]
METRE = 1 / 111_320


def _scatter(rng, number: int):
    return (52.45 + rng.uniform(-0.03, 0.03, number), -0.95 + rng.uniform(-0.05, 0.05, number),
            rng.integers(0, 365, number))


def test_the_table_counts_every_pair_in_its_bands():
    rng = np.random.default_rng(4)
    latitudes, longitudes, days = _scatter(rng, 150)
    latitudes[:5], longitudes[:5] = latitudes[0], longitudes[0]  # five at the same place
    table = knox(latitudes, longitudes, days, distance_edges=DISTANCES, time_edges=TIMES, permutations=9)
    points = _metres(latitudes, longitudes)
    expected = np.zeros(table.observed.shape)
    for first, second in combinations(range(150), 2):
        distance = np.linalg.norm(points[first] - points[second])
        expected[_band(np.array([distance]), DISTANCES)[0], _band(np.array([abs(days[first] - days[second])]), TIMES)[0]] += 1
    assert np.array_equal(table.observed, expected) and expected[0].sum() >= 10
    assert np.allclose(table.expected.sum(), 150 * 149 / 2)


def test_a_planted_near_repeat_pattern_is_found_and_a_random_one_is_not():
    rng = np.random.default_rng(8)
    latitudes, longitudes, days = _scatter(rng, 300)
    follow = rng.integers(0, 300, 120)  # 120 burglaries within 80 m and 5 days of an earlier one
    latitudes = np.concatenate([latitudes, latitudes[follow] + rng.uniform(-60, 60, 120) * METRE])
    longitudes = np.concatenate([longitudes, longitudes[follow] + rng.uniform(-60, 60, 120) * METRE / 0.61])
    days = np.concatenate([days, days[follow] + rng.integers(1, 6, 120)])
    planted = knox(latitudes, longitudes, days, distance_edges=DISTANCES, time_edges=TIMES, permutations=99)
    assert planted.ratios[1, 0] > 3 and planted.p_values[1, 0] <= 0.01
    random = knox(*_scatter(rng, 420), distance_edges=DISTANCES, time_edges=TIMES, permutations=99)
    assert (random.p_values[:-1, :-1] <= 0.01).sum() <= 1


def test_too_many_pairs_are_refused_with_what_to_do():
    crowded = np.full(2100, 52.45)
    with pytest.raises(TooManyPairs, match="choose a shorter period"):
        knox(crowded, crowded * 0 - 0.95, np.arange(2100), distance_edges=DISTANCES, time_edges=TIMES, permutations=9)
    assert MOST_PAIRS < 2100 * 2099 / 2


@pytest.fixture
def burgled(world):
    """The council's records (exact points, dated to the day): a street of near repeats, one
    house burgled four times in a fortnight, and scattered ones."""
    rng = np.random.default_rng(3)
    rows = []
    end = date(2026, 10, 31)

    def add(latitude, longitude, day, number):
        rows.append(Incident(source="test", owning_organisation=world["organisations"]["council"],
                             data_category=world["categories"]["environmental"], external_id=f"B-{number}",
                             occurred_on=day, category_id="fly-tipping",
                             location=make_location(round(latitude, 6), round(longitude, 6),
                                                    precision=LocationPrecision.EXACT)))

    latitudes, longitudes, days = _scatter(rng, 200)
    for number in range(200):
        add(latitudes[number], longitudes[number], end - timedelta(days=int(days[number])), number)
    for number in range(80):
        source = number % 200
        add(latitudes[source] + rng.uniform(-50, 50) * METRE, longitudes[source] + rng.uniform(-50, 50) * METRE / 0.61,
            end - timedelta(days=int(days[source]) - int(rng.integers(1, 5))), 1000 + number)
    for number in range(4):
        add(52.47, -0.9, end - timedelta(days=3 * number), 2000 + number)
    Incident.objects.bulk_create(rows)
    counts_rebuild()
    return end


def test_near_repeats_and_repeat_locations_through_the_policy(burgled, council_analyst, health_analyst, capsys):
    person = viewer(council_analyst)
    found = near_repeat_find(viewer=person, filters=IncidentFilters(categories=("fly-tipping",)))
    assert found["parameters"]["incidents"] == 284 and found["near_repeat"]["days"] >= 7
    assert found["knox"][0]["distance"] == "the same place" and len(found["knox"]) == 6 * 5
    assert all(area["radius_m"] == found["near_repeat"]["metres"] for area in found["risk_areas"])
    assert all(isinstance(area["where"], str) for area in found["risk_areas"])  # in words, worked out with it
    repeats = repeats_find(viewer=person)["repeat_locations"]
    assert repeats[0]["count"] == 4 and repeats[0]["last"] == burgled.isoformat()
    assert repeats_find(viewer=viewer(health_analyst))["repeat_locations"] == []  # not the trust's to see
    with pytest.raises(ValueError, match="needs 10 incidents"):
        near_repeat_find(viewer=viewer(health_analyst))
    RepeatRule.objects.update(times=5)
    assert repeats_find(viewer=person)["repeat_locations"] == []
    call_command("near-repeat", "--category", "fly-tipping", "--permutations", "19")
    assert "the same place" in capsys.readouterr().out
    call_command("repeats", "--format", "json")
    assert '"repeat_locations": []' in capsys.readouterr().out


def test_repeat_victims_and_places_count_every_category_together(world, council_analyst, health_analyst, capsys):
    """One household's three incidents of three categories in a year make a repeat victim, and
    three incidents of three categories at one place a repeat location (the rules are "any
    category"); both through the policy, both following the rules."""
    council = world["organisations"]["council"]
    person = pseudonym(organisation_id=council.pk, reference="HH-7")
    here = make_location(52.45, -0.95, precision=LocationPrecision.EXACT, description="1 Mill Lane")
    made = Incident.objects.bulk_create(
        Incident(source="test", owning_organisation=council, data_category=world["categories"]["environmental"],
                 external_id=f"V-{number}", occurred_on=date(2026, 10, 1 + number * 9), category_id=category,
                 location=here)
        for number, category in enumerate(["fly-tipping", "graffiti", "litter"]))
    IncidentPerson.objects.bulk_create(IncidentPerson(incident=incident, person=person) for incident in made)
    counts_rebuild()

    found = repeats_find(viewer=viewer(council_analyst))
    assert [(row["place"], row["count"], len(row["categories"])) for row in found["repeat_locations"]] == [
        ("1 Mill Lane", 3, 3)]
    assert [(row["person"], row["organisation"], row["count"], row["incidents"]) for row in found["repeat_victims"]] == [
        (person, council.name, 3, sorted(incident.pk for incident in made))]
    assert repeats_find(viewer=viewer(health_analyst))["repeat_victims"] == []  # not the trust's to see
    RepeatRule.objects.filter(subject=RepeatSubject.PERSON).update(times=4)
    assert repeats_find(viewer=viewer(council_analyst))["repeat_victims"] == []
    call_command("repeats", "--format", "json")
    assert '"repeat_victims": []' in capsys.readouterr().out
