"""The harm weights and priority pages: an administrator changes the weights, levels and repeat
rules in the browser, each change with its reason in the record's history; loads a table (whole
or not at all, every problem named by row and column) and derives weights after seeing how. Anyone
else who reads incidents sees them; nobody else can open a form or post a change, and nothing
they post changes anything. Numbers that are not numbers are a 400, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from saferplace.analysis.harm import LARGEST_FILE
from saferplace.analysis.models import (
    CategoryRisk,
    HarmTable,
    PriorityWeight,
    PriorityWeightEvent,
    RepeatRule,
    RepeatRuleEvent,
)
from saferplace.incidents.events import CategoryEvent
from saferplace.incidents.models import IncidentCategory
from tests.analysis.test_harm import MAPPING, WEIGHTS
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def _state() -> list:
    """Everything a post to these pages could change."""
    return [list(IncidentCategory.objects.order_by("code").values_list("code", "harm_weight")),
            list(PriorityWeight.objects.order_by("pk").values_list("dimension", "weight")),
            list(CategoryRisk.objects.order_by("pk").values_list("category", "physical", "psychological", "community",
                                                                 "financial", "vulnerability", "capacity")),
            list(RepeatRule.objects.order_by("pk").values_list("pk", "times", "days", "category", "description")),
            list(HarmTable.objects.values_list("name")), CategoryEvent.objects.count(),
            PriorityWeightEvent.objects.count(), RepeatRuleEvent.objects.count()]


def _upload(client, content: bytes, *, name="table.csv", kind="css", table="CSS 2025"):
    return client.post(reverse("web:analysis-harm-table-upload"), {
        "kind": kind, "name": table, "source": "ONS", "file": SimpleUploadedFile(name, content, content_type="text/csv")})


def test_an_administrator_changes_a_harm_weight_and_its_history_shows_it(client, world, council_admin):
    sign_in(client, council_admin)
    listed = client.get(reverse("web:analysis-harm")).content.decode()
    assert reverse("web:analysis-harm-change", args=["fly-tipping"]) in listed
    response = client.post(reverse("web:analysis-harm-change", args=["fly-tipping"]),
                           {"weight": "12.5", "reason": "Agreed at the partnership board, 3 March"})
    assert response.status_code == 302
    assert IncidentCategory.objects.get(code="fly-tipping").harm_weight == 12.5
    page = client.get(reverse("web:analysis-harm-category", args=["fly-tipping"])).content.decode()
    assert "Agreed at the partnership board, 3 March" in page and "→ 12.5" in page
    assert "Harm weight changed" in page and "Change the weight" in page


@pytest.mark.parametrize("persona", ["police_analyst", "council_volunteer"])
def test_nobody_else_opens_a_form_or_changes_anything(client, world, request, persona):
    sign_in(client, request.getfixturevalue(persona))
    rule = RepeatRule.objects.order_by("pk").first()
    before = _state()
    forms = {
        reverse("web:analysis-harm-change", args=["burglary"]): {"weight": "99", "reason": "x"},
        reverse("web:analysis-harm-table-upload"): {"kind": "css", "name": "Mine", "file": SimpleUploadedFile(
            "t.csv", WEIGHTS, content_type="text/csv")},
        reverse("web:analysis-harm-derive"): {"weights": "a", "mapping": "b", "confirm": "yes"},
        reverse("web:analysis-priority-weight-change", args=["likelihood"]): {"weight": "9", "reason": "x"},
        reverse("web:analysis-priority-category-change", args=["burglary"]): {
            **dict.fromkeys(("physical", "psychological", "community", "financial", "vulnerability", "capacity"), "4"),
            "reason": "x"},
        reverse("web:analysis-repeat-rule-add"): {"subject": "place", "times": "2", "days": "7", "reason": "x"},
        reverse("web:analysis-repeat-rule-change", args=[rule.pk]): {"subject": "place", "times": "9", "days": "9", "reason": "x"},
        reverse("web:analysis-repeat-rule-remove", args=[rule.pk]): {"reason": "x"},
    }
    for path, data in forms.items():
        assert client.get(path).status_code == 403, path
        assert client.post(path, data).status_code == 403, path
    assert _state() == before
    if persona == "police_analyst":  # they read the weights, without a way to change them
        for path in (reverse("web:analysis-harm"), reverse("web:analysis-priority")):
            page = client.get(path).content.decode()
            assert ">Change<" not in page and "Load a harm table" not in page and "Add a repeat rule" not in page
        assert "Likelihood" in page


def test_a_table_with_a_bad_row_names_the_row_and_field_and_stores_nothing(client, world, council_admin):
    sign_in(client, council_admin)
    response = _upload(client, b"Offence code,Weight\n28E,380\n30C,abc\n1,-5\n")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Row 3, weight: &#39;abc&#39; is not a number" in page and "Row 4, weight:" in page
    assert "govuk-error-summary" in page and "Nothing was loaded" in page
    assert not HarmTable.objects.exists()


def test_an_oversize_table_is_refused_before_it_is_read(client, world, council_admin):
    sign_in(client, council_admin)
    response = _upload(client, b"Offence code,Weight\n" + b"1" * LARGEST_FILE)
    assert response.status_code == 400
    assert "a harm table must be 5 MB or smaller" in response.content.decode()
    assert not HarmTable.objects.exists()


def test_derived_weights_are_shown_before_they_are_applied(client, world, council_admin):
    sign_in(client, council_admin)
    assert _upload(client, WEIGHTS).status_code == 302
    assert _upload(client, MAPPING, kind="offence-mapping", table="Mapping 2025").status_code == 302
    before = IncidentCategory.objects.get(code="burglary").harm_weight
    preview = client.post(reverse("web:analysis-harm-derive"), {"weights": "CSS 2025", "mapping": "Mapping 2025"})
    page = preview.content.decode()
    assert preview.status_code == 200 and "The volume-weighted mean of the weights of 2 offences" in page and ">325<" in page
    assert "1 mapped offence with no weight left out" in page and 'name="confirm" value="yes"' in page
    assert IncidentCategory.objects.get(code="burglary").harm_weight == before  # nothing yet
    applied = client.post(reverse("web:analysis-harm-derive"), {"weights": "CSS 2025", "mapping": "Mapping 2025",
                                                                "confirm": "yes"})
    assert applied.status_code == 302
    assert IncidentCategory.objects.get(code="burglary").harm_weight == 325


def test_an_administrator_changes_the_priority_weights_levels_and_repeat_rules(client, world, council_admin):
    sign_in(client, council_admin)
    assert client.post(reverse("web:analysis-priority-weight-change", args=["likelihood"]),
                       {"weight": "5", "reason": "Prevention first"}).status_code == 302
    assert PriorityWeight.objects.get(dimension="likelihood").weight == 5
    levels = {"physical": "4", "psychological": "4", "community": "3", "financial": "2", "vulnerability": "4",
              "capacity": "1"}
    assert client.post(reverse("web:analysis-priority-category-change", args=["drugs"]),
                       {**levels, "reason": "County lines"}).status_code == 302
    assert CategoryRisk.objects.filter(category="drugs", physical=4, capacity=1).exists()
    assert client.post(reverse("web:analysis-repeat-rule-add"), {"subject": "person", "times": "2", "days": "7",
                                                                 "category": "burglary", "reason": "Near repeats"}).status_code == 302
    rule = RepeatRule.objects.get(category="burglary")
    assert rule.subject == "person"  # a repeat victim rule, from the form's choice
    assert client.post(reverse("web:analysis-repeat-rule-remove", args=[rule.pk]),
                       {"reason": "Not needed"}).status_code == 302
    assert not RepeatRule.objects.filter(pk=rule.pk).exists()
    page = client.get(reverse("web:analysis-priority")).content.decode()
    for said in ("The weight of likelihood", "Prevention first", "The levels of Drugs", "County lines", "Not needed"):
        assert said in page, said
    weight_page = client.get(reverse("web:analysis-priority-weight-change", args=["likelihood"])).content.decode()
    assert "Prevention first" in weight_page and "3 → 5" in weight_page


@pytest.mark.parametrize("number", ["nan", "inf", "-inf", "1e999", "-1", "abc", "", "1e6"])
def test_hostile_numbers_are_a_400_and_change_nothing(client, world, council_admin, number):
    sign_in(client, council_admin)
    rule = RepeatRule.objects.order_by("pk").first()
    before = _state()
    for path, data in {
        reverse("web:analysis-harm-change", args=["burglary"]): {"weight": number if number != "1e6" else "2e6"},
        reverse("web:analysis-priority-weight-change", args=["likelihood"]): {"weight": number},
        reverse("web:analysis-priority-category-change", args=["burglary"]): dict.fromkeys(
            ("physical", "psychological", "community", "financial", "vulnerability", "capacity"), number),
        reverse("web:analysis-repeat-rule-change", args=[rule.pk]): {"subject": "place", "times": number, "days": "7"},
        reverse("web:analysis-repeat-rule-add"): {"subject": "place", "times": "3", "days": number},
    }.items():
        response = client.post(path, {**data, "reason": "Testing"})
        assert response.status_code == 400, (path, number)
        assert "govuk-error-summary" in response.content.decode()
    assert _state() == before


def test_a_change_needs_a_reason(client, world, council_admin):
    sign_in(client, council_admin)
    response = client.post(reverse("web:analysis-priority-weight-change", args=["likelihood"]), {"weight": "4"})
    assert response.status_code == 400 and "Say why it changes" in response.content.decode()
    assert PriorityWeight.objects.get(dimension="likelihood").weight == 3


def test_an_unknown_category_or_dimension_is_a_404(client, world, council_admin):
    sign_in(client, council_admin)
    for path in (reverse("web:analysis-harm-category", args=["nothing"]),
                 reverse("web:analysis-harm-change", args=["nothing"]),
                 reverse("web:analysis-priority-weight-change", args=["nothing"]),
                 reverse("web:analysis-repeat-rule-change", args=[99999])):
        assert client.get(path).status_code == 404, path
