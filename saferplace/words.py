"""Numbers in words for messages the domain writes (an import run's summary, an audit entry's
description): "1 row", "2 rows", "1,204 incidents". Pages use the Jinja helper of the same
name (`count_of` in saferplace/web/jinja.py), which says it the same way."""


def count_of(number: int, singular: str, plural: str | None = None) -> str:
    """"1 incident", "0 incidents", "1,204 incidents"; `plural` for the irregular ones
    ("1 community", "2 communities")."""
    return f"{number:,} {singular if number == 1 else (plural or singular + 's')}"
