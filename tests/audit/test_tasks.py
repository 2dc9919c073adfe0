"""The audit check runs as a background task through the database-backed worker."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.audit.tasks import verify_audit_chain
from tests.conftest import viewer


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_queued_audit_check(council_analyst):
    audit_record(action=AuditAction.VIEW, viewer=viewer(council_analyst), object_type="x", object_id=1)
    result = verify_audit_chain.enqueue()
    assert DBTaskResult.objects.get(id=result.id).status == "READY"
    call_command("worker", "--batch")
    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == "SUCCESSFUL", stored.exception_class_path
    result.refresh()
    assert result.return_value["problems"] == []
    assert result.return_value["entries_checked"] >= 1
