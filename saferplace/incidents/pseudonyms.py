"""People's references, kept only as pseudonyms.

A partner's file may name the person an incident happened to (a victim's or a household's
reference in the partner's own system). SaferPlace needs only to know when the same person comes
up again (repeat victims), so the reference is replaced, before anything is stored, by a keyed
hash: HMAC-SHA-256 under the deployment's `PSEUDONYM_KEY`, of the owning organisation and the
reference as written (trimmed, case and spacing ignored). The same reference from the same
partner always gives the same pseudonym; without the key nobody can go back from one to the
reference, nor test a guess; two partners' references never match, as their numbering is
their own (linking people across agencies is a later, separately governed step)."""

import hashlib
import hmac

from django.conf import settings

LENGTH = 32  # hex characters: 128 bits, far beyond any chance of two people meeting


def normalised(reference: str) -> str:
    return " ".join(str(reference).split()).casefold()


def pseudonym(*, organisation_id: int, reference: str) -> str:
    """The pseudonym of a partner's reference to a person, or "" for a blank reference."""
    text = normalised(reference)
    if not text:
        return ""
    message = f"{organisation_id}:{text}".encode()
    return hmac.new(settings.PSEUDONYM_KEY.encode(), message, hashlib.sha256).hexdigest()[:LENGTH]
