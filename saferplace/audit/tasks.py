"""Background tasks of the audit trail: the chain check, and the signed checkpoint of its head
that the worker writes on a schedule (see `saferplace.worker`)."""

from django.tasks import task

from saferplace.audit.selectors import audit_chain_verify
from saferplace.audit.services import audit_checkpoint_write


@task()
def verify_audit_chain() -> dict:
    """Check the whole chain and the checkpoints; a deployment alerts on problems."""
    report = audit_chain_verify()
    return {
        "entries_checked": report.entries_checked,
        "checkpoints_checked": report.checkpoints_checked,
        "problems": [str(p) for p in [*report.problems, *report.checkpoint_problems]],
    }


@task()
def write_audit_checkpoint() -> dict:
    """Write a signed checkpoint of the chain's head outside the database."""
    written = audit_checkpoint_write()
    return {"sequence": written[0].sequence if written else None, "sink": written[1] if written else ""}
