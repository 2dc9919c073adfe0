"""Partner organisations and information sharing agreements, managed by administrators."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from saferplace.partners.models import Organisation, SharingAgreement, User
from saferplace.partners.selectors import agreement_list as select_agreements
from saferplace.partners.selectors import agreements_for_organisation, user_list
from saferplace.partners.selectors import organisation_list as select_organisations
from saferplace.partners.services import (
    agreement_save,
    initial_password,
    organisation_save,
    user_create,
    user_set_active,
)
from saferplace.web.forms import AgreementForm, OrganisationForm, UserForm
from saferplace.web.views.common import page, role_required

ADMIN = "administrator"


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@role_required(ADMIN)
def organisation_list(request):
    return page(request, "partners/list.html", active="partners", organisations=select_organisations())


@role_required(ADMIN)
def organisation_detail(request, organisation_id: int):
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    return page(
        request,
        "partners/detail.html",
        active="partners",
        organisation=organisation,
        users=user_list(organisation=organisation),
        agreements=agreements_for_organisation(organisation=organisation),
    )


@role_required(ADMIN)
def organisation_edit(request, organisation_id: int | None = None):
    organisation = get_object_or_404(Organisation, pk=organisation_id) if organisation_id else None
    initial = {"name": organisation.name, "short_name": organisation.short_name, "kind": organisation.kind} if organisation else None
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = organisation_save(actor=request.user, request=request, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("web:organisation-detail", organisation_id=saved.pk)
    return page(request, "partners/edit.html", active="partners", form=form, organisation=organisation,
                status=400 if form.errors else 200)


@role_required(ADMIN)
def user_add(request, organisation_id: int):
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    form = UserForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        password = initial_password()
        try:
            user = user_create(actor=request.user, request=request, organisation=organisation, password=password,
                               validate=False, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return page(request, "partners/user_added.html", active="partners", organisation=organisation,
                        new_user=user, password=password)
    return page(request, "partners/user_add.html", active="partners", form=form, organisation=organisation,
                status=400 if form.errors else 200)


@role_required(ADMIN)
@require_POST
def user_active(request, user_id: int):
    user = get_object_or_404(User, pk=user_id)
    active = request.POST.get("active") == "true"
    try:
        user_set_active(actor=request.user, request=request, user=user, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{user.display_name} can {'now' if active else 'no longer'} sign in.")
    return redirect("web:organisation-detail", organisation_id=user.organisation_id)


@role_required(ADMIN)
def agreement_list(request):
    return page(request, "agreements/list.html", active="agreements", agreements=select_agreements())


@role_required(ADMIN)
def agreement_detail(request, agreement_id: int):
    agreement = get_object_or_404(select_agreements(), pk=agreement_id)
    return page(request, "agreements/detail.html", active="agreements", agreement=agreement)


@role_required(ADMIN)
def agreement_edit(request, agreement_id: int | None = None):
    agreement = get_object_or_404(SharingAgreement, pk=agreement_id) if agreement_id else None
    initial = None
    if agreement:
        initial = {
            "title": agreement.title, "reference": agreement.reference, "purpose": agreement.purpose,
            "lawful_basis": agreement.lawful_basis, "parties": list(agreement.parties.values_list("pk", flat=True)),
            "data_categories": list(agreement.data_categories.values_list("pk", flat=True)),
            "start_date": agreement.start_date, "end_date": agreement.end_date, "status": agreement.status,
        }
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = agreement_save(actor=request.user, request=request, agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Agreement {saved.reference} saved.")
            return redirect("web:agreement-detail", agreement_id=saved.pk)
    return page(request, "agreements/edit.html", active="agreements", form=form, agreement=agreement,
                status=400 if form.errors else 200)
