"""What a resident or a client sent, checked the same way wherever it arrives: text without NUL
characters within its length, an email address, an http(s) photo address. A ValueError names
the field (`what`) and what is wrong."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email


def text_checked(value, *, what: str, most: int, required: bool = False) -> str:
    value = str(value or "").replace("\x00", "").strip()
    if required and not value:
        raise ValueError(f"{what} is needed")
    if len(value) > most:
        raise ValueError(f"{what}: at most {most} characters")
    return value


def email_checked(value, *, what: str = "Email address") -> str:
    value = text_checked(value, what=what, most=254)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError(f"{what}: give an address like name@example.com") from None
    return value


def media_url_checked(value) -> str:
    value = text_checked(value, what="media_url", most=500)
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValueError("media_url: give an http or https address") from None
    return value
