"""Middleware of the web pages and the API:

- `ViewerMiddleware`: the `Viewer` of each request, worked out once (`request.viewer`);
- `SessionSecurityMiddleware`: the idle timeout beside the absolute one, and the record of each
  signed-in session (ASVS V7);
- `RequireTwoFactorMiddleware`: until a session has given a one-time code, and until a first
  password is changed, only those pages answer;
- `DomainErrorMiddleware`: the domain's `NotFound` and `NotAllowed` become the 404 and 403
  pages, each refusal recorded in the audit trail;
- `NoStoreMiddleware`: nothing SaferPlace answers (but its static files) is kept in a cache.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from saferplace.audit.services import audit_refusal
from saferplace.errors import NotAllowed, NotFound
from saferplace.interfaces import request_viewer, trusts_provider
from saferplace.partners.services import user_session_closed, user_session_seen, user_session_start
from saferplace.partners.viewer import API, WEB

# The residents' pages of public reporting (web/urls_report_public.py): no account, no sign-in.
PUBLIC_PREFIXES = ("/report/", "/reports/")
EXEMPT_PREFIXES = ("/static/", "/healthz", "/oidc/", "/api/", "/open311/", *PUBLIC_PREFIXES)
LAST_ACTIVITY = "last_activity"
STARTED = "started_at"  # when the person signed in: the session's absolute lifetime runs from then
RECORDED = "session_recorded"  # the session key this session's `UserSession` was recorded under
SEEN_EVERY_SECONDS = 60  # a session's last activity is saved at most once a minute


class ViewerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = API if request.path.startswith("/api/") else WEB
        request.viewer = SimpleLazyObject(lambda: request_viewer(request, channel=channel))
        return self.get_response(request)


class SessionSecurityMiddleware:
    """Signs a session out after SESSION_IDLE_MINUTES without a request, and keeps the
    session's record (`UserSession`) up to date for the person's sessions page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            now = timezone.now().timestamp()
            last = request.session.get(LAST_ACTIVITY)
            started = request.session.setdefault(STARTED, now)
            ended = ""
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                ended = "idle timeout"
            elif now - started > settings.SESSION_COOKIE_AGE:  # Django's expiry moves on with each save
                ended = "absolute timeout"
            if ended:
                user_session_closed(session_key=request.session.session_key or "", because=ended)
                logout(request)
                return redirect(f"{reverse('web:sign-in')}?{urlencode({'next': request.get_full_path(), 'timeout': '1'})}")
            key = request.session.session_key
            if key and request.session.get(RECORDED) != key and request.viewer.is_active_person:
                user_session_start(viewer=request.viewer, session_key=key)
                request.session[RECORDED] = key
            if last is None or now - last > SEEN_EVERY_SECONDS:
                request.session[LAST_ACTIVITY] = now
                if key:
                    user_session_seen(session_key=key)
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """A signed-in person who has not yet given a one-time code in this session can reach only
    the two-factor pages, the password change page and sign-out; one whose first password was
    made by someone else must change it before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not self._exempt(request):
            if not user.is_verified() and not trusts_provider(request):
                return redirect(f"{reverse('web:two-factor')}?{urlencode({'next': request.get_full_path()})}")
            if user.must_change_password and request.path != reverse("web:password-change"):
                return redirect(f"{reverse('web:password-change')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        path = request.path
        if path.startswith(EXEMPT_PREFIXES):
            return True
        return path in {reverse("web:two-factor"), reverse("web:two-factor-setup"), reverse("web:sign-out")}


class DomainErrorMiddleware:
    """The domain's refusals as pages: `NotFound` is the 404 page, `NotAllowed` (and Django's
    PermissionDenied) the 403 page. Each is recorded in the audit trail as refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            status, template = 404, "404.html"
        elif isinstance(exception, NotAllowed | PermissionDenied):
            status, template = 403, "403.html"
        else:
            return None
        viewer = getattr(request, "viewer", None)
        if viewer is not None and viewer.is_authenticated:
            audit_refusal(
                viewer=viewer, what=f"{request.method} {request.path}"[:300],
                record_type=getattr(exception, "record_type", ""), record_id=getattr(exception, "record_id", ""),
                details={"status": status, "capability": getattr(exception, "capability", ""),
                         "query": request.META.get("QUERY_STRING", "")[:500]},
            )
        return render(request, template, {"active": "", "message": str(exception) if status == 403 else ""},
                      status=status)


class AllowedMethodsMiddleware:
    """Only the methods SaferPlace uses: TRACE, PUT, DELETE and the like get 405 before any view."""

    ALLOWED = {"GET", "HEAD", "POST", "OPTIONS"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.ALLOWED:
            return HttpResponseNotAllowed(sorted(self.ALLOWED))
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response but static files: pages, exports and API
    answers carry records about people, which no browser or proxy cache may keep."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Reference data that is about no one (the streets for maps) sets its own, private, caching.
        if not request.path.startswith(settings.STATIC_URL) and not getattr(response, "reference_data", False):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
