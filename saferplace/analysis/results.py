"""Analyses worked out in the background and kept (`AnalysisResult`).

A page asks for an analysis (`analysis_request`): a result for the same kind, choices and
reading rule, worked out on the counts as they are now, is shown at once; otherwise one is queued
for the worker (`tasks.analysis_compute_task`) and the page says so. An older result is never
shown or served, as it may hold records since withdrawn (`analysis_kept`). Whenever the counts
change (an import lands), the results queued in the last `RECENT_DAYS` are queued again
(`analysis_results_refresh`). A result is worked out as the person who asked for it (their
reading rule then, their capability checked again); a result left running by a killed worker
is queued again once it is `STUCK_AFTER` old."""

import hashlib
import json
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from saferplace.analysis.models import AnalysisResult, ResultStatus
from saferplace.analysis.ranking import issues_rank
from saferplace.analysis.repeat_selectors import near_repeat_find, repeats_find
from saferplace.analysis.selectors import (
    emerging_find,
    exceedances_find,
    hotspots_find,
)
from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotAllowed
from saferplace.incidents.recount import counts_version
from saferplace.incidents.selectors import IncidentFilters
from saferplace.partners import access
from saferplace.partners.viewer import TASK, AuditContext, operator_viewer, viewer_for

KINDS = {"hotspots": hotspots_find, "emerging": emerging_find, "issues": issues_rank, "repeats": repeats_find,
         "near_repeat": near_repeat_find, "exceedances": exceedances_find}
RECENT_DAYS = 14
MOST_REFRESHED = 50  # results queued again after a change of the counts, the most recently asked for first
STUCK_AFTER = timedelta(minutes=30)
MOST_WAITING = 20  # analyses one person may have waiting for the worker at once


class TooManyWaiting(Exception):
    """A person has `MOST_WAITING` analyses waiting already: the worker is theirs to share."""
DATES = ("date_from", "date_to")


def choices_as_data(choices: dict) -> dict:
    """The analysis's keyword arguments as JSON data (the filters as their dict)."""
    data = dict(choices)
    data["filters"] = (data.get("filters") or IncidentFilters()).as_dict()
    return data


def choices_from_data(data: dict) -> dict:
    choices = dict(data)
    filters = dict(choices.get("filters") or {})
    for name in DATES:
        if filters.get(name):
            filters[name] = date.fromisoformat(filters[name])
    for name, value in list(filters.items()):
        if isinstance(value, list):
            filters[name] = tuple(value)
    choices["filters"] = IncidentFilters(**filters)
    return choices


def _key(kind: str, data: dict, rule) -> str:
    text = json.dumps({"kind": kind, "choices": data, "rule": rule}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _fresh(result: AnalysisResult, version: int, user_id: int | None) -> bool:
    """Worked out on the counts as they are now. A refusal holds only for the person it was
    worked out as (their reading rule or capability may have been the reason): anyone else of
    the same rule who asks has it worked out again, as them."""
    if result.version != version:
        return False
    return result.status == ResultStatus.DONE or (
        result.status == ResultStatus.REFUSED and result.requested_by_id == user_id)


def analysis_current(result: AnalysisResult, version: int) -> bool:
    """Worked out (or refused, with the reason) on the counts of `version`: what a page may show."""
    return result.status in (ResultStatus.DONE, ResultStatus.REFUSED) and result.version == version


def _waiting(result: AnalysisResult) -> bool:
    """Queued or running, and not stuck (a killed worker's is queued again)."""
    since = result.started_at or result.requested_at
    return result.status in (ResultStatus.QUEUED, ResultStatus.RUNNING) and timezone.now() - since < STUCK_AFTER


def _queue(result: AnalysisResult, *, user_id: int | None) -> None:
    from saferplace.analysis.tasks import analysis_compute_task  # the task module imports this one

    AnalysisResult.objects.filter(pk=result.pk).update(
        status=ResultStatus.QUEUED, requested_at=timezone.now(), requested_by_id=user_id, started_at=None)
    result.refresh_from_db()
    result_id = result.pk
    transaction.on_commit(lambda: analysis_compute_task.enqueue(result_id))


def analysis_request(*, viewer, kind: str, choices: dict) -> AnalysisResult:
    """The kept result of this analysis for this viewer's reading rule, queued to be worked out
    (again, as this viewer) when there is none for the counts as they are now. Its `result` may
    be an older one (`version` says which) while a new one is worked out: not to be shown. A
    person may have `MOST_WAITING` waiting at once (`TooManyWaiting`). A page view that finds
    a fresh result (or one being worked out) writes nothing: on SQLite a write would wait for an
    import's transaction to end."""
    access.require(viewer, "incidents.view")
    if kind not in KINDS:
        raise ValueError(f"There is no analysis {kind!r}")
    data = choices_as_data(choices)
    rule = access.grant_terms(viewer)
    key = _key(kind, data, rule)
    kept = AnalysisResult.objects.filter(key=key).first()
    if kept is not None and (_fresh(kept, counts_version(), viewer.user_id) or _waiting(kept)):
        return kept
    waiting = AnalysisResult.objects.filter(
        requested_by_id=viewer.user_id, status__in=(ResultStatus.QUEUED, ResultStatus.RUNNING),
        requested_at__gte=timezone.now() - STUCK_AFTER).exclude(key=key)
    if viewer.user_id is not None and waiting.count() >= MOST_WAITING:
        raise TooManyWaiting(f"You have {MOST_WAITING} analyses waiting to be worked out already: "
                             "try again when they have been (usually within a minute)")
    with transaction.atomic():
        result, created = AnalysisResult.objects.select_for_update().get_or_create(
            key=key, defaults={"kind": kind, "choices": data, "reading_rule": rule, "requested_at": timezone.now()})
        if created or not (_fresh(result, counts_version(), viewer.user_id) or _waiting(result)):
            _queue(result, user_id=viewer.user_id)
    return result


def analysis_compute(*, result_id: int) -> AnalysisResult | None:
    """Work the result out (the worker's task), as the person who last asked for it: refused,
    with the reason, when the choices make no sense, when they may no longer read incidents, or
    when their reading rule is not the result's any more (a result only ever holds what its
    rule allows)."""
    result = AnalysisResult.objects.select_related("requested_by").filter(pk=result_id).first()
    if result is None:
        return None
    if result.requested_by is not None:
        viewer = viewer_for(result.requested_by, context=AuditContext(channel=TASK))
    else:
        viewer = operator_viewer(channel=TASK)
    AnalysisResult.objects.filter(pk=result.pk).update(status=ResultStatus.RUNNING, started_at=timezone.now())
    version = counts_version()
    found, status, message = None, ResultStatus.DONE, ""
    try:
        if access.grant_terms(viewer) != result.reading_rule:
            raise NotAllowed(capability="incidents.view", record_type="analysis.analysisresult")
        found = KINDS[result.kind](viewer=viewer, **choices_from_data(result.choices))
    except NotAllowed:
        status, message = ResultStatus.REFUSED, "Whoever asked for it may no longer read these records: ask again."
    except ValueError as error:
        status, message = ResultStatus.REFUSED, str(error)
    except Exception as error:  # marked failed (asked for again, it is queued again), and the task fails too
        AnalysisResult.objects.filter(pk=result.pk).update(
            status=ResultStatus.FAILED, message=f"It failed: {type(error).__name__}. Ask again, or tell the operator.",
            finished_at=timezone.now())
        raise
    AnalysisResult.objects.filter(pk=result.pk).update(
        status=status, version=version, result=found if found is not None else result.result, message=message,
        finished_at=timezone.now())
    result.refresh_from_db()
    return result


def analysis_results_refresh() -> int:
    """Queue again the results queued in the last `RECENT_DAYS` (at most `MOST_REFRESHED`, the
    latest first) that the counts have moved on from: after an import lands."""
    version = counts_version()
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    queued = 0
    with transaction.atomic():
        for result in AnalysisResult.objects.select_for_update().filter(requested_at__gte=since).order_by(
                "-requested_at")[:MOST_REFRESHED]:
            if not (_fresh(result, version, result.requested_by_id) or _waiting(result)):
                _queue(result, user_id=result.requested_by_id)
                queued += 1
    return queued


EXPORTED = {  # each export's analysis, the rows of its result and their columns, as a CSV export writes them
    "hotspots": ("hotspots", "hotspots", ["h3_cell", "latitude", "longitude", "places", "kind", "count", "harm",
                                          "expected", "z", "p_value", "q_value"]),
    "emerging": ("emerging", "locations", ["h3_cell", "latitude", "longitude", "places", "pattern", "count", "trend_z",
                                           "trend_p", "tau"]),
    "issues": ("issues", "issues", ["title", "kind", "category", "place", "h3_cell", "count", "score"]),
    "repeats": ("repeats", "repeat_locations", ["place", "latitude", "longitude", "count", "first", "last", "rule"]),
    "repeat_victims": ("repeats", "repeat_victims", ["person", "organisation", "count", "first", "last", "rule",
                                                     "incidents"]),
    "near_repeat": ("near_repeat", "knox", ["distance", "time", "observed", "expected", "ratio", "p_value"]),
    "risk_areas": ("near_repeat", "risk_areas", ["latitude", "longitude", "radius_m", "from", "until"]),
}


def analysis_kept(*, viewer, kind: str, choices: dict) -> AnalysisResult | None:
    """The kept result of this analysis for these choices and the viewer's reading rule, worked
    out on the counts as they are now, as its page shows it; or None. Read only, never queued:
    a page asks (`analysis_request`); what it draws from (a map's data, an export) only reads.
    The key is the page's own, so nothing ever shows a result worked out on records its reader
    may not read; and only a current one, as an older one may hold records since withdrawn."""
    access.require(viewer, "incidents.view")
    key = _key(kind, choices_as_data(choices), access.grant_terms(viewer))
    return AnalysisResult.objects.filter(key=key, status=ResultStatus.DONE, result__isnull=False,
                                         version=counts_version()).first()


# The parts of a result that speak of individual records (a place's or person's incidents and
# dates, a recent incident's point and day): showing them is a disclosure, audited.
RECORD_LEVEL = {"repeats": ("repeat_locations", "repeat_victims"), "near_repeat": ("risk_areas",)}


def analysis_shown_audit(*, viewer, result: AnalysisResult, where: str) -> None:
    """Record that the record-level parts of a kept result (`RECORD_LEVEL`) were shown to
    `viewer` (on a page, on a map): how many of each, and the ids of the incidents named (a repeat
    victim's). Nothing is written for a result without any."""
    found = result.result or {}
    shown = {part: len(found.get(part) or []) for part in RECORD_LEVEL.get(result.kind, ())}
    if not any(shown.values()):
        return
    incidents = sorted({pk for victim in found.get("repeat_victims") or [] for pk in victim.get("incidents", [])})
    audit_record(viewer=viewer, action=AuditAction.VIEW, object_type="analysis.analysisresult", object_id=result.pk,
                 object_repr=f"{result.kind} {where}"[:300],
                 details={"kind": result.kind, "choices": result.choices, "version": result.version, **shown,
                          "incident_ids": incidents})


def _cell(value):
    return " ".join(map(str, value)) if isinstance(value, list) else value


def analysis_export(*, viewer, name: str, choices: dict) -> tuple[list[str], list[list]]:
    """A table of the kept result of an analysis for the viewer's reading rule (`EXPORTED`:
    header, rows), audited as an export: what was exported, on which version of the counts.
    Needs `incidents.export`; LookupError when there is no result worked out yet."""
    access.require(viewer, "incidents.export")
    if name not in EXPORTED:
        raise ValueError(f"There is no export of {name!r}")
    kind, rows_key, columns = EXPORTED[name]
    data = choices_as_data(choices)
    result = analysis_kept(viewer=viewer, kind=kind, choices=choices)
    if result is None:
        raise LookupError("This analysis has not been worked out yet: open its page, and export it once it shows")
    rows = [[_cell(row.get(column, "")) for column in columns] for row in result.result.get(rows_key, [])]
    if kind == "issues":
        columns = [*columns, "reasons"]
        rows = [[*row, "; ".join(reason["why"] for reason in issue["reasons"])]
                for row, issue in zip(rows, result.result[rows_key], strict=True)]
    incidents = sorted({pk for row in result.result.get(rows_key, []) for pk in row.get("incidents", [])})
    audit_record(viewer=viewer, action=AuditAction.EXPORT, object_type="analysis.analysisresult", object_id=result.pk,
                 object_repr=f"{name} (CSV)", details={"kind": kind, "export": name, "choices": data,
                                                       "version": result.version, "rows": len(rows),
                                                       "incident_ids": incidents})
    return columns, rows
