"""Organisation names as people read them: one spelling per organisation, whatever the case,
the spaces or the Unicode form, and no invisible characters, so that no organisation can take a
name that looks like another's, and a file's "Reported by" finds the organisation it names."""

import unicodedata

from django.core.exceptions import ValidationError

NAME_LENGTH = 200
# Control, format (zero-width, direction marks), line and paragraph separators, unassigned.
HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cn", "Co", "Cs"}


def name_clean(text: str, *, field: str = "name", length: int = NAME_LENGTH) -> str:
    """The name in its one written form (NFKC, single spaces, trimmed), or a ValidationError on
    `field` naming what is wrong with it."""
    text = unicodedata.normalize("NFKC", str(text))
    if any(unicodedata.category(character) in HIDDEN_CATEGORIES for character in text):
        raise ValidationError({field: "The name contains a character that cannot be seen (a control or "
                                      "zero-width character): type it again."})
    text = " ".join(text.split())
    if not text:
        raise ValidationError({field: "Enter the organisation's name."})
    if len(text) > length:
        raise ValidationError({field: f"The name must be {length} characters or fewer."})
    return text


def name_key(text: str) -> str:
    """What two names must share to be the same name: the written form, without case."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()
