"""The Jinja2 environment for SaferPlace pages: GOV.UK Frontend macros (govuk-frontend-jinja),
Django's static and url helpers, and helpers that turn Django form fields into macro params."""

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape

from saferplace.incidents.sources import source_name
from saferplace.partners.access import can
from saferplace.words import count_of


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def field_params(bound_field, **extra) -> dict:
    """Params for govukInput / govukSelect / govukTextarea / govukDateInput from a form field."""
    params = {
        "id": bound_field.auto_id,
        "name": bound_field.html_name,
        "label": {"text": bound_field.label},
        "value": bound_field.value() if bound_field.value() is not None else "",
    }
    if bound_field.help_text:
        params["hint"] = {"text": str(bound_field.help_text)}
    if bound_field.errors:
        params["errorMessage"] = {"text": " ".join(bound_field.errors)}
    choices = getattr(bound_field.field, "choices", None)
    if choices is not None:
        current = bound_field.value()
        current_values = {str(v) for v in current} if isinstance(current, list | tuple) else {str(current)}
        params["idPrefix"] = bound_field.auto_id
        params["items"] = [
            {"value": str(value), "text": str(text), "selected": str(value) in current_values,
             "checked": str(value) in current_values}
            for value, text in choices
        ]
    params.update(extra)
    return params


def error_summary_items(form) -> list[dict]:
    items = []
    for name, errors in form.errors.items():
        anchor = f"#{form[name].auto_id}" if name in form.fields else "#main-content"
        items.extend({"text": str(error), "href": anchor} for error in errors)
    return items


def datetime_display(value) -> str:
    return date_format(localtime(value), "j M Y, H:i") if value else ""


def date_display(value) -> str:
    return date_format(value, "j M Y") if value else ""


def environment(**options) -> Environment:
    options["loader"] = ChoiceLoader(
        [options["loader"], PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
    )
    options.setdefault("autoescape", select_autoescape(default=True))
    env = Environment(**options)  # noqa: S701 - autoescape is set above
    env.globals.update(
        {
            "static": static,
            "can": can,
            "url": url,
            "field_params": field_params,
            "error_summary_items": error_summary_items,
            "count_of": count_of,
            "get_messages": get_messages,
            "settings": {
                "OIDC_ENABLED": settings.OIDC_ENABLED,
                "OIDC_PROVIDER_NAME": settings.OIDC_PROVIDER_NAME,
                "MAP_TILE_URL": settings.MAP_TILE_URL,
                "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
            },
        }
    )
    env.filters.update({"datetime": datetime_display, "date": date_display, "source_name": source_name})
    return env
