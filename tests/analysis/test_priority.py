"""What matters most, and why: a threat, risk and harm score with its reasons, weights and
scales as data, one issue per category and place with all its evidence, through the policy."""

import json

import h3
import pytest
from django.core.management import call_command

from saferplace.analysis.models import CategoryRisk, PriorityWeight
from saferplace.analysis.priority import DIMENSIONS, Candidate, scale_level, score
from saferplace.analysis.ranking import issues_rank
from tests.analysis.test_selectors import rising  # noqa: F401 - the fixture
from tests.conftest import viewer

RISK = {"physical": 4, "psychological": 2, "community": 0, "financial": 1, "vulnerability": 3, "capacity": 2}


def _candidate(likelihood: int = 3, scale: int = 2) -> Candidate:
    return Candidate(kind="hotspot", category="burglary", category_name="Burglary", h3_cell="x", where="Mill Road",
                     count=10, evidence={}, likelihood=likelihood, likelihood_why="z = 4.2", scale=scale,
                     scale_why="10 incidents")


def test_the_score_is_the_weighted_mean_with_each_contribution_as_a_reason():
    weights = dict.fromkeys(DIMENSIONS, 1.0) | {"physical": 3.0}
    scored = score(_candidate(), RISK, weights)
    levels = {**RISK, "likelihood": 3, "scale": 2}
    expected = 100 * sum(weights[name] * levels[name] for name in DIMENSIONS) / 4 / sum(weights.values())
    assert scored.score == pytest.approx(expected, abs=0.1)
    assert scored.score == pytest.approx(sum(reason["points"] for reason in scored.reasons), abs=0.1)
    assert scored.reasons[0]["dimension"] == "physical" and "Physical very high (4 of 4, weight 3)" in scored.reasons[0]["why"]
    assert [reason["points"] for reason in scored.reasons] == sorted((reason["points"] for reason in scored.reasons),
                                                                    reverse=True)
    assert score(_candidate(4, 4), dict.fromkeys(RISK, 4), weights).score == 100
    assert score(_candidate(0, 0), dict.fromkeys(RISK, 0), weights).score == 0


def test_scale_against_the_busiest():
    assert [scale_level(count, 100)[0] for count in (100, 50, 49, 25, 10, 9, 0)] == [4, 4, 3, 3, 2, 1, 0]


def test_the_ranked_issues_with_their_reasons_through_the_policy(rising, police_analyst, council_analyst):  # noqa: F811
    found = issues_rank(viewer=viewer(police_analyst))
    top = found["issues"][0]
    assert top["h3_cell"] in h3.grid_disk(rising, 1) and top["category"] == "burglary"
    assert top["kind"] == "hotspot and consecutive hot spot"  # one issue, both kinds of evidence
    assert {"z", "q_value", "pattern", "trend_z"} <= set(top["evidence"])
    assert len(top["reasons"]) == len(DIMENSIONS) and top["score"] > 0
    assert len({(issue["category"], issue["h3_cell"]) for issue in found["issues"]}) == len(found["issues"])
    assert issues_rank(viewer=viewer(council_analyst))["issues"] == []  # burglary is not the council's to see
    before = top["score"]
    PriorityWeight.objects.update_or_create(dimension="likelihood", defaults={"weight": 0.0})
    CategoryRisk.objects.filter(category_id="burglary").update(physical=0, psychological=0)
    after = issues_rank(viewer=viewer(police_analyst))["issues"][0]
    assert after["score"] < before and next(reason for reason in after["reasons"]
                                            if reason["dimension"] == "likelihood")["weight"] == 0


def test_the_issues_command(rising, capsys):  # noqa: F811
    call_command("issues", "--format", "json")
    printed = json.loads(capsys.readouterr().out)
    assert {"title", "kind", "place", "score", "reasons"} <= set(printed["issues"][0])
    call_command("issues", "--limit", "2")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("  1.") and "Burglary at" in lines[0]


def test_repeat_locations_are_issues_too(rising, police_analyst):  # noqa: F811
    """The rising cluster's burglaries share a point per cell: thirty a month at each is a repeat
    location as well as a hotspot, and is ranked as one."""
    found = issues_rank(viewer=viewer(police_analyst))
    repeats = [issue for issue in found["issues"] if issue["kind"] == "repeat location"]
    assert repeats and repeats[0]["evidence"]["repeats"] >= 3 and "at the same place" in " ".join(
        reason["why"] for reason in repeats[0]["reasons"])
