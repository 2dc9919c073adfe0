"""Open311 client keys for administrators (`reports.manage`): the keys issued, a new one (shown
once, on the page that made it), and revoking one. Each view parses its form and calls one
service of `saferplace.reports.keys`."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from saferplace.errors import NotAllowed
from saferplace.reports.keys import api_key_create, api_key_list, api_key_revoke
from saferplace.web.report_key_forms import KeyForm
from saferplace.web.views.common import capability_required, page

ACTIVE = "reports"


def _keys_page(request, form: KeyForm, *, issued=None, status: int = 200):
    return page(request, "reporting/keys.html", active=ACTIVE, form=form, keys=api_key_list(viewer=request.viewer),
                issued=issued, status=status)


@capability_required("reports.manage")
def keys(request):
    return _keys_page(request, KeyForm(viewer=request.viewer))


@require_POST
@capability_required("reports.manage")
def key_create(request):
    form = KeyForm(request.POST, viewer=request.viewer)
    if not form.is_valid():
        return _keys_page(request, form, status=400)
    try:
        record, key = api_key_create(viewer=request.viewer, name=form.cleaned_data["name"],
                                     organisation=form.cleaned_data["organisation"],
                                     per_minute=form.cleaned_data["per_minute"])
    except ValueError as error:
        form.add_error("name", str(error))
        return _keys_page(request, form, status=400)
    except NotAllowed as error:  # another partner's key
        form.add_error("organisation", str(error))
        return _keys_page(request, form, status=400)
    # Shown on this answer only: it is never stored, so a reload cannot show it again.
    return _keys_page(request, KeyForm(viewer=request.viewer), issued={"name": record.name, "key": key})


@require_POST
@capability_required("reports.manage")
def key_revoke(request):
    record = api_key_revoke(viewer=request.viewer, name=request.POST.get("name", ""))
    messages.success(request, f"The key of {record.name} no longer works.")
    return redirect("web:reporting-keys")
