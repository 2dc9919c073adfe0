"""The analysis's background work: a result worked out, and the results asked for lately worked
out again after the counts change (`results.py`)."""

from django.db import transaction
from django.tasks import task

# The analyses are imported where they run: this module is imported whenever Django starts (the
# apps connect its receiver), and the analyses bring in SciPy, two seconds of every command's start.


@task()
def analysis_compute_task(result_id: int) -> dict:
    from saferplace.analysis.results import analysis_compute

    result = analysis_compute(result_id=result_id)
    if result is None:
        return {"status": "gone"}
    return {"status": result.status, "version": result.version, "message": result.message}


@task()
def analysis_refresh_task() -> dict:
    from saferplace.analysis.results import analysis_results_refresh

    return {"queued": analysis_results_refresh()}


def counts_changed_received(**kwargs) -> None:
    """When an import (or any change of the counts) has committed: queue the refresh."""
    transaction.on_commit(analysis_refresh_task.enqueue)
