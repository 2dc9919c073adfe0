"""The reports app listens to the tasks app (which does not know it): a task made from a report,
once done, fixes the report and tells the resident what was done."""

from django.dispatch import receiver

from saferplace.tasking.signals import task_done


@receiver(task_done, dispatch_uid="reports.task_done")
def _task_done(sender, *, viewer, task, **kwargs) -> None:
    from saferplace.reports.services import SOURCE_KIND, report_task_done

    if task.source_kind == SOURCE_KIND and task.source_id:
        report_task_done(viewer=viewer, task=task)
