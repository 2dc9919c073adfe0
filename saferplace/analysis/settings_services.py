"""Changing what the ranked issues weigh: each dimension's weight (`PriorityWeight`), each
category's levels on the matrix (`CategoryRisk`) and the repeat rules (`RepeatRule`).

Each change needs `harm.manage` (an administrator), is atomic, is refused with every reason
(`ValidationError`, by field) when a value makes no sense, writes an event of the record with
the person's reason and is audited. A change that changes nothing writes nothing.

The kept analyses worked out on the old values are marked out of date and queued again
(`results.analysis_results_refresh`): the ranked issues after any change, the repeat locations
after a repeat rule's. Their pages show the last result, saying a new one is being worked out,
until the worker has it."""

import math

from django.core.exceptions import ValidationError
from django.db import transaction

from saferplace.analysis.models import (
    AnalysisResult,
    CategoryRisk,
    PriorityWeight,
    RepeatRule,
    RepeatSubject,
    SettingEventKind,
)
from saferplace.analysis.priority import (
    DIMENSIONS,
    RISK_FIELDS,
    STARTING_WEIGHTS,
    TOP,
    starting_levels,
)
from saferplace.analysis.results import analysis_results_refresh
from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.history import event_write, record_change
from saferplace.incidents.models import IncidentCategory
from saferplace.partners import access

HEAVIEST = 1000.0  # a dimension's weight counts relative to the others': 0 to this
LONGEST_REASON = 2000
MOST_TIMES = 1000
LONGEST_WINDOW = 366  # days


def _reason(reason: str, errors: dict) -> str:
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why it changes: the history and the audit trail keep it"
    elif len(reason) > LONGEST_REASON:
        errors["reason"] = f"The reason must be {LONGEST_REASON:,} characters or fewer"
    return reason


def _whole(value, name: str, low: int, high: int, errors: dict, words: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[name] = f"{words} must be a whole number from {low} to {high:,}, not {str(value)[:30]!r}"


def _outdated(kinds: tuple[str, ...]) -> None:
    """The kept results of these kinds were worked out on the old values: no counts' version is
    theirs any more, and those asked for lately are queued again (once this commits)."""
    AnalysisResult.objects.filter(kind__in=kinds).update(version=None)
    analysis_results_refresh()


@transaction.atomic
def priority_weight_set(*, viewer, dimension: str, weight: float, reason: str) -> PriorityWeight:
    """Set how much one dimension of the matrix counts in an issue's score (0 to `HEAVIEST`,
    relative to the others'; at least one must count)."""
    access.require(viewer, "harm.manage")
    errors: dict[str, str] = {}
    if dimension not in DIMENSIONS:
        raise ValidationError({"dimension": f"There is no dimension {str(dimension)[:30]!r}: choose one of "
                                            f"{', '.join(DIMENSIONS)}"})
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight) \
            or not 0 <= weight <= HEAVIEST:
        errors["weight"] = f"A weight must be a number from 0 to {HEAVIEST:,.0f}, not {str(weight)[:30]!r}"
    elif weight == 0 and not PriorityWeight.objects.filter(dimension__in=DIMENSIONS, weight__gt=0).exclude(
            dimension=dimension).exists():
        errors["weight"] = "At least one dimension must count for something: every other weight is 0"
    reason = _reason(reason, errors)
    if errors:
        raise ValidationError(errors)
    row = PriorityWeight.objects.select_for_update().filter(dimension=dimension).first()
    created = row is None
    if created:
        row = PriorityWeight(dimension=dimension, weight=float(weight), description=STARTING_WEIGHTS[dimension][1])
    before = STARTING_WEIGHTS[dimension][0] if created else row.weight
    if not created and row.weight == float(weight):
        return row
    record_change(viewer=viewer, record=row, kind=SettingEventKind.CHANGED, values={"weight": float(weight)},
                  note=reason, created=created, always=True,
                  shown={"weight": [f"{before:g}", f"{float(weight):g}"]},
                  details={"dimension": dimension, "weight": [before, float(weight)]})
    _outdated(("issues",))
    return row


@transaction.atomic
def category_risk_set(*, viewer, category: str, levels: dict[str, int], reason: str) -> CategoryRisk:
    """Set a category's levels (0 to 4) on the dimensions that belong to what happened: any of
    physical, psychological, community, financial, vulnerability, capacity."""
    access.require(viewer, "harm.manage")
    errors: dict[str, str] = {}
    found = IncidentCategory.objects.filter(code=category).first()
    if found is None:
        raise ValidationError({"category": f"There is no category {str(category)[:40]!r}"})
    unknown = sorted(str(name) for name in levels if name not in RISK_FIELDS)
    if unknown:
        errors["levels"] = f"There is no level {', '.join(unknown)}: choose from {', '.join(RISK_FIELDS)}"
    for name in RISK_FIELDS:
        if name in levels:
            _whole(levels[name], name, 0, TOP, errors, name.title())
    reason = _reason(reason, errors)
    if errors:
        raise ValidationError(errors)
    row = CategoryRisk.objects.select_for_update().filter(category_id=found.code).first()
    created = row is None
    if created:
        row = CategoryRisk(category=found, **starting_levels(found.code, found.group))
    before = {name: getattr(row, name) for name in RISK_FIELDS}
    shown = {name: [before[name], value] for name, value in levels.items() if before[name] != value}
    if not shown:
        return row
    record_change(viewer=viewer, record=row, kind=SettingEventKind.CHANGED, values=dict(levels), note=reason,
                  created=created, always=True, shown=shown,
                  details={"category": found.code, "levels": {name: [before[name], value] for name, value in shown.items()}})
    _outdated(("issues",))
    return row


def _rule_values(*, subject: str, times: int, days: int, category: str | None, description: str, errors: dict,
                 rule: RepeatRule | None = None) -> dict:
    if subject not in RepeatSubject.values:
        errors["subject"] = "Choose whether the rule is about places or people"
    _whole(times, "times", 2, MOST_TIMES, errors, "The number of incidents")
    _whole(days, "days", 1, LONGEST_WINDOW, errors, "The number of days")
    chosen = None
    if category:
        chosen = IncidentCategory.objects.filter(code=category).first()
        if chosen is None:
            errors["category"] = f"There is no category {str(category)[:40]!r}"
    description = (description or "").strip()
    if len(description) > 200:
        errors["description"] = "The description must be 200 characters or fewer"
    if not errors:
        same = RepeatRule.objects.filter(subject=subject, category=chosen, times=times, days=days)
        if rule is not None:
            same = same.exclude(pk=rule.pk)
        if same.exists():
            errors["times"] = "There is already a rule with this number, these days and this category"
    return {"subject": subject, "times": times, "days": days, "category": chosen, "description": description}


@transaction.atomic
def repeat_rule_add(*, viewer, times: int, days: int, category: str | None = None, description: str = "",
                    reason: str, subject: str = RepeatSubject.PLACE) -> RepeatRule:
    """Add a rule: `times` incidents or more at the same place (or to the same person:
    `subject`) within `days` days (2 or more within 1 to 366 days), of one category or (none) any."""
    access.require(viewer, "harm.manage")
    errors: dict[str, str] = {}
    values = _rule_values(subject=subject, times=times, days=days, category=category, description=description, errors=errors)
    reason = _reason(reason, errors)
    if errors:
        raise ValidationError(errors)
    rule = RepeatRule(**values)
    record_change(viewer=viewer, record=rule, kind=SettingEventKind.ADDED, values=values, note=reason, created=True,
                  shown={"rule": [None, str(rule)], "description": [None, values["description"]]},
                  details={"rule": str(rule)})
    _outdated(("issues", "repeats"))
    return rule


@transaction.atomic
def repeat_rule_change(*, viewer, rule: RepeatRule, times: int, days: int, category: str | None = None,
                       description: str = "", reason: str, subject: str | None = None) -> RepeatRule:
    access.require(viewer, "harm.manage")
    errors: dict[str, str] = {}
    rule = RepeatRule.objects.select_for_update().get(pk=rule.pk)
    values = _rule_values(subject=subject or rule.subject, times=times, days=days, category=category, description=description, errors=errors,
                          rule=rule)
    reason = _reason(reason, errors)
    if errors:
        raise ValidationError(errors)
    before = str(rule)
    found = record_change(viewer=viewer, record=rule, kind=SettingEventKind.CHANGED, values=values, note=reason,
                          shown={"rule": [before, str(RepeatRule(**values))]})
    if found:
        _outdated(("issues", "repeats"))
    return rule


@transaction.atomic
def repeat_rule_remove(*, viewer, rule: RepeatRule, reason: str) -> None:
    """Remove a rule (its history stays); the last rule about places (or people) cannot be:
    change it instead."""
    access.require(viewer, "harm.manage")
    errors: dict[str, str] = {}
    reason = _reason(reason, errors)
    if not RepeatRule.objects.filter(subject=rule.subject).exclude(pk=rule.pk).exists():
        errors["reason"] = "This is the only repeat rule of its kind: change it rather than remove it"
    if errors:
        raise ValidationError(errors)
    rule = RepeatRule.objects.select_for_update().get(pk=rule.pk)
    event_write(viewer=viewer, record=rule, kind=SettingEventKind.REMOVED, changes={"rule": [str(rule), None]},
                note=reason)
    audit_record(viewer=viewer, action=AuditAction.DELETE, obj=rule, reason=reason, details={"rule": str(rule)})
    rule.delete()
    _outdated(("issues", "repeats"))
