"""Small pieces every view uses: the capability gate and rendering."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render

from saferplace.partners import access


def capability_required(capability: str):
    """Signed in, and holding `capability` (`access.require`); anyone else gets the 403 page,
    and the refusal is audited (`DomainErrorMiddleware`)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            access.require(request.viewer, capability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def apply_errors(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: each field's messages on that field, the rest
    (and a message for no field) at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def page(request, template: str, *, active: str = "", status: int = 200, **context):
    return render(request, template, {"active": active, **context}, status=status)
