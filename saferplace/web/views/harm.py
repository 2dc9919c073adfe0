"""What the analysis weighs, seen by everyone who reads incidents and changed by administrators
(`harm.manage`): the categories' harm weights and where each came from (a published table loaded
here, a derivation previewed before it is applied, or a person's reason), and the ranked issues'
priority weights, categories' levels and repeat rules. Every change asks why; each record's
history shows who changed what, when, from what to what and why."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from saferplace.analysis.harm import LARGEST_FILE, TableRefused
from saferplace.analysis.models import WEIGHTS, HarmTableKind
from saferplace.analysis.services import harm_table_load, harm_weights_derive
from saferplace.analysis.settings_selectors import (
    category_risk_find,
    harm_table_find,
    harm_tables_list,
    harm_weight_history,
    harm_weights_list,
    harm_weights_preview,
    priority_settings_history,
    priority_settings_list,
    priority_weight_find,
    repeat_rule_find,
)
from saferplace.analysis.settings_services import (
    category_risk_set,
    priority_weight_set,
    repeat_rule_add,
    repeat_rule_change,
    repeat_rule_remove,
)
from saferplace.incidents.services import categories_harm_set
from saferplace.web.harm_forms import (
    CategoryRiskForm,
    HarmDeriveForm,
    HarmTableForm,
    HarmWeightForm,
    PriorityWeightForm,
    ReasonForm,
    RepeatRuleForm,
)
from saferplace.web.views.common import apply_errors, capability_required, page

PROBLEMS_SHOWN = 100  # a refused table's problems listed on the page; the rest are counted


def _page(request, template: str, form=None, **context):
    return page(request, template, active="analysis", form=form, status=400 if form is not None and form.errors else 200,
                **context)


@capability_required("incidents.view")
def harm(request):
    return _page(request, "analysis/harm.html", kind="harm", weights=harm_weights_list(viewer=request.viewer),
                 tables=harm_tables_list(viewer=request.viewer))


@capability_required("incidents.view")
def harm_category(request, code: str):
    return _page(request, "analysis/harm_category.html", kind="harm",
                 category=harm_weight_history(viewer=request.viewer, code=code))


@capability_required("harm.manage")
def harm_weight_change(request, code: str):
    category = harm_weight_history(viewer=request.viewer, code=code)
    form = HarmWeightForm(request.POST or None, initial={"weight": category["weight"]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            categories_harm_set(viewer=request.viewer, weights={category["code"]: (data["weight"], data["reason"])})
        except ValueError as error:
            form.add_error("weight", str(error))
        else:
            messages.success(request, f"The harm weight of {category['name']} is {data['weight']:g}.")
            return redirect("web:analysis-harm-category", code=category["code"])
    return _page(request, "analysis/harm_weight_change.html", form, kind="harm", category=category)


@capability_required("harm.manage")
def harm_table_upload(request):
    form = HarmTableForm(request.POST or None, request.FILES or None)
    problems, more = [], 0
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            table = harm_table_load(viewer=request.viewer, kind=data["kind"], name=data["name"],
                                    content=data["file"].read(), source=data["source"],
                                    illustrative=data["illustrative"])
        except TableRefused as refused:
            problems, more = refused.problems[:PROBLEMS_SHOWN], max(0, len(refused.problems) - PROBLEMS_SHOWN)
            count = len(refused.problems)
            form.add_error("file", f"Nothing was loaded: put right the {count:,} problem{'s' if count != 1 else ''} "
                                   "listed at the top of the page, then upload the table again")
        else:
            messages.success(request, f"{table.name} is loaded: {table.rows:,} rows.")
            return redirect("web:analysis-harm")
    return _page(request, "analysis/harm_table_upload.html", form, kind="harm", problems=problems, more=more,
                 max_megabytes=LARGEST_FILE // (1024 * 1024))


@capability_required("harm.manage")
def harm_derive(request):
    """Choose a table of weights and an offence mapping; see what each category's weight would
    be and how (nothing changes yet); then apply it."""
    viewer = request.viewer
    tables = harm_tables_list(viewer=viewer)
    form = HarmDeriveForm(request.POST or None, weights=[table.name for table in tables if table.kind in WEIGHTS],
                          mappings=[table.name for table in tables if table.kind == HarmTableKind.OFFENCE_MAPPING])
    if request.method != "POST" or not form.is_valid():
        return _page(request, "analysis/harm_derive.html", form, kind="harm")
    weights = harm_table_find(viewer=viewer, name=form.cleaned_data["weights"])
    mapping = harm_table_find(viewer=viewer, name=form.cleaned_data["mapping"])
    if request.POST.get("confirm") != "yes":
        return _page(request, "analysis/harm_derive_preview.html", form, kind="harm", weights=weights, mapping=mapping,
                     rows=harm_weights_preview(viewer=viewer, weights=weights, mapping=mapping))
    try:
        derived = harm_weights_derive(viewer=viewer, weights=weights, mapping=mapping)
    except ValueError as refused:  # a derived weight past the largest a category may have
        form.add_error(None, str(refused))
        return _page(request, "analysis/harm_derive_preview.html", form, kind="harm", weights=weights, mapping=mapping,
                     rows=harm_weights_preview(viewer=viewer, weights=weights, mapping=mapping))
    changed = sum(1 for row in derived if row["changed"])
    messages.success(request, f"Derived from {weights.name} and {mapping.name}: "
                              f"{changed} categor{'y' if changed == 1 else 'ies'}' weights changed.")
    return redirect("web:analysis-harm")


@capability_required("incidents.view")
def priority(request):
    return _page(request, "analysis/priority.html", kind="priority", settings=priority_settings_list(viewer=request.viewer),
                 events=priority_settings_history(viewer=request.viewer))


def _saved(request, form, service, message: str, **arguments):
    """Call the service with the form's reason and `arguments`; its refusals onto the form.
    A redirect to the priority page once saved, else None."""
    try:
        service(viewer=request.viewer, reason=form.cleaned_data["reason"], **arguments)
    except ValidationError as error:
        apply_errors(form, error)
        return None
    messages.success(request, message)
    return redirect("web:analysis-priority")


@capability_required("harm.manage")
def priority_weight_change(request, dimension: str):
    weight = priority_weight_find(viewer=request.viewer, dimension=dimension)
    form = PriorityWeightForm(request.POST or None, initial={"weight": weight["weight"]})
    if request.method == "POST" and form.is_valid():
        done = _saved(request, form, priority_weight_set, f"The weight of {dimension} is {form.cleaned_data['weight']:g}.",
                      dimension=dimension, weight=form.cleaned_data["weight"])
        if done:
            return done
    return _page(request, "analysis/priority_weight_change.html", form, kind="priority", weight=weight)


@capability_required("harm.manage")
def category_risk_change(request, code: str):
    category = category_risk_find(viewer=request.viewer, code=code)
    form = CategoryRiskForm(request.POST or None, initial=category["levels"])
    if request.method == "POST" and form.is_valid():
        levels = {name: value for name, value in form.cleaned_data.items() if name != "reason"}
        done = _saved(request, form, category_risk_set, f"The levels of {category['name']} are saved.",
                      category=category["code"], levels=levels)
        if done:
            return done
    return _page(request, "analysis/priority_category_change.html", form, kind="priority", category=category)


def _rule_form(request, rule=None) -> RepeatRuleForm:
    categories = [(row["code"], row["name"]) for row in priority_settings_list(viewer=request.viewer)["categories"]]
    initial = {"subject": rule.subject, "times": rule.times, "days": rule.days, "category": rule.category_id or "",
               "description": rule.description} if rule else {"subject": "place", "times": 3, "days": 28}
    return RepeatRuleForm(request.POST or None, categories=categories, initial=initial)


def _rule_arguments(form) -> dict:
    data = form.cleaned_data
    return {"subject": data["subject"], "times": data["times"], "days": data["days"], "category": data["category"] or None,
            "description": data["description"]}


@capability_required("harm.manage")
def repeat_rule_new(request):
    form = _rule_form(request)
    if request.method == "POST" and form.is_valid():
        done = _saved(request, form, repeat_rule_add, "The repeat rule is added.", **_rule_arguments(form))
        if done:
            return done
    return _page(request, "analysis/priority_rule_change.html", form, kind="priority", rule=None)


@capability_required("harm.manage")
def repeat_rule_edit(request, rule_id: int):
    rule = repeat_rule_find(viewer=request.viewer, rule_id=rule_id)
    form = _rule_form(request, rule)
    if request.method == "POST" and form.is_valid():
        done = _saved(request, form, repeat_rule_change, "The repeat rule is changed.", rule=rule,
                      **_rule_arguments(form))
        if done:
            return done
    return _page(request, "analysis/priority_rule_change.html", form, kind="priority", rule=rule)


@capability_required("harm.manage")
def repeat_rule_delete(request, rule_id: int):
    rule = repeat_rule_find(viewer=request.viewer, rule_id=rule_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _saved(request, form, repeat_rule_remove, f"The repeat rule “{rule}” is removed.", rule=rule)
        if done:
            return done
    return _page(request, "analysis/priority_rule_remove.html", form, kind="priority", rule=rule)
