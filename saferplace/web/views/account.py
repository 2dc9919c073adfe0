"""A person's own account: their password, where they are signed in (and ending a session),
and their API tokens (making one, revoking one). Administrators reach the same session and token
actions for their organisation's people from the person's page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from saferplace.partners.access import can
from saferplace.partners.selectors import api_token_get, api_tokens_of, session_get, sessions_of
from saferplace.partners.services import (
    api_scopes_for,
    api_token_create,
    api_token_revoke,
    user_password_change,
    user_session_end,
    user_sessions_end_all,
)
from saferplace.web.forms import ApiTokenForm, PasswordChangeForm
from saferplace.web.views.auth import next_url
from saferplace.web.views.common import apply_errors, capability_required, page

SCOPE_LABELS = {
    "incidents.view": "Read one incident at a time (incidents.view)",
    "incidents.export": "List incidents, page by page (incidents.export)",
}


def _back_to_person(request, person):
    if person.pk == request.viewer.user_id:
        return redirect("web:account")
    return redirect("web:user-detail", user_id=person.pk)


@login_required
def account(request):
    viewer = request.viewer
    return page(request, "account/account.html", active="account", person=viewer.user,
                sessions=sessions_of(viewer=viewer, user=viewer.user), tokens=api_tokens_of(viewer=viewer, user=viewer.user),
                current_session=request.session.session_key, may_make_tokens=can(viewer, "api.tokens"))


@login_required
def password_change(request):
    """Change one's own password; a first password made by someone else must be changed here
    before anything else (`RequireTwoFactorMiddleware`)."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_password_change(viewer=request.viewer, current_password=form.cleaned_data["current_password"],
                                        new_password=form.cleaned_data["new_password"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            update_session_auth_hash(request, user)  # this session stays signed in…
            request.session.cycle_key()
            user_sessions_end_all(viewer=request.viewer, user=user, because="password changed",  # …every other one ends
                                  keep=request.session.session_key)
            messages.success(request, "Your password is changed.")
            return redirect(next_url(request, default="/account/"))
    return page(request, "account/password.html", active="account", form=form, next=next_url(request, default=""),
                first=request.user.must_change_password, status=400 if form.errors else 200)


@login_required
@require_POST
def session_end(request, session_id: int):
    session = session_get(viewer=request.viewer, session_id=session_id)
    user_session_end(viewer=request.viewer, session=session,
                     because="ended by its person" if session.user_id == request.viewer.user_id else
                     f"ended by {request.viewer.name}")
    messages.success(request, "The session is ended: that browser is signed out.")
    return _back_to_person(request, session.user)


@capability_required("api.tokens")
def token_create(request):
    viewer = request.viewer
    scopes = [(scope, SCOPE_LABELS.get(scope, scope)) for scope in api_scopes_for(viewer.user)]
    form = ApiTokenForm(request.POST or None, scopes=scopes, max_days=settings.API_TOKEN_MAX_DAYS,
                        initial={"scopes": [scope for scope, _ in scopes], "days": settings.API_TOKEN_DAYS})
    if request.method == "POST" and form.is_valid():
        try:
            record, token = api_token_create(viewer=viewer, user=viewer.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return page(request, "account/token_made.html", active="account", record=record, token=token)
    return page(request, "account/token_new.html", active="account", form=form, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = api_token_get(viewer=request.viewer, token_id=token_id)
    api_token_revoke(viewer=request.viewer, token=token)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return _back_to_person(request, token.user)
