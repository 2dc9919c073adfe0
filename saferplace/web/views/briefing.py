"""The field briefing (`/briefing/`), its map's data, the updates a phone sends when it has a
signal again (`/briefing/updates`), and the service worker that keeps the last briefing on the
phone (`/service-worker.js`). See docs/briefing.md."""

import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from saferplace.audit.services import audit_refusal
from saferplace.errors import NotAllowed, NotFound
from saferplace.tasking.briefing import briefing_map as briefing_map_data
from saferplace.tasking.briefing import briefing_open
from saferplace.tasking.client_updates import REFUSALS, client_update_apply
from saferplace.web.views.common import page

WORKER_FILE = "dist/service-worker.js"
MOST_BYTES = 64 * 1024  # an update is a few hundred bytes; its answers at most a few thousand


@login_required
def briefing(request):
    found = briefing_open(viewer=request.viewer)
    return page(request, "briefing/briefing.html", active="briefing", briefing=found,
                rendered_at=timezone.localtime(found.at), new_key=lambda: str(uuid.uuid4()),
                tile_url=settings.MAP_TILE_URL, tile_attribution=settings.MAP_TILE_ATTRIBUTION)


@gzip_page
@login_required
def briefing_map(request):
    return JsonResponse(briefing_map_data(viewer=request.viewer))


def _refusal_status(error: Exception) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, NotAllowed):
        return 403
    return 400


def _message(error: Exception) -> str:
    messages_of = getattr(error, "messages", None)  # a ValidationError
    return " ".join(messages_of) if messages_of else str(error)


def _json_update(request) -> JsonResponse:
    if len(request.body) > MOST_BYTES:
        return JsonResponse({"detail": "This update is too large."}, status=400)
    try:
        update = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return JsonResponse({"detail": "The update must be JSON."}, status=400)
    if not isinstance(update, dict):
        return JsonResponse({"detail": "The update must be a JSON object."}, status=400)
    try:
        applied = client_update_apply(viewer=request.viewer, key=update.get("key"), task_id=update.get("task"),
                                      action=update.get("action"), payload=update.get("payload", {}))
    except REFUSALS as error:
        status = _refusal_status(error)
        if status != 400:
            audit_refusal(viewer=request.viewer, what=f"POST {request.path}", record_type="tasking.task",
                          record_id=str(update.get("task"))[:40], details={"status": status,
                                                                          "action": str(update.get("action"))[:40]})
        return JsonResponse({"detail": _message(error), "key": str(update.get("key"))[:100]}, status=status)
    return JsonResponse({**applied.answer, "repeated": applied.repeated})


def _form_update(request):
    """The same update from the briefing's forms without JavaScript: made, then back to the
    briefing with what happened; a refusal is the 404 or 403 page, or the briefing's message."""
    action = request.POST.get("action", "")
    payload = {name: request.POST[name] for name in ("reason", "text", "outcome") if request.POST.get(name, "").strip()}
    questions = request.POST.getlist("question")
    answers = request.POST.getlist("answer")
    if answers:
        payload["answers"] = dict(zip(questions, answers, strict=False))
    try:
        applied = client_update_apply(viewer=request.viewer, key=request.POST.get("key", ""),
                                      task_id=request.POST.get("task", ""), action=action, payload=payload)
    except (NotFound, NotAllowed):
        raise
    except REFUSALS as error:
        return page(request, "briefing/refused.html", active="briefing", status=400, message=_message(error))
    messages.success(request, applied.answer["message"])
    return redirect("web:briefing")


@require_POST
@login_required
def briefing_updates(request):
    """A task update from the briefing: JSON from its script (the answer in JSON, refusals 4xx
    with a message), or its form posted without JavaScript."""
    if request.content_type == "application/json":
        return _json_update(request)
    return _form_update(request)


@require_GET
def service_worker(request):
    """The service worker, from the root so that it may look after the briefing wherever the
    phone opens it (`/` too, when a practitioner lands there offline)."""
    path = finders.find(WORKER_FILE)
    try:
        if path:
            with open(path, "rb") as built:
                content = built.read()
        else:
            with staticfiles_storage.open(WORKER_FILE) as built:
                content = built.read()
    except OSError:
        raise Http404("The front end has not been built (npm run build).") from None
    response = HttpResponse(content, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response

