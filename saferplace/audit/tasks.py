"""Background tasks of the audit trail."""

from django.tasks import task

from saferplace.audit.selectors import audit_chain_verify


@task()
def verify_audit_chain() -> dict:
    """Check the whole chain; a deployment schedules this nightly and alerts on problems."""
    report = audit_chain_verify()
    return {"entries_checked": report.entries_checked, "problems": [str(p) for p in report.problems]}
