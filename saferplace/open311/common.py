"""What every Open311 endpoint shares: the format, the jurisdiction, rate limits, the API key on a
POST, `Idempotency-Key`, and every refusal as Open311's error list (400, 403, 404, 429), never a
stack trace.

An endpoint is a function `(request, fmt, **kwargs) -> HttpResponse` (a POST endpoint also takes
`api_key`) wrapped by `endpoint(...)`; it parses what was sent (`params`) and calls one service or
selector. No session and no CSRF token: a POST is authenticated by its `api_key`."""

import hashlib
import logging
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from saferplace.errors import NotAllowed, NotFound
from saferplace.interfaces import client_address
from saferplace.open311.formats import FORMATS, errors
from saferplace.open311.params import Open311Error
from saferplace.reports.keys import (
    api_key_authenticate,
    idempotency_key_checked,
    idempotent_answer_get,
    idempotent_answer_store,
    request_hash,
)
from saferplace.reports.limits import allow

logger = logging.getLogger("saferplace.open311")
REQUEST_BYTES_MOST = 32 * 1024 * 1024  # three photos of 10 MB and the fields
NOT_STORED = {429}  # a retry after a rate limit may succeed
KEPT_SECONDS = 1  # how stale a public read may be


def _answer(view, request, fmt, kwargs) -> HttpResponse:
    """The view's answer, every refusal as an Open311 error."""
    try:
        return view(request, fmt, **kwargs)
    except Open311Error as error:
        return errors(fmt, error.status, error.description)
    except NotFound as error:
        return errors(fmt, 404, str(error))
    except NotAllowed as error:
        return errors(fmt, 403, str(error))
    except ValueError as error:
        return errors(fmt, 400, str(error))
    except (SuspiciousOperation, UnreadablePostError, MultiPartParserError):
        return errors(fmt, 400, "The request could not be read: it is too large, has too many fields, or is malformed")
    except Exception:
        logger.exception("Open311 %s %s failed", request.method, request.path)
        return errors(fmt, 500, "Something went wrong on the server; try again later")


def _checked(request, fmt: str) -> None:
    """The format, the request's size, NUL characters and the jurisdiction."""
    if fmt not in FORMATS:
        raise Open311Error(404, f"There is no format {fmt[:10]!r}: use .json or .xml")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > REQUEST_BYTES_MOST:
        raise Open311Error(400, f"The request is too large: at most {REQUEST_BYTES_MOST // (1024 * 1024)} MB")
    if "\x00" in request.path:
        raise Open311Error(400, "The address holds a NUL character")
    data = request.POST if request.method == "POST" else request.GET
    if any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists()):
        raise Open311Error(400, "A parameter holds a NUL character")
    jurisdiction = data.get("jurisdiction_id") or request.GET.get("jurisdiction_id")
    if jurisdiction and jurisdiction != settings.OPEN311_JURISDICTION:
        raise Open311Error(404, "jurisdiction_id not found")


def _read_limit(request) -> None:
    if not allow(f"open311-read:{client_address(request)}", most=settings.PUBLIC_READS_PER_MINUTE_PER_ADDRESS,
                 seconds=60):
        raise Open311Error(429, "Too many requests from this address: wait a minute and try again")


def _key(request):
    """The request's API key, or a 403 (and a 429 for an address that keeps trying)."""
    api_key = api_key_authenticate(request.POST.get("api_key", ""))
    if api_key is None:
        if not allow(f"open311-refused:{client_address(request)}",
                     most=settings.PUBLIC_READS_PER_MINUTE_PER_ADDRESS, seconds=60):
            raise Open311Error(429, "Too many refused requests from this address: wait a minute and try again")
        raise Open311Error(403, "api_key is missing, unknown or revoked")
    if not allow(f"open311-key:{api_key.pk}", most=api_key.per_minute, seconds=60):
        raise Open311Error(429, f"This key may make {api_key.per_minute} requests a minute: wait and try again")
    return api_key


def _kept_for_a_moment(view, request, fmt, kwargs) -> HttpResponse:
    """A public read, answered from what the same address (path and query) was answered within
    the last `KEPT_SECONDS` (in Django's cache), else worked out and kept: public lists are the
    same for everyone, and many apps polling one list cost one answer a second."""
    key = "open311:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()
    kept = cache.get(key)
    if kept is not None:
        status, content_type, body = kept
        return HttpResponse(body, status=status, content_type=content_type)
    response = view(request, fmt, **kwargs)
    if response.status_code == 200 and not response.streaming:
        cache.set(key, (response.status_code, response["Content-Type"], response.content), KEPT_SECONDS)
    return response


def _hash_of(request) -> str:
    parts = [("path", request.path)]
    parts += [(f"field:{name}", value) for name, values in request.POST.lists() for value in values]
    for name, uploads in request.FILES.lists():
        for upload in uploads:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            parts.append((f"file:{name}", digest.hexdigest()))
    return request_hash(parts)


def _replay(fmt, stored, hashed: str) -> HttpResponse:
    if stored.request_hash != hashed:
        return errors(fmt, 400, "This Idempotency-Key was used for a different request: use a new key for a new request")
    response = HttpResponse(stored.body, status=stored.status, content_type=stored.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def _once(view, request, fmt, kwargs, api_key, key: str) -> HttpResponse:
    """The first answer to `key`, made and kept in one transaction; a retry (or a request racing
    this one with the same key) gets the kept answer, never a second report."""
    hashed = _hash_of(request)
    stored = idempotent_answer_get(api_key=api_key, key=key)
    if stored is not None:
        return _replay(fmt, stored, hashed)
    try:
        with transaction.atomic():
            response = _answer(view, request, fmt, kwargs)
            if response.status_code < 500 and response.status_code not in NOT_STORED:
                idempotent_answer_store(api_key=api_key, key=key, request_hash=hashed, status=response.status_code,
                                        content_type=response["Content-Type"], body=response.content.decode("utf-8"))
    except IntegrityError:
        stored = idempotent_answer_get(api_key=api_key, key=key)
        if stored is None:
            raise
        return _replay(fmt, stored, hashed)
    return response


def endpoint(*, method: str = "GET"):
    """An Open311 endpoint answering `method` (GET also answers HEAD)."""
    allowed = {"GET", "HEAD"} if method == "GET" else {method}

    def wrap(view):
        @csrf_exempt
        @wraps(view)
        def run(request, fmt: str, **kwargs):
            if request.method not in allowed:
                response = errors(fmt, 405, f"This endpoint answers {method} only")
                response["Allow"] = ", ".join(sorted(allowed))
                return response

            def first() -> HttpResponse:
                _checked(request, fmt)
                if method == "GET":
                    _read_limit(request)
                    return _kept_for_a_moment(view, request, fmt, kwargs)
                api_key = _key(request)
                given = request.headers.get("Idempotency-Key")
                if given is None:
                    return view(request, fmt, api_key=api_key, **kwargs)
                return _once(view, request, fmt, {"api_key": api_key, **kwargs}, api_key,
                             idempotency_key_checked(given))

            return _answer(lambda request, fmt: first(), request, fmt, {})

        return run

    return wrap
