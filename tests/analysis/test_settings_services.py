"""Changing what the ranked issues weigh: each change an event of its record with the reason,
audited, and the kept ranked issues out of date; refused, changing nothing, to anyone without
`harm.manage`, and for a value that makes no sense."""

import math

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from saferplace.analysis.models import (
    AnalysisResult,
    CategoryRisk,
    CategoryRiskEvent,
    PriorityWeight,
    PriorityWeightEvent,
    RepeatRule,
    RepeatRuleEvent,
    ResultStatus,
)
from saferplace.analysis.settings_selectors import priority_settings_history, priority_settings_list
from saferplace.analysis.settings_services import (
    category_risk_set,
    priority_weight_set,
    repeat_rule_add,
    repeat_rule_change,
    repeat_rule_remove,
)
from saferplace.audit.models import AuditEntry
from saferplace.errors import NotAllowed
from saferplace.incidents.recount import counts_version
from tests.conftest import viewer

pytestmark = pytest.mark.django_db


def _snapshot() -> list:
    return [list(PriorityWeight.objects.order_by("pk").values_list("dimension", "weight")),
            list(CategoryRisk.objects.order_by("pk").values_list("category", "physical", "capacity")),
            list(RepeatRule.objects.order_by("pk").values_list("pk", "times", "days", "category")),
            PriorityWeightEvent.objects.count(), CategoryRiskEvent.objects.count(), RepeatRuleEvent.objects.count()]


def test_a_weight_change_writes_its_event_and_audit_entry_and_outdates_the_ranked_issues(world, council_admin):
    issues = AnalysisResult.objects.create(key="a" * 64, kind="issues", choices={}, status=ResultStatus.DONE,
                                           version=counts_version(), requested_at=timezone.now())
    hotspots = AnalysisResult.objects.create(key="b" * 64, kind="hotspots", choices={}, status=ResultStatus.DONE,
                                             version=counts_version(), requested_at=timezone.now())
    before = AuditEntry.objects.count()
    priority_weight_set(viewer=viewer(council_admin), dimension="likelihood", weight=4.5, reason="The board asked")
    assert PriorityWeight.objects.get(dimension="likelihood").weight == 4.5
    event = PriorityWeightEvent.objects.get()
    assert (event.kind, event.changes, event.note, event.actor_name) == (
        "changed", {"weight": ["3", "4.5"]}, "The board asked", viewer(council_admin).name)
    entry = AuditEntry.objects.get(sequence__gt=before)
    assert (entry.action, entry.object_type, entry.reason) == ("change", "analysis.priorityweight", "The board asked")
    issues.refresh_from_db(), hotspots.refresh_from_db()
    assert issues.version is None and issues.status == ResultStatus.QUEUED  # worked out again on the new weights
    assert hotspots.version == counts_version()  # weighs nothing of the matrix's
    assert [each.subject for each in priority_settings_history(viewer=viewer(council_admin))] == [
        "The weight of likelihood"]


def test_the_same_value_writes_nothing(world, council_admin):
    priority_weight_set(viewer=viewer(council_admin), dimension="scale", weight=2, reason="No change")
    assert not PriorityWeightEvent.objects.exists()


def test_a_categorys_levels_change_with_their_history(world, council_admin):
    category_risk_set(viewer=viewer(council_admin), category="burglary", levels={"physical": 3, "capacity": 3},
                      reason="Aggravated burglaries this year")
    risk = CategoryRisk.objects.get(category="burglary")
    assert (risk.physical, risk.psychological, risk.capacity) == (3, 4, 3)
    event = CategoryRiskEvent.objects.get()
    assert event.changes == {"physical": ["1", "3"]} and event.note == "Aggravated burglaries this year"
    levels = {row["code"]: row["levels"] for row in priority_settings_list(viewer=viewer(council_admin))["categories"]}
    assert levels["burglary"]["physical"] == 3


def test_a_category_without_levels_gets_a_row_from_its_starting_ones(world, council_admin):
    CategoryRisk.objects.filter(category="drugs").delete()
    category_risk_set(viewer=viewer(council_admin), category="drugs", levels={"capacity": 4}, reason="New team")
    risk = CategoryRisk.objects.get(category="drugs")
    assert (risk.physical, risk.community, risk.capacity) == (2, 4, 4)
    assert CategoryRiskEvent.objects.get(record=risk).changes == {"capacity": ["2", "4"]}


def test_repeat_rules_are_added_changed_and_removed_with_their_history(world, council_admin):
    admin = viewer(council_admin)
    rule = repeat_rule_add(viewer=admin, times=2, days=7, category="burglary", description="Burglary twice in a week",
                           reason="Near-repeat burglaries")
    assert (rule.times, rule.days, rule.category_id) == (2, 7, "burglary")
    repeat_rule_change(viewer=admin, rule=rule, times=3, days=7, category="burglary", description="Burglary three times",
                       reason="Too many")
    rule.refresh_from_db()
    assert rule.times == 3
    repeat_rule_remove(viewer=admin, rule=rule, reason="Covered by the police's own")
    assert not RepeatRule.objects.filter(pk=rule.pk).exists()
    events = list(RepeatRuleEvent.objects.order_by("at", "id"))
    assert [event.kind for event in events] == ["added", "changed", "removed"]
    assert all(event.record_id is None for event in events)  # the history outlives the rule
    assert events[1].changes["times"] == ["2", "3"] and events[2].changes["rule"][1] is None
    assert [entry.action for entry in AuditEntry.objects.filter(object_type="analysis.repeatrule").order_by("sequence")] == [
        "create", "change", "delete"]


@pytest.mark.parametrize("persona", ["council_analyst", "police_analyst", "council_volunteer", "police_chair"])
def test_everyone_without_harm_manage_is_refused_and_nothing_changes(request, world, persona):
    someone = viewer(request.getfixturevalue(persona))
    rule = RepeatRule.objects.order_by("pk").first()
    before = _snapshot()
    for attempt in (
        lambda: priority_weight_set(viewer=someone, dimension="likelihood", weight=9, reason="x"),
        lambda: category_risk_set(viewer=someone, category="burglary", levels={"physical": 4}, reason="x"),
        lambda: repeat_rule_add(viewer=someone, times=2, days=7, reason="x"),
        lambda: repeat_rule_change(viewer=someone, rule=rule, times=9, days=9, reason="x"),
        lambda: repeat_rule_remove(viewer=someone, rule=rule, reason="x"),
    ):
        with pytest.raises(NotAllowed):
            attempt()
    assert _snapshot() == before


@pytest.mark.parametrize(("call", "field"), [
    (lambda admin: priority_weight_set(viewer=admin, dimension="likelihood", weight=math.nan, reason="x"), "weight"),
    (lambda admin: priority_weight_set(viewer=admin, dimension="likelihood", weight=math.inf, reason="x"), "weight"),
    (lambda admin: priority_weight_set(viewer=admin, dimension="likelihood", weight=-1, reason="x"), "weight"),
    (lambda admin: priority_weight_set(viewer=admin, dimension="likelihood", weight=1e6, reason="x"), "weight"),
    (lambda admin: priority_weight_set(viewer=admin, dimension="likelihood", weight="3", reason="x"), "weight"),
    (lambda admin: priority_weight_set(viewer=admin, dimension="likelihood", weight=True, reason="x"), "weight"),
    (lambda admin: priority_weight_set(viewer=admin, dimension="likelihood", weight=2, reason="  "), "reason"),
    (lambda admin: priority_weight_set(viewer=admin, dimension="nonsense", weight=2, reason="x"), "dimension"),
    (lambda admin: category_risk_set(viewer=admin, category="burglary", levels={"physical": 5}, reason="x"), "physical"),
    (lambda admin: category_risk_set(viewer=admin, category="burglary", levels={"physical": -1}, reason="x"), "physical"),
    (lambda admin: category_risk_set(viewer=admin, category="burglary", levels={"physical": 2.5}, reason="x"), "physical"),
    (lambda admin: category_risk_set(viewer=admin, category="burglary", levels={"glamour": 2}, reason="x"), "levels"),
    (lambda admin: category_risk_set(viewer=admin, category="nothing", levels={"physical": 2}, reason="x"), "category"),
    (lambda admin: repeat_rule_add(viewer=admin, times=1, days=7, reason="x"), "times"),
    (lambda admin: repeat_rule_add(viewer=admin, times=2, days=0, reason="x"), "days"),
    (lambda admin: repeat_rule_add(viewer=admin, times=2, days=367, reason="x"), "days"),
    (lambda admin: repeat_rule_add(viewer=admin, times=2, days=7, category="nothing", reason="x"), "category"),
    (lambda admin: repeat_rule_add(viewer=admin, times=3, days=28, reason="x"), "times"),  # the same as the starting rule
])
def test_values_that_make_no_sense_are_refused_naming_the_field_and_nothing_changes(world, council_admin, call, field):
    before = _snapshot()
    with pytest.raises(ValidationError) as refused:
        call(viewer(council_admin))
    assert field in refused.value.message_dict
    assert _snapshot() == before


def test_every_weight_cannot_be_zero(world, council_admin):
    admin = viewer(council_admin)
    for row in PriorityWeight.objects.exclude(dimension="capacity"):
        priority_weight_set(viewer=admin, dimension=row.dimension, weight=0, reason="Only capacity counts")
    with pytest.raises(ValidationError, match="At least one dimension"):
        priority_weight_set(viewer=admin, dimension="capacity", weight=0, reason="Nothing counts")


def test_the_last_repeat_rule_of_each_kind_cannot_be_removed(world, council_admin):
    admin = viewer(council_admin)
    places = RepeatRule.objects.get(subject="place")  # the starting rules: one about places, one about people
    people = RepeatRule.objects.get(subject="person")
    for rule in (places, people):
        with pytest.raises(ValidationError, match="only repeat rule of its kind"):
            repeat_rule_remove(viewer=admin, rule=rule, reason="x")
    assert RepeatRule.objects.count() == 2
    another = repeat_rule_add(viewer=admin, subject="person", times=3, days=90, reason="Three in a quarter too")
    assert str(another) == "3 in 90 days to the same person (any category)"
    repeat_rule_remove(viewer=admin, rule=people, reason="The quarter's rule is enough")
    assert list(RepeatRule.objects.values_list("subject", flat=True).order_by("subject")) == ["person", "place"]
    with pytest.raises(ValidationError, match="places or people"):
        repeat_rule_add(viewer=admin, subject="vehicle", times=3, days=90, reason="x")
