"""Analyses worked out in the background: a page asks, the worker works it out as the person who
asked, a result is shared only by those who may read the same records, and a change of the
counts (an import) makes results stale and queues them again."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from saferplace.analysis.models import AnalysisResult, ResultStatus
from saferplace.analysis.results import analysis_compute, analysis_request, analysis_results_refresh
from saferplace.errors import NotAllowed
from saferplace.incidents.recount import counts_harm_refresh, counts_version
from saferplace.incidents.selectors import IncidentFilters
from saferplace.partners.models import Role
from tests.analysis.test_selectors import burglaries  # noqa: F401 - the fixture
from tests.conftest import _persona, viewer

CHOICES = {"filters": IncidentFilters(categories=("burglary",)), "resolution": 9, "by": "count"}


def _tasks() -> list[tuple[str, list]]:
    return [(task.task_path.rsplit(".", 1)[-1], task.args_kwargs["args"]) for task in DBTaskResult.objects.order_by("enqueued_at")]


@pytest.mark.django_db(transaction=True)
def test_asked_for_worked_out_then_shown(burglaries, police_analyst):  # noqa: F811
    person = viewer(police_analyst)
    assert _tasks() == [("analysis_refresh_task", [])]  # the fixture's counting committed
    DBTaskResult.objects.all().delete()
    asked = analysis_request(viewer=person, kind="hotspots", choices=CHOICES)
    assert asked.status == ResultStatus.QUEUED and asked.result is None
    assert _tasks() == [("analysis_compute_task", [asked.pk])]
    done = analysis_compute(result_id=asked.pk)
    assert done.status == ResultStatus.DONE and done.version == counts_version()
    assert done.result["hotspots"][0]["count"] == 40
    again = analysis_request(viewer=person, kind="hotspots", choices=CHOICES)
    assert again.pk == asked.pk and again.status == ResultStatus.DONE and len(_tasks()) == 1  # fresh: nothing queued
    counts_harm_refresh()  # the counts change (as an import would): stale, and the refresh is queued
    assert ("analysis_refresh_task", []) in _tasks()
    assert analysis_results_refresh() == 1
    assert AnalysisResult.objects.get(pk=asked.pk).status == ResultStatus.QUEUED
    assert AnalysisResult.objects.get(pk=asked.pk).result == done.result  # the last result is shown meanwhile


def test_a_result_is_shared_only_by_those_who_may_read_the_same_records(burglaries, police_analyst, council_analyst,  # noqa: F811
                                                                        world):
    police = analysis_request(viewer=viewer(police_analyst), kind="hotspots", choices=CHOICES)
    analysis_compute(result_id=police.pk)
    council = analysis_request(viewer=viewer(council_analyst), kind="hotspots", choices=CHOICES)
    assert council.pk != police.pk and council.result is None
    council = analysis_compute(result_id=council.pk)
    assert council.result["parameters"]["incidents"] == 0 and council.result["hotspots"] == []
    colleague = _persona(world, "second_analyst", "police", Role.ANALYST)
    shared = analysis_request(viewer=viewer(colleague), kind="hotspots", choices=CHOICES)
    assert shared.pk == police.pk and shared.status == ResultStatus.DONE


def test_whoever_may_not_read_incidents_is_refused_and_a_changed_rule_is_not_worked_out(
        burglaries, police_analyst, council_volunteer, world):  # noqa: F811
    with pytest.raises(NotAllowed):
        analysis_request(viewer=viewer(council_volunteer), kind="hotspots", choices=CHOICES)
    asked = analysis_request(viewer=viewer(police_analyst), kind="hotspots", choices=CHOICES)
    AnalysisResult.objects.filter(pk=asked.pk).update(reading_rule=[{"owning_organisation_id": 999}])
    refused = analysis_compute(result_id=asked.pk)
    assert refused.status == ResultStatus.REFUSED and refused.result is None and "ask again" in refused.message
    asked = analysis_request(viewer=viewer(police_analyst), kind="emerging", choices=CHOICES)
    refused = analysis_compute(result_id=asked.pk)
    assert refused.status == ResultStatus.REFUSED and "needs 10 months" in refused.message


def test_one_left_running_by_a_killed_worker_is_queued_again(burglaries, police_analyst):  # noqa: F811
    person = viewer(police_analyst)
    asked = analysis_request(viewer=person, kind="hotspots", choices=CHOICES)
    AnalysisResult.objects.filter(pk=asked.pk).update(status=ResultStatus.RUNNING,
                                                       started_at=timezone.now() - timedelta(hours=1))
    assert analysis_request(viewer=person, kind="hotspots", choices=CHOICES).status == ResultStatus.QUEUED
    AnalysisResult.objects.filter(pk=asked.pk).update(status=ResultStatus.RUNNING, started_at=timezone.now())
    assert analysis_request(viewer=person, kind="hotspots", choices=CHOICES).status == ResultStatus.RUNNING


def test_a_failure_is_marked_and_asked_for_again(burglaries, police_analyst, monkeypatch):  # noqa: F811
    from saferplace.analysis import results

    person = viewer(police_analyst)
    asked = analysis_request(viewer=person, kind="hotspots", choices=CHOICES)

    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(results.KINDS, "hotspots", broken)
    with pytest.raises(RuntimeError):
        analysis_compute(result_id=asked.pk)
    failed = AnalysisResult.objects.get(pk=asked.pk)
    assert failed.status == ResultStatus.FAILED and "RuntimeError" in failed.message
    assert analysis_request(viewer=person, kind="hotspots", choices=CHOICES).status == ResultStatus.QUEUED


def test_a_fresh_result_is_read_without_writing(burglaries, police_analyst):  # noqa: F811
    """On SQLite a write waits for an import's transaction: showing a kept result writes nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = viewer(police_analyst)
    analysis_compute(result_id=analysis_request(viewer=person, kind="hotspots", choices=CHOICES).pk)
    with CaptureQueriesContext(connection) as captured:
        assert analysis_request(viewer=person, kind="hotspots", choices=CHOICES).status == ResultStatus.DONE
    writes = [query["sql"] for query in captured.captured_queries
              if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
