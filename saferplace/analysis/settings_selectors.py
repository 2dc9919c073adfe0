"""What the analysis weighs, for the pages and commands that show and change it: the harm
weights and the tables they came from, the priority weights, the categories' levels and the
repeat rules, their histories, and a derivation's preview (computed, nothing written)."""

from saferplace.analysis import harm
from saferplace.analysis.models import (
    WEIGHTS,
    CategoryRisk,
    CategoryRiskEvent,
    HarmTable,
    HarmTableKind,
    PriorityWeight,
    PriorityWeightEvent,
    RepeatRule,
    RepeatRuleEvent,
)
from saferplace.analysis.priority import DIMENSIONS, RISK_FIELDS, STARTING_WEIGHTS, starting_levels
from saferplace.errors import NotFound
from saferplace.incidents.events import CategoryEvent, CategoryEventKind
from saferplace.incidents.models import IncidentCategory
from saferplace.partners import access


def harm_weights_list(*, viewer) -> list[dict]:
    """Every category's harm weight with where it came from: the last change's reason (a
    derivation, or a person's words), who made it and when; or the built-in starting value."""
    access.require(viewer, "incidents.view")
    latest = {}
    for event in CategoryEvent.objects.filter(kind=CategoryEventKind.HARM_WEIGHT).order_by("at", "id"):
        latest[event.record_id] = event
    rows = []
    for category in IncidentCategory.objects.order_by("group", "name"):
        event = latest.get(category.pk)
        rows.append({"code": category.code, "name": category.name, "group": category.group,
                     "weight": category.harm_weight,
                     "why": event.note if event else "The built-in starting value (illustrative: set your own)",
                     "by": event.actor_name if event else "", "at": event.at.isoformat() if event else ""})
    return rows


def harm_tables_list(*, viewer) -> list[HarmTable]:
    access.require(viewer, "incidents.view")
    return list(HarmTable.objects.all())


def harm_table_find(*, viewer, name: str) -> HarmTable:
    access.require(viewer, "incidents.view")
    table = HarmTable.objects.filter(name=name).first()
    if table is None:
        raise ValueError(f"There is no harm table called {name!r}")
    return table




# --- What the ranking weighs, and previews of a change (the pages that change them) ----------

def _levels(category: IncidentCategory, risk: CategoryRisk | None) -> dict[str, int]:
    if risk is None:
        return starting_levels(category.code, category.group)
    return {name: getattr(risk, name) for name in RISK_FIELDS}


def priority_settings_list(*, viewer) -> dict:
    """What the ranked issues weigh: each dimension's weight (in the matrix's order), each
    category's levels, and the repeat rules."""
    access.require(viewer, "incidents.view")
    kept = {row.dimension: row for row in PriorityWeight.objects.filter(dimension__in=DIMENSIONS)}
    weights = [{"dimension": dimension,
                "weight": kept[dimension].weight if dimension in kept else STARTING_WEIGHTS[dimension][0],
                "description": kept[dimension].description if dimension in kept else STARTING_WEIGHTS[dimension][1]}
               for dimension in DIMENSIONS]
    risks = {risk.category_id: risk for risk in CategoryRisk.objects.all()}
    categories = [{"code": category.code, "name": category.name, "group": category.group,
                   "levels": _levels(category, risks.get(category.code))}
                  for category in IncidentCategory.objects.order_by("group", "name")]
    rules = list(RepeatRule.objects.select_related("category").order_by("days", "times", "pk"))
    return {"weights": weights, "categories": categories, "rules": rules}


def priority_weight_find(*, viewer, dimension: str) -> dict:
    """One dimension's weight, its description and its changes (oldest first)."""
    access.require(viewer, "incidents.view")
    if dimension not in DIMENSIONS:
        raise NotFound(record_type="analysis.priorityweight", record_id=dimension[:40])
    row = PriorityWeight.objects.filter(dimension=dimension).first()
    weight, description = (row.weight, row.description) if row else STARTING_WEIGHTS[dimension]
    events = list(PriorityWeightEvent.objects.filter(record=row)) if row else []
    return {"dimension": dimension, "weight": weight, "description": description, "events": events}


def category_risk_find(*, viewer, code: str) -> dict:
    """One category's levels on the matrix and their changes (oldest first)."""
    access.require(viewer, "incidents.view")
    category = IncidentCategory.objects.filter(code=code).first()
    if category is None:
        raise NotFound(record_type="incidents.incidentcategory", record_id=code[:40])
    risk = CategoryRisk.objects.filter(category_id=category.code).first()
    events = list(CategoryRiskEvent.objects.filter(record=risk)) if risk else []
    return {"code": category.code, "name": category.name, "group": category.group,
            "levels": _levels(category, risk), "events": events}


def repeat_rule_find(*, viewer, rule_id: int) -> RepeatRule:
    access.require(viewer, "incidents.view")
    rule = RepeatRule.objects.select_related("category").prefetch_related("events").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(record_type="analysis.repeatrule", record_id=rule_id)
    return rule


def priority_settings_history(*, viewer, limit: int = 20) -> list:
    """The latest changes of the weights, the categories' levels and the repeat rules (a removed
    rule's too), the newest first, each with `subject`: what changed, in words."""
    access.require(viewer, "incidents.view")
    events = [*PriorityWeightEvent.objects.select_related("record").order_by("-at", "-id")[:limit],
              *CategoryRiskEvent.objects.select_related("record__category").order_by("-at", "-id")[:limit],
              *RepeatRuleEvent.objects.select_related("record").order_by("-at", "-id")[:limit]]
    for event in events:
        if isinstance(event, PriorityWeightEvent):
            event.subject = f"The weight of {event.record.dimension}"
        elif isinstance(event, CategoryRiskEvent):
            event.subject = f"The levels of {event.record.category.name}"
        else:
            event.subject = "A repeat rule"
    return sorted(events, key=lambda event: event.at, reverse=True)[:limit]


def harm_weight_history(*, viewer, code: str) -> dict:
    """One category's harm weight, where it came from, and every change of it (oldest first):
    who, when, from and to, and why."""
    access.require(viewer, "incidents.view")
    category = IncidentCategory.objects.filter(code=code).first()
    if category is None:
        raise NotFound(record_type="incidents.incidentcategory", record_id=code[:40])
    events = list(CategoryEvent.objects.filter(record=category, kind=CategoryEventKind.HARM_WEIGHT).order_by("at", "id"))
    return {"code": category.code, "name": category.name, "group": category.group, "weight": category.harm_weight,
            "events": events}


def harm_weights_preview(*, viewer, weights: HarmTable, mapping: HarmTable) -> list[dict]:
    """What deriving the categories' weights from these tables would give (`harm.derive`),
    without changing anything: each mapped category's weight now and then, how it is worked out
    in words, and its offences."""
    access.require(viewer, "incidents.view")
    if weights.kind not in WEIGHTS or mapping.kind != HarmTableKind.OFFENCE_MAPPING:
        raise ValueError("Derive from a table of weights (Crime Severity Score or Crime Harm Index) and an offence mapping")
    derivations = harm.derive(dict(weights.weights.values_list("offence_code", "weight")),
                              list(mapping.mappings.values("offence_code", "offence", "category", "volume")))
    categories = {category.code: category for category in IncidentCategory.objects.filter(
        code__in=[derivation.category for derivation in derivations])}
    return [{"category": derivation.category, "name": categories[derivation.category].name,
             "now": categories[derivation.category].harm_weight, "weight": derivation.weight,
             "changes": derivation.weight is not None and derivation.weight != categories[derivation.category].harm_weight,
             "how": derivation.in_words(), "offences": derivation.offences} for derivation in derivations]
