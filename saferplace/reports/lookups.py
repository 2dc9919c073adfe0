"""The setup every report reads (services with their questions, routing rules, states, response
templates), kept in the process's memory: a report posted reads it from here instead of five
queries. A change to any of those tables made in this process forgets it at once (signals, in
`receivers`); one made by another process is seen within `KEPT_SECONDS`."""

from threading import Lock
from time import monotonic

from saferplace.reports.models import ReportState, ResponseTemplate, RoutingRule, Service

KEPT_SECONDS = 10
_kept: dict[str, tuple[float, object]] = {}
_lock = Lock()


def forget(**kwargs) -> None:
    with _lock:
        _kept.clear()


def _kept_or_built(name: str, build):
    now = monotonic()
    found = _kept.get(name)
    if found is not None and now - found[0] < KEPT_SECONDS:
        return found[1]
    value = build()
    with _lock:
        _kept[name] = (now, value)
    return value


def services_by_code() -> dict[str, Service]:
    """Every active service by its code, with its data category and its questions."""
    return _kept_or_built("services", lambda: {
        service.code: service
        for service in Service.objects.filter(active=True).select_related("data_category").prefetch_related("attributes")})


def rules_of(service_id: int) -> dict[int | None, RoutingRule]:
    """The service's routing rules by place (None: everywhere), with their organisations."""
    def build():
        rules: dict[int, dict[int | None, RoutingRule]] = {}
        for rule in RoutingRule.objects.select_related("organisation"):
            rules.setdefault(rule.service_id, {})[rule.place_id] = rule
        return rules
    return _kept_or_built("rules", build).get(service_id, {})


def states() -> dict[str, ReportState]:
    return _kept_or_built("states", lambda: {state.code: state for state in ReportState.objects.all()})


def templates() -> dict[tuple[int | None, str], str]:
    """Response templates by (service id or None, state code)."""
    return _kept_or_built("templates", lambda: {
        (template.service_id, template.state_id): template.text for template in ResponseTemplate.objects.all()})
