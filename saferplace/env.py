"""Strict helpers for reading settings from the environment.

Every setting SaferPlace reads is listed in `.env.example`. A value that cannot be parsed stops
start-up with a message naming the variable, rather than silently falling back to a default.
"""

import json
import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name} must be one of true/false/1/0/yes/no/on/off, not {value!r}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a whole number, not {value!r}."
        ) from None
    if minimum is not None and number < minimum or maximum is not None and number > maximum:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be between {minimum} and {maximum}, not {number}."
        )
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be one of {', '.join(choices)}, not {value!r}."
        )
    return value


def env_keys(name: str, default: str | None = None, *, min_length: int = 0) -> dict[str, bytes]:
    """Named secrets, "id:secret,id:secret" (the first is the one in use; the others are kept to
    check what older keys made). Ids are letters, digits, '-' and '_'."""
    text = env_str(name, default)
    keys: dict[str, bytes] = {}
    for item in text.split(","):
        key_id, separator, secret = item.strip().partition(":")
        if not separator or not key_id or not secret or not key_id.replace("-", "").replace("_", "").isalnum():
            raise ImproperlyConfigured(f"The environment variable {name} must look like id:secret,id:secret.")
        if len(secret) < min_length:
            raise ImproperlyConfigured(f"Each secret in {name} must be at least {min_length} characters long.")
        if key_id in keys:
            raise ImproperlyConfigured(f"The key id {key_id!r} appears twice in {name}.")
        keys[key_id] = secret.encode("utf-8")
    return keys


def env_json_object(name: str, default: dict) -> dict:
    """A JSON object, e.g. FILE_STORAGE_OPTIONS={"bucket_name": "saferplace-uploads"}."""
    value = os.environ.get(name)
    if value is None or value == "":
        return dict(default)
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a JSON object like {{\"name\": \"value\"}}, not {value!r}."
        )
    return parsed
