"""Prospective hotspots: ProMap's weights, the hit rate and PAI as analysts compute them, and the
forecast judged only on months it never saw, through the policy."""

import json
from datetime import date

import h3
import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from saferplace.analysis.forecast import judged, promap
from saferplace.analysis.selectors import forecast_evaluate, forecast_find
from saferplace.incidents.selectors import IncidentFilters
from tests.analysis.test_selectors import rising  # noqa: F401 - the fixture
from tests.conftest import viewer

CENTRE = h3.latlng_to_cell(52.57, -0.24, 9)
CELLS = sorted(h3.grid_disk(CENTRE, 3))


def test_promap_weighs_nearer_and_more_recent_incidents_more():
    history = np.zeros((len(CELLS), 4))
    history[CELLS.index(CENTRE), -1] = 1  # last step, at the centre
    scores = promap(history, CELLS)
    neighbour, two_away = h3.grid_ring(CENTRE, 1)[0], h3.grid_ring(CENTRE, 2)[0]
    assert scores[CELLS.index(CENTRE)] == 1 and scores[CELLS.index(neighbour)] == 0.5
    assert scores[CELLS.index(two_away)] == pytest.approx(1 / 3) and scores[CELLS.index(h3.grid_ring(CENTRE, 3)[0])] == 0
    older = np.zeros_like(history)
    older[CELLS.index(CENTRE), -2] = 1  # the step before: half as much
    assert promap(older, CELLS)[CELLS.index(CENTRE)] == 0.5


def test_hit_rate_and_pai():
    scores = np.arange(len(CELLS), dtype=float)  # the last cell highest
    actual = np.zeros(len(CELLS))
    actual[-1], actual[0] = 3, 1
    result = judged(scores, actual, CELLS, shares=(0.1,))
    flagged = round(0.1 * len(CELLS))
    assert result[0.1] == {"cells": flagged, "hit_rate": 0.75, "pai": round(0.75 / (flagged / len(CELLS)), 2)}


def test_the_forecast_and_its_judgement_through_the_policy(rising, police_analyst, council_analyst, capsys):  # noqa: F811
    person = viewer(police_analyst)
    ahead = forecast_find(viewer=person, period=date(2026, 1, 1), filters=IncidentFilters(categories=("burglary",)))
    assert ahead["cells"][0]["h3_cell"] in h3.grid_disk(rising, 1) and ahead["parameters"]["months_used"] == 12
    judgement = forecast_evaluate(viewer=person, filters=IncidentFilters(categories=("burglary",)), periods=4)
    assert [month["period"] for month in judgement["months"]] == ["2025-09", "2025-10", "2025-11", "2025-12"]
    assert judgement["months"][-1]["promap"][0.1]["hit_rate"] > 0.5  # the rising cluster, foreseen
    with pytest.raises(ValueError, match="no incidents before"):
        forecast_find(viewer=viewer(council_analyst), period=date(2026, 1, 1), filters=IncidentFilters(categories=("burglary",)))
    with pytest.raises(ValueError, match="needs 14 months"):
        forecast_evaluate(viewer=person, periods=11)
    call_command("forecast", "--period", "2026-01", "--format", "json", "--limit", "3")
    assert len(json.loads(capsys.readouterr().out)["cells"]) == 3
    call_command("forecast", "--evaluate", "--months", "2")
    assert "promap" in capsys.readouterr().out
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("forecast", "--period", "January")
