"""The reports app listens to the tasks app (which does not know it): a task made from a report,
once done, fixes the report and tells the resident what was done. It also forgets the setup it
keeps in memory when that changes (`lookups`)."""

from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from saferplace.reports import lookups
from saferplace.reports.models import (
    ReportState,
    ResponseTemplate,
    RoutingRule,
    Service,
    ServiceAttribute,
)
from saferplace.tasking.signals import task_done

# The setup kept in memory is forgotten when any of it changes in this process (or the tables are
# emptied and filled again, as by a migration or a test's flush).
for _model in (Service, ServiceAttribute, RoutingRule, ReportState, ResponseTemplate):
    post_save.connect(lookups.forget, sender=_model, dispatch_uid=f"reports.forget.save.{_model.__name__}")
    post_delete.connect(lookups.forget, sender=_model, dispatch_uid=f"reports.forget.delete.{_model.__name__}")
post_migrate.connect(lookups.forget, dispatch_uid="reports.forget.migrate")


@receiver(task_done, dispatch_uid="reports.task_done")
def _task_done(sender, *, viewer, task, **kwargs) -> None:
    from saferplace.reports.services import SOURCE_KIND, report_task_done

    if task.source_kind == SOURCE_KIND and task.source_id:
        report_task_done(viewer=viewer, task=task)
