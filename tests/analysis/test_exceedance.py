"""Short-term exceedances: a spike in the last days is flagged against its seasonal expectation,
quiet data flags no more than the false discovery rate allows, over-dispersed counts are modelled
as negative binomial, and the policy decides whose incidents count."""

from datetime import date, timedelta

import numpy as np
import pytest
from django.core.management import call_command

from saferplace.analysis.exceedance import RECENT, baseline_starts, exceedances
from saferplace.analysis.selectors import exceedances_find
from saferplace.incidents.models import Incident
from saferplace.incidents.recount import counts_rebuild
from saferplace.places.models import Place, PlaceKind
from tests.conftest import TEST_CATEGORIES, make_location, viewer

END = date(2026, 10, 31)


def _daily(rng, mean: float, days: int = 500) -> dict[date, int]:
    return {END - timedelta(days=offset): int(count) for offset, count in enumerate(rng.poisson(mean, days))}


def test_the_baseline_is_the_recent_windows_and_the_season_a_year_before():
    starts = baseline_starts(END, 7, END - timedelta(days=500))
    assert len(starts) == RECENT + 3
    assert END - timedelta(days=6 + 364) in starts  # the same week, 52 weeks earlier
    assert len(baseline_starts(END, 7, END - timedelta(days=40))) == 4  # only what the data covers


def test_a_spike_is_flagged_and_quiet_data_is_not():
    rng = np.random.default_rng(5)
    series = {("ward", f"quiet-{number}"): _daily(rng, 2.0) for number in range(200)}
    spiky = _daily(rng, 2.0)
    for offset in range(7):
        spiky[END - timedelta(days=offset)] += 6
    series[("ward", "spike")] = spiky
    results = {test.key[1]: test for test in exceedances(series, end=END, days=7, first=END - timedelta(days=499))}
    assert results["spike"].q_value <= 0.05 and results["spike"].observed > 50
    assert sum(test.q_value <= 0.05 for key, test in results.items() if key != "spike") <= 2
    assert results["spike"].expected == pytest.approx(14, rel=0.3)


def test_counts_that_vary_more_than_poisson_are_negative_binomial():
    rng = np.random.default_rng(9)
    bursty = {END - timedelta(days=offset): int(count) for offset, count in enumerate(rng.negative_binomial(1, 0.2, 500))}
    steady = _daily(rng, 4.0)
    results = {test.key: test for test in exceedances({"bursty": bursty, "steady": steady}, end=END, days=7,
                                                       first=END - timedelta(days=499))}
    assert results["bursty"].model == "negative binomial" and results["steady"].model == "poisson"
    assert exceedances({"short": steady}, end=END, days=7, first=END - timedelta(days=20)) == []


@pytest.fixture
def spike(world):
    """The council's fly tips in a ward: one a day for a year, then twelve a day in its last week."""
    ward = Place.objects.create(kind=PlaceKind.WARD, code="E05SPIKE", name="Spike ward")
    location = make_location(52.45, -0.95)
    rows = []
    for offset in range(365):
        day = END - timedelta(days=offset)
        for index in range(12 if offset < 7 else 1):
            rows.append(Incident(source="test", owning_organisation=world["organisations"]["council"],
                                 data_category=world["categories"]["environmental"], external_id=f"FT-{offset}-{index}",
                                 occurred_on=day, category_id=TEST_CATEGORIES["environmental"], location=location,
                                 ward=ward))
    Incident.objects.bulk_create(rows)
    counts_rebuild()
    return ward


def test_the_selector_through_the_policy_and_the_command(spike, council_analyst, health_analyst, capsys):
    found = exceedances_find(viewer=viewer(council_analyst))
    assert found["parameters"]["end"] == END.isoformat()
    flagged = found["exceedances"][0]
    assert (flagged["place"], flagged["category"], flagged["observed"]) == ("Spike ward", "fly-tipping", 84)
    assert flagged["expected"] < 8 and flagged["q_value"] <= 0.05
    assert exceedances_find(viewer=viewer(health_analyst))["exceedances"] == []  # not theirs to see
    with pytest.raises(ValueError, match="1 to 92 days"):
        exceedances_find(viewer=viewer(council_analyst), days=0)
    call_command("exceedances", "--format", "json")
    assert '"place": "Spike ward"' in capsys.readouterr().out
    call_command("exceedances", "--days", "7", "--end", END.isoformat())
    assert "Spike ward" in capsys.readouterr().out
