"""What a client sent, turned into values or an `Open311Error` that says what is wrong (a 400, never
a 500): lengths limited, numbers bounded, dates read as ISO 8601."""

import re
from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

ID_MOST = 2**63 - 1
LIST_ITEMS_MOST = 1000
CODE_MOST = 60
DATE_EARLIEST, DATE_LATEST = datetime(1900, 1, 1), datetime(2100, 1, 1)


class Open311Error(Exception):  # noqa: N818 - reads as what the client is told
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def bad(description: str) -> Open311Error:
    return Open311Error(400, description)


def text(data, name: str, *, most: int, required: bool = False) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        raise bad(f"{name} is required")
    if len(value) > most:
        raise bad(f"{name}: at most {most} characters")
    return value


def integer(data, name: str, *, least: int, most: int, default: int | None = None) -> int | None:
    raw = str(data.get(name) or "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[+-]?\d{1,19}", raw) or not least <= int(raw) <= most:
        raise bad(f"{name}: a whole number from {least} to {most}")
    return int(raw)


def record_id(raw: str, name: str = "service_request_id") -> int:
    raw = str(raw or "").strip()
    if not re.fullmatch(r"\d{1,19}", raw) or not 1 <= int(raw) <= ID_MOST:
        raise bad(f"{name}: a whole number, e.g. {name}=101")
    return int(raw)


def _items(raw: str, name: str) -> list[str]:
    items = [item.strip() for item in str(raw or "").split(",") if item.strip()]
    if len(items) > LIST_ITEMS_MOST:
        raise bad(f"{name}: at most {LIST_ITEMS_MOST} values")
    return items


def ids(data, name: str = "service_request_id") -> tuple[int, ...]:
    return tuple(dict.fromkeys(record_id(item, name) for item in _items(data.get(name), name)))


def codes(data, name: str = "service_code") -> tuple[str, ...]:
    items = _items(data.get(name), name)
    if any(len(item) > CODE_MOST for item in items):
        raise bad(f"{name}: each code at most {CODE_MOST} characters")
    return tuple(dict.fromkeys(items))


def statuses(data) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(item.lower() for item in _items(data.get("status"), "status")))
    if set(items) - {"open", "closed"}:
        raise bad("status: open, closed, or both (status=open,closed)")
    return items


def moment(data, name: str) -> datetime | None:
    """An ISO 8601 date and time (2026-11-28T09:30:00Z; a time without an offset is local) or a
    date (its midnight)."""
    raw = str(data.get(name) or "").strip()
    if not raw:
        return None
    value = None
    if len(raw) <= 40:
        try:
            value = parse_datetime(raw.replace(" ", "+", 1) if re.search(r"T.* \d\d:?\d\d$", raw) else raw)
            if value is None and (day := parse_date(raw)) is not None:
                value = datetime.combine(day, time())
        except ValueError:
            value = None
    if value is None or not DATE_EARLIEST <= value.replace(tzinfo=None) <= DATE_LATEST:
        raise bad(f"{name}: a date and time in ISO 8601, e.g. {name}=2026-11-28T09:30:00Z")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def flag(data, name: str) -> bool:
    raw = str(data.get(name) or "").strip().lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise bad(f"{name}: true or false")
