"""Small pieces every view uses: role checks and rendering."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def role_required(*roles: str):
    """Signed in, and holding one of `roles`; anyone else gets 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def page(request, template: str, *, active: str = "", status: int = 200, **context):
    return render(request, template, {"active": active, **context}, status=status)
