"""Partner organisations, their people and information sharing agreements, for administrators.

The partner directory and the agreements are known to every administrator; an administrator
changes only their own organisation, its people, and agreements it is a party to (the services
check, through `access.require`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from saferplace.partners import access
from saferplace.partners.access import can
from saferplace.partners.models import Role
from saferplace.partners.selectors import (
    agreement_get,
    agreement_history,
    agreement_what_stops,
    agreements_due,
    agreements_for_organisation,
    api_tokens_of,
    organisation_get,
    role_capability_table,
    role_history,
    role_request_get,
    role_requests_pending,
    sessions_of,
    user_get,
    user_history,
    user_list,
)
from saferplace.partners.selectors import agreement_list as select_agreements
from saferplace.partners.selectors import organisation_list as select_organisations
from saferplace.partners.services import (
    agreement_end,
    agreement_resume,
    agreement_save,
    agreement_sign,
    agreement_suspend,
    initial_password,
    organisation_save,
    role_request_decide,
    user_create,
    user_open,
    user_password_reset,
    user_role_change,
    user_set_active,
)
from saferplace.web.forms import (
    AgreementEndForm,
    AgreementForm,
    AgreementReasonForm,
    OrganisationForm,
    RoleChangeForm,
    UserForm,
)
from saferplace.web.views.common import apply_errors, capability_required, page


@capability_required("partners.manage")
def organisation_list(request):
    return page(request, "partners/list.html", active="partners", organisations=select_organisations(viewer=request.viewer))


@capability_required("partners.manage")
def organisation_detail(request, organisation_id: int):
    viewer = request.viewer
    organisation = organisation_get(viewer=viewer, organisation_id=organisation_id)
    own = can(viewer, "users.manage", organisation)
    return page(
        request, "partners/detail.html", active="partners", organisation=organisation, own=own,
        can_change=can(viewer, "partners.manage", organisation),
        users=user_list(viewer=viewer, organisation=organisation) if own else None,
        pending=role_requests_pending(viewer=viewer, organisation=organisation) if own else None,
        agreements=agreements_for_organisation(viewer=viewer, organisation=organisation)
        if can(viewer, "agreements.manage") else [],
    )


@capability_required("partners.manage")
def organisation_edit(request, organisation_id: int | None = None):
    organisation = organisation_get(viewer=request.viewer, organisation_id=organisation_id) if organisation_id else None
    initial = {"name": organisation.name, "short_name": organisation.short_name, "kind": organisation.kind} if organisation else None
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = organisation_save(viewer=request.viewer, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("web:organisation-detail", organisation_id=saved.pk)
    elif organisation is not None:
        access.require(request.viewer, "partners.manage", organisation)  # the form only for one's own
    return page(request, "partners/edit.html", active="partners", form=form, organisation=organisation,
                status=400 if form.errors else 200)


@capability_required("users.manage")
def user_add(request, organisation_id: int):
    viewer = request.viewer
    organisation = organisation_get(viewer=viewer, organisation_id=organisation_id)
    access.require(viewer, "users.manage", organisation)  # the form only for one's own organisation
    form = UserForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        password = initial_password()
        try:
            user = user_create(viewer=viewer, organisation=organisation, password=password, validate=False,
                               **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return page(request, "partners/user_added.html", active="partners", organisation=organisation,
                        new_user=user, password=password)
    return page(request, "partners/user_add.html", active="partners", form=form, organisation=organisation,
                status=400 if form.errors else 200)


@capability_required("users.manage")
def user_detail(request, user_id: int):
    """One person: their role (and its history), changing it, their sessions and tokens."""
    viewer = request.viewer
    person = user_open(viewer=viewer, user_id=user_id) if request.method == "GET" else user_get(viewer=viewer, user_id=user_id)
    form = RoleChangeForm(request.POST or None, initial={"role": person.role})
    if request.method == "POST" and form.is_valid():
        try:
            change = user_role_change(viewer=viewer, user=person, role=form.cleaned_data["role"],
                                      reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if change.status == "pending":
                messages.success(request, f"{person.display_name}'s new role opens a special category: it waits for "
                                          "a second administrator of your organisation to approve it.")
            else:
                messages.success(request, f"{person.display_name} is now {Role(change.role).with_article}.")
            return redirect("web:user-detail", user_id=person.pk)
    return page(request, "partners/user_detail.html", active="partners", person=person, form=form,
                history=role_history(viewer=viewer, user=person), events=user_history(viewer=viewer, user=person),
                sessions=sessions_of(viewer=viewer, user=person),
                tokens=api_tokens_of(viewer=viewer, user=person), status=400 if form.errors else 200)


@capability_required("users.manage")
@require_POST
def role_request_decision(request, request_id: int):
    role_request = role_request_get(viewer=request.viewer, request_id=request_id)
    approve = request.POST.get("decision") == "approve"
    try:
        role_request_decide(viewer=request.viewer, request=role_request, approve=approve,
                            reason=request.POST.get("reason", "")[:500])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{'Approved' if approve else 'Refused'}: {role_request.user.display_name} as "
                                  f"{Role(role_request.role).with_article}.")
    return redirect("web:organisation-detail", organisation_id=role_request.user.organisation_id)


@capability_required("users.manage")
@require_POST
def user_password_new(request, user_id: int):
    person = user_get(viewer=request.viewer, user_id=user_id)
    try:
        password = user_password_reset(viewer=request.viewer, user=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("web:user-detail", user_id=person.pk)
    return page(request, "partners/user_added.html", active="partners", organisation=person.organisation,
                new_user=person, password=password, reset=True)


@capability_required("users.manage")
@require_POST
def user_active(request, user_id: int):
    user = user_get(viewer=request.viewer, user_id=user_id)
    active = request.POST.get("active") == "true"
    try:
        user_set_active(viewer=request.viewer, user=user, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{user.display_name} can {'now' if active else 'no longer'} sign in.")
    return redirect("web:organisation-detail", organisation_id=user.organisation_id)


@capability_required("agreements.manage")
def agreement_list(request):
    return page(request, "agreements/list.html", active="agreements", agreements=select_agreements(viewer=request.viewer),
                due=agreements_due(viewer=request.viewer))


@capability_required("agreements.manage")
def agreement_detail(request, agreement_id: int):
    viewer = request.viewer
    agreement = agreement_get(viewer=viewer, agreement_id=agreement_id)
    signed = {signature.organisation_id: signature for signature in agreement.signatures.all()}
    return page(request, "agreements/detail.html", active="agreements", agreement=agreement, signed=signed,
                party=can(viewer, "agreements.manage", agreement),
                to_sign=viewer.organisation_id in agreement.owner_ids() and viewer.organisation_id not in signed,
                events=agreement_history(viewer=viewer, agreement=agreement))


@capability_required("agreements.manage")
@require_POST
def agreement_signature(request, agreement_id: int):
    agreement = agreement_get(viewer=request.viewer, agreement_id=agreement_id)
    agreement_sign(viewer=request.viewer, agreement=agreement)
    messages.success(request, f"You signed {agreement.reference} for {request.viewer.organisation_name}.")
    return redirect("web:agreement-detail", agreement_id=agreement.pk)


@capability_required("agreements.manage")
def agreement_edit(request, agreement_id: int | None = None):
    viewer = request.viewer
    agreement = agreement_get(viewer=viewer, agreement_id=agreement_id) if agreement_id else None
    if agreement is not None:
        access.require(viewer, "agreements.manage", agreement)  # the form only for a party
    initial = {"parties": [viewer.organisation_id]}
    if agreement:
        initial = {
            "title": agreement.title, "reference": agreement.reference, "purpose": agreement.purpose,
            "lawful_basis": agreement.lawful_basis, "parties": list(agreement.parties.values_list("pk", flat=True)),
            "data_categories": list(agreement.data_categories.values_list("pk", flat=True)),
            "start_date": agreement.start_date, "end_date": agreement.end_date, "status": agreement.status,
            "review_date": agreement.review_date, "dpia_reference": agreement.dpia_reference,
            "document_url": agreement.document_url, "special_category_condition": agreement.special_category_condition,
        }
    else:
        initial["special_category_condition"] = ""
    form = AgreementForm(request.POST or None, initial=initial, current_status=agreement.status if agreement else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = agreement_save(viewer=viewer, agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Agreement {saved.reference} saved and signed for {viewer.organisation_name}.")
            return redirect("web:agreement-detail", agreement_id=saved.pk)
    return page(request, "agreements/edit.html", active="agreements", form=form, agreement=agreement,
                status=400 if form.errors else 200)


# Suspending, ending and resuming: a page that says what stops (or what signing again it needs)
# and asks for the reason; its form posts back to act.
AGREEMENT_LIFECYCLE = {
    "suspend": {"service": agreement_suspend, "form": AgreementReasonForm, "done": "suspended"},
    "end": {"service": agreement_end, "form": AgreementEndForm, "done": "ended"},
    "resume": {"service": agreement_resume, "form": AgreementReasonForm, "done": "resumed"},
}


def _agreement_lifecycle(request, agreement_id: int, action: str):
    viewer = request.viewer
    agreement = agreement_get(viewer=viewer, agreement_id=agreement_id)
    step = AGREEMENT_LIFECYCLE[action]
    form = step["form"](request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            step["service"](viewer=viewer, agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Agreement {agreement.reference} {step['done']}.")
            return redirect("web:agreement-detail", agreement_id=agreement.pk)
    # Only a party's administrators get the page (the selector checks), and it says what stops.
    stops = agreement_what_stops(viewer=viewer, agreement=agreement)
    return page(request, f"agreements/{action}.html", active="agreements", agreement=agreement, form=form,
                stops=stops, status=400 if form.errors else 200)


@capability_required("agreements.manage")
def agreement_suspend_page(request, agreement_id: int):
    return _agreement_lifecycle(request, agreement_id, "suspend")


@capability_required("agreements.manage")
def agreement_end_page(request, agreement_id: int):
    return _agreement_lifecycle(request, agreement_id, "end")


@capability_required("agreements.manage")
def agreement_resume_page(request, agreement_id: int):
    return _agreement_lifecycle(request, agreement_id, "resume")


@capability_required("roles.view")
def role_table(request):
    return page(request, "partners/roles.html", active="partners", table=role_capability_table(viewer=request.viewer))
