"""Importing files from the browser, for analysts and administrators. A request only stores the
uploaded file (under DATA_DIR/uploads/<run>/, never a folder the web server serves), records the
run and queues it; `saferplace worker` reads the file. The run page shows progress, refreshing
itself with htmx while the run waits or runs."""

import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.text import get_valid_filename

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.incidents.importers import import_run_create, rejections_csv
from saferplace.incidents.importers.errors import ImportOptionError
from saferplace.incidents.models import ImportRun, ImportStatus
from saferplace.incidents.tasks import import_file_task
from saferplace.partners.access import can_see_import_rows
from saferplace.web import forms as web_forms
from saferplace.web.forms import IMPORT_KINDS, ImportUploadForm
from saferplace.web.views.common import page, role_required

IMPORTERS_ROLES = ("analyst", "administrator")
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


def upload_dir(run_id: int) -> Path:
    return Path(settings.DATA_DIR) / "uploads" / str(run_id)


def _store(upload, run_id: int) -> Path:
    folder = upload_dir(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (get_valid_filename(Path(upload.name).name) or "upload")
    with path.open("wb") as destination:
        for chunk in upload.chunks():
            destination.write(chunk)
    return path


@role_required(*IMPORTERS_ROLES)
def import_list(request):
    runs = ImportRun.objects.select_related("started_by", "profile")[:200]
    return page(request, "imports/list.html", active="imports", runs=runs, tags=STATUS_TAGS,
                labels={key: value[0] for key, value in IMPORT_KINDS.items()})


@role_required(*IMPORTERS_ROLES)
def import_new(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None,
                            initial={"organisation": request.user.organisation_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = {}
        if IMPORT_KINDS[data["importer"]][3]:
            options["organisation"] = data["organisation"].pk
        upload = data["file"]
        file_name = get_valid_filename(Path(upload.name).name) or "upload"
        try:
            with transaction.atomic():
                run = import_run_create(importer=data["importer"], file_name=file_name, actor=request.user,
                                        profile=data["profile"] if data["importer"] == "profile" else None,
                                        options=options)
                try:
                    path = _store(upload, run.pk)
                    import_file_task.enqueue(run.pk, str(path), options)
                except BaseException:
                    shutil.rmtree(upload_dir(run.pk), ignore_errors=True)
                    raise
        except ImportOptionError as error:
            form.add_error("organisation" if options else None, str(error))
        else:
            return redirect("web:import-detail", run_id=run.pk)
    kinds = {key: IMPORT_KINDS[key] for key, _label in form.fields["importer"].choices}
    return page(request, "imports/new.html", active="imports", form=form, kinds=kinds,
                max_megabytes=web_forms.IMPORT_UPLOAD_MAX_BYTES // (1024 * 1024),
                status=400 if form.errors else 200)


def _run_context(run: ImportRun, user) -> dict:
    rows_visible = can_see_import_rows(user, run)
    rejections = list(run.rejections.all()[:REJECTIONS_SHOWN]) if rows_visible else []
    waiting_long = run.status == ImportStatus.QUEUED and timezone.now() - run.queued_at > WORKER_HINT_AFTER
    percent = None
    if run.progress_total:
        percent = min(100, round(100 * run.progress_done / run.progress_total))
    return {
        "run": run, "rejections": rejections, "rows_visible": rows_visible, "in_progress": run.status in IN_PROGRESS,
        "waiting_long": waiting_long, "percent": percent, "pace": _pace(run), "tag": STATUS_TAGS.get(run.status, ""),
        "label": IMPORT_KINDS.get(run.importer, (run.importer,))[0],
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


@role_required(*IMPORTERS_ROLES)
def import_detail(request, run_id: int):
    run = get_object_or_404(ImportRun.objects.select_related("started_by", "profile"), pk=run_id)
    return page(request, "imports/detail.html", active="imports", **_run_context(run, request.user))


@role_required(*IMPORTERS_ROLES)
def import_status(request, run_id: int):
    """The part of the run page that changes while it runs, polled by htmx every 2 seconds."""
    run = get_object_or_404(ImportRun.objects.select_related("started_by", "profile"), pk=run_id)
    return page(request, "imports/_status.html", **_run_context(run, request.user))


@role_required(*IMPORTERS_ROLES)
def import_rejections(request, run_id: int):
    run = get_object_or_404(ImportRun.objects.select_related("started_by"), pk=run_id)
    if not can_see_import_rows(request.user, run):
        raise Http404("The rejected rows of this import are not available to you.")
    audit_record(action=AuditAction.EXPORT, request=request, obj=run, object_repr=f"rejected rows of {run.file_name}"[:300],
                 details={"rows": run.rows_rejected, "format": "csv"})
    response = StreamingHttpResponse(rejections_csv(run=run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-rejections.csv"'
    return response
