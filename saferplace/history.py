"""A record's history: typed event rows, written with the change and its audit entry.

Each app declares its event tables in `events.py`, one per kind of record, on the `Event` base:

    class AgreementEvent(Event):
        record = models.ForeignKey("partners.SharingAgreement", on_delete=models.CASCADE, related_name="events")
        kind = models.CharField(max_length=40, choices=AgreementEventKind.choices)

A service changes a record with `record_change`, which saves it, writes its event and its audit
entry in one transaction (the audit trail is the partnership's tamper-evident record of who did
what; the events are the record's own timeline, shown on its page). `record_timeline` reads it.
"""

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from itertools import batched

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.formats import date_format

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.events import Event

EVENTS_PER_STATEMENT = 1000


def _as_text(value) -> str | list | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set)):
        return [str(item) for item in value]
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def _changed(record, values: dict) -> dict[str, tuple]:
    """What setting `values` on `record` would change, as {field: (before, after)}, the values as they are."""
    return {name: (getattr(record, name), new) for name, new in values.items() if getattr(record, name) != new}


def changes_between(record, values: dict) -> dict[str, list]:
    """What setting `values` on `record` would change, as {field: [before, after]} in text."""
    return {name: [_as_text(before), _as_text(after)] for name, (before, after) in _changed(record, values).items()}


def value_in_words(value, field=None) -> str | list:
    """A value as a person reads it on a timeline: a choice's label ("Active", not "active"), a
    date as "20 November 2026", a moment as "20 November 2026, 14:05" (local time), "Yes" or
    "No", "none" for nothing; anything else as text."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple, set)):
        return [str(value_in_words(item, field)) for item in value]
    if field is not None and getattr(field, "choices", None):
        key = value.value if isinstance(value, Enum) else value
        labels = dict(field.flatchoices)
        if isinstance(key, (str, int)) and key in labels:
            return str(labels[key])
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "j F Y, H:i")
    if isinstance(value, date):
        return date_format(value, "j F Y")
    return _as_text(value)


def changes_in_words(record, changes: dict) -> dict:
    """`changes` ({field: [before, after]}) as a person reads them (`value_in_words`), each value
    read by the record's field of that name where it has one: what a record's event stores."""
    shown = {}
    for name, change in changes.items():
        try:
            field = record._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if isinstance(change, (list, tuple)) and len(change) == 2:
            shown[name] = [value_in_words(change[0], field), value_in_words(change[1], field)]
        else:
            shown[name] = value_in_words(change, field)
    return shown


def event_model_for(record_or_model) -> type[Event]:
    """The event table of a kind of record (the `Event` subclass whose `record` points at it)."""
    model = record_or_model._meta.concrete_model  # works for a lazy object (request.user) too
    for candidate in apps.get_models():
        if issubclass(candidate, Event) and candidate._meta.get_field("record").related_model is model:
            return candidate
    raise LookupError(f"{model._meta.label} has no event table")


def event_write(*, viewer, record, kind: str, changes: dict | None = None, note: str = "") -> Event:
    """Write one event about `record` (inside the caller's transaction)."""
    return event_model_for(record).objects.create(
        record=record,
        kind=str(kind),
        actor_id=viewer.user_id,
        actor_name=viewer.name[:150],
        actor_organisation=viewer.organisation_name[:200],
        changes=changes or {},
        note=note,
    )


def events_write(*, viewer, model, kind: str, items: Iterable[tuple[int, dict]], note: str = "") -> int:
    """Write one event per (record id, changes) in bulk: an import's outcome changes, a lookup's
    places. 1,000 events per INSERT statement, each event's values adapted by its fields as the
    ORM would: the ORM's `bulk_create` costs several times more per event (a model instance and
    an SQL fragment per value), which an import of a million outcomes pays a million times. The
    full statements go through one `executemany`, so the driver reads the statement once."""
    meta = event_model_for(model)._meta
    same = {"kind": str(kind), "actor_id": viewer.user_id, "actor_name": viewer.name[:150],
            "actor_organisation": viewer.organisation_name[:200], "note": note, "at": timezone.now()}
    same_values = [meta.get_field(name).get_db_prep_save(value, connection) for name, value in same.items()]
    changes_field = meta.get_field("changes")
    quote = connection.ops.quote_name
    names = [meta.get_field("record").column, changes_field.column, *(meta.get_field(name).column for name in same)]
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(name) for name in names)}) VALUES "  # noqa: S608 (names from the model)
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    written, last = 0, []

    def full_statements():
        nonlocal written
        for batch in batched(items, EVENTS_PER_STATEMENT):
            values = [value for record_id, changes in batch
                      for value in (record_id, changes_field.get_db_prep_save(changes, connection), *same_values)]
            written += len(batch)
            if len(batch) == EVENTS_PER_STATEMENT:
                yield values
            else:
                last.append((len(batch), values))  # the last batch, part-full

    with connection.cursor() as cursor:
        cursor.executemany(head + ", ".join([one] * EVENTS_PER_STATEMENT), full_statements())
        for count, values in last:
            cursor.execute(head + ", ".join([one] * count), values)
    return written


@transaction.atomic
def record_change(
    *,
    viewer,
    record,
    kind: str,
    values: dict | None = None,
    changes: dict | None = None,
    note: str = "",
    created: bool = False,
    details: dict | None = None,
    always: bool = False,
    shown: dict | None = None,
) -> dict:
    """Set `values` on `record` and save it, then write its event and its audit entry, all in
    one transaction. `changes` adds what `values` cannot show (a list of parties); `details`
    adds to the audit entry; `shown` replaces some of the event's changes with what a person
    reads better (names for codes). A change that changes nothing writes nothing, unless `always`.

    The event, which people read on the record's page, has the changes in words
    (`changes_in_words`: "Active" → "Ended", "20 November 2026", "Yes"/"No", "none"); the audit
    entry keeps the values as stored ("active" → "ended", "2026-11-20"), as `changes_between`
    gives them. Returns those."""
    values = values or {}
    changed = {} if created else _changed(record, values)
    found = {name: [_as_text(before), _as_text(after)] for name, (before, after) in changed.items()}
    found.update(changes or {})
    in_words = changes_in_words(record, {**changed, **(changes or {}), **(shown or {})})
    for name, value in values.items():
        setattr(record, name, value)
    if created or found or record.pk is None:
        record.save()
    if not (created or found or always):
        return found
    event_write(viewer=viewer, record=record, kind=kind, changes=in_words, note=note)
    audit_details = {**({"changes": found} if found and not created else {}), **(details or {})}
    audit_record(
        viewer=viewer,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        obj=record,
        reason=note or None,
        details=audit_details,
    )
    return found


def record_timeline(record) -> models.QuerySet:
    """The record's events, oldest first."""
    return event_model_for(record).objects.filter(record=record).order_by("at", "id")


def timeline_for_outsider(events) -> list:
    """The events as someone outside the record's organisation sees them: which organisation
    acted, what changed and when, but not the person nor the reason they wrote (a partner may
    share a record without sharing its staff's names or their internal notes)."""
    shown = []
    for event in events:
        event.actor_name, event.note = event.actor_organisation or "Another organisation", ""
        event.actor_organisation = ""
        shown.append(event)
    return shown
