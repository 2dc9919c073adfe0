"""Importing files from the browser. A request only records the run for the viewer's own
organisation with the uploaded file (kept through Django's storage API, `ImportRun.upload`:
never a folder the web server serves) and queues it once the transaction commits; `saferplace
worker` reads the file. The run page shows progress, refreshing itself with htmx while the run
waits or runs; a run that failed or stopped part-way can be retried from it. The kinds of file,
their hints and options come from the importers' declarations (`IMPORTERS`)."""

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from saferplace.incidents.importers import (
    IMPORTERS,
    ImportOptionError,
    import_rejections_shown,
    import_run_create,
    import_run_get,
    import_run_history,
    import_run_list,
    import_run_retry,
    rejections_csv,
    run_is_stopped,
)
from saferplace.incidents.importers.uploads import safe_file_name
from saferplace.incidents.models import ImportRun, ImportStatus
from saferplace.incidents.profiles import mapping_profile_list
from saferplace.incidents.tasks import import_run_enqueue
from saferplace.partners.access import can
from saferplace.web import forms as web_forms
from saferplace.web.forms import ImportUploadForm
from saferplace.web.views.common import capability_required, page

REJECTIONS_SHOWN = 50
WORKER_HINT_AFTER = timedelta(minutes=1)
STATUS_TAGS = {
    ImportStatus.QUEUED: "govuk-tag--grey",
    ImportStatus.RUNNING: "",
    ImportStatus.SUCCEEDED: "govuk-tag--green",
    ImportStatus.UNCHANGED: "govuk-tag--turquoise",
    ImportStatus.REFUSED: "govuk-tag--orange",
    ImportStatus.FAILED: "govuk-tag--red",
}
IN_PROGRESS = (ImportStatus.QUEUED, ImportStatus.RUNNING)


@capability_required("imports.run")
def import_list(request):
    return page(request, "imports/list.html", active="imports", runs=import_run_list(viewer=request.viewer),
                tags=STATUS_TAGS, labels={name: importer.label for name, importer in IMPORTERS.items()})


def _importers(viewer) -> dict:
    """The importers the viewer may use: place lookups need `places.manage`."""
    return {name: importer for name, importer in IMPORTERS.items() if can(viewer, importer.capability)}


@capability_required("imports.run")
def import_new(request):
    viewer = request.viewer
    form = ImportUploadForm(request.POST or None, request.FILES or None, importers=_importers(viewer),
                            profiles=mapping_profile_list(viewer=viewer).order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        importer = form.importers[data["importer"]]
        try:
            with transaction.atomic():
                run = import_run_create(viewer=viewer, importer=importer.name,
                                        file_name=safe_file_name(upload.name),
                                        profile=data["profile"] if importer.needs_profile else None,
                                        options=data["options"], upload=upload)
                import_run_enqueue(run)
        except ImportOptionError as error:
            form.add_error(None, str(error))
        else:
            return redirect("web:import-detail", run_id=run.pk)
    return page(request, "imports/new.html", active="imports", form=form,
                max_megabytes=web_forms.IMPORT_UPLOAD_MAX_BYTES // (1024 * 1024),
                status=400 if form.errors else 200)


def _run_context(request, run: ImportRun, *, show_rejections: bool) -> dict:
    waiting_long = run.status == ImportStatus.QUEUED and timezone.now() - run.queued_at > WORKER_HINT_AFTER
    stopped = run_is_stopped(run)
    percent = None
    if run.progress_total:
        percent = min(100, round(100 * run.progress_done / run.progress_total))
    rejections = []
    if show_rejections and run.status not in IN_PROGRESS:
        rejections = import_rejections_shown(viewer=request.viewer, run=run, limit=REJECTIONS_SHOWN)
    return {
        "run": run, "rejections": rejections, "in_progress": run.status in IN_PROGRESS and not stopped,
        "stopped": stopped, "retryable": (run.status == ImportStatus.FAILED or stopped) and bool(run.upload),
        "waiting_long": waiting_long, "percent": percent, "pace": _pace(run), "tag": STATUS_TAGS.get(run.status, ""),
        "label": IMPORTERS[run.importer].label if run.importer in IMPORTERS else run.importer,
        "events": list(import_run_history(viewer=request.viewer, run=run)),
    }


def _pace(run: ImportRun) -> str:
    """The rate of a running import and the time it has left, in words ("" until known)."""
    if run.status != ImportStatus.RUNNING or not run.started_at or not run.progress_done or not run.progress_total:
        return ""
    elapsed = (timezone.now() - run.started_at).total_seconds()
    if elapsed < 1:
        return ""
    rate = run.progress_done / elapsed
    left = max(run.progress_total - run.progress_done, 0) / rate
    when = "less than a minute" if left < 60 else f"about {round(left / 60)} minute{'s' if round(left / 60) != 1 else ''}"
    return f"{rate:,.0f} rows a second; {when} left."


@capability_required("imports.run")
def import_detail(request, run_id: int):
    run = import_run_get(viewer=request.viewer, run_id=run_id)
    return page(request, "imports/detail.html", active="imports", **_run_context(request, run, show_rejections=True))


@capability_required("imports.run")
def import_status(request, run_id: int):
    """The part of the run page that changes while it runs, polled by htmx every 2 seconds. It
    shows the rejected rows only once the run has finished (they are recorded as shown then)."""
    run = import_run_get(viewer=request.viewer, run_id=run_id)
    return page(request, "imports/_status.html", **_run_context(request, run, show_rejections=True))


@capability_required("imports.run")
@require_POST
def import_retry(request, run_id: int):
    run = import_run_get(viewer=request.viewer, run_id=run_id)
    try:
        with transaction.atomic():
            run = import_run_retry(viewer=request.viewer, run=run)
            import_run_enqueue(run)
    except ImportOptionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The import is queued again.")
    return redirect("web:import-detail", run_id=run.pk)


@capability_required("imports.run")
def import_rejections(request, run_id: int):
    run = import_run_get(viewer=request.viewer, run_id=run_id)
    response = StreamingHttpResponse(rejections_csv(viewer=request.viewer, run=run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-rejections.csv"'
    return response
