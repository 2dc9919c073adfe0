"""Sign-in: a password (checked by Django with Argon2 and rate-limited by django-axes), then a
time-based one-time code from an authenticator app, which every user must set up. Completing the
second factor starts a new session (a new session id, ASVS 7.2.4) and records it, so the person
can see and end it."""

import base64
import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.interfaces import request_viewer
from saferplace.partners.services import user_session_closed
from saferplace.web.forms import CodeForm, SignInForm
from saferplace.web.views.common import page


def with_next(view_name: str, next_url: str) -> str:
    """The URL of `view_name` carrying where to go afterwards, encoded (it may have its own query)."""
    return f"{reverse(view_name)}?{urlencode({'next': next_url})}"


def next_url(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def sign_in(request):
    if request.user.is_authenticated:
        return redirect(next_url(request))
    form = SignInForm(request.POST or None)
    failed = first_password_expired = False
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                return locked_out(request)
            audit_record(
                viewer=request.viewer,
                action=AuditAction.SIGN_IN_FAILED,
                details={"username": form.cleaned_data["username"][:150]},
            )
            failed = True
        elif user.first_password_expires_at is not None and user.first_password_expires_at < timezone.now():
            audit_record(viewer=request.viewer, action=AuditAction.SIGN_IN_FAILED,
                         details={"username": user.username, "reason": "first password expired"})
            first_password_expired = True
        else:
            login(request, user)
            request.session["signed_in_with"] = "password"
            return redirect(with_next("web:two-factor", next_url(request)))
    return page(request, "auth/sign_in.html", form=form, failed=failed, next=next_url(request),
                first_password_expired=first_password_expired, timed_out=request.GET.get("timeout") == "1",
                status=400 if failed or first_password_expired else 200)


def locked_out(request, response=None, credentials=None, *args, **kwargs):
    """django-axes calls this when an account and address have failed too often."""
    audit_record(
        viewer=request_viewer(request, None),
        action=AuditAction.LOCKED_OUT,
        details={"username": (credentials or {}).get("username", request.POST.get("username", ""))[:150]},
    )
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    return page(request, "auth/locked_out.html", minutes=minutes, status=429)


@login_required
def two_factor(request):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(with_next("web:two-factor-setup", next_url(request)))
    if request.user.is_verified():
        return redirect(next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            _second_factor_given(request, device)
            return redirect(next_url(request))
        audit_record(viewer=request.viewer, action=AuditAction.SIGN_IN_FAILED, details={"reason": "wrong one-time code"})
        form.add_error("code", "The code is not right, or it has expired. Enter the code your app shows now")
    return page(request, "auth/two_factor.html", form=form, next=next_url(request))


def _qr_data_uri(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@login_required
def two_factor_setup(request):
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(with_next("web:two-factor", next_url(request)))
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit_record(viewer=request.viewer, action=AuditAction.TWO_FACTOR_ENROLLED, obj=request.user)
            _second_factor_given(request, device)
            return redirect(next_url(request))
        form.add_error("code", "The code is not right. Check the time on your phone, then enter the code your app shows now")
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return page(
        request,
        "auth/two_factor_setup.html",
        form=form,
        qr=_qr_data_uri(device.config_url),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        next=next_url(request),
    )


def _second_factor_given(request, device) -> None:
    """The person is signed in: a new session id (so one planted before sign-in is worthless),
    and the sign-in audited. (`SessionSecurityMiddleware` records the session at the next
    request.)"""
    request.session.cycle_key()
    otp_login(request, device)
    audit_record(viewer=request_viewer(request, request.user), action=AuditAction.SIGN_IN,
                 details={"method": "password+totp"})


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        audit_record(viewer=request.viewer, action=AuditAction.SIGN_OUT)
        user_session_closed(session_key=request.session.session_key or "", because="signed out")
    logout(request)
    response = redirect("web:sign-in")
    # Whatever the browser kept of this session's pages goes too (ASVS 14.3.1).
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


def csrf_failure(request, reason: str = ""):
    """A form posted without this site's CSRF token (another site's form, or a page left open
    past its session): refused, audited, and said in words."""
    audit_record(viewer=request_viewer(request), action=AuditAction.REFUSED, object_repr=f"{request.method} {request.path}"[:300],
                 details={"status": 403, "reason": f"CSRF: {reason}"[:300]})
    return page(request, "403.html", status=403,
                message="The form could not be sent: go back, reload the page and try again.")
