"""Background tasks of the partners app: the daily warning before a sharing agreement lapses
or falls due for review (queued by the worker's schedule, `saferplace.worker.schedule`)."""

from django.tasks import task

from saferplace.partners.services.agreements import agreement_warnings_write
from saferplace.partners.viewer import TASK, operator_viewer


@task()
def warn_agreements_due() -> dict:
    """Write a "review due" event on each agreement in force that ends or is due for review
    within `AGREEMENT_WARNING_DAYS`, once for each date."""
    warned = agreement_warnings_write(viewer=operator_viewer("worker", channel=TASK))
    return {"warned": [agreement.reference for agreement in warned]}
