"""The agreement pages: suspending, ending and resuming through a confirmation page that says what
stops and asks why; the new details on the edit form and the page; the agreement's history; and
the warning banner of agreements ending or due for review soon."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from saferplace.audit.models import AuditEntry
from saferplace.partners.events import AgreementEvent
from saferplace.partners.models import AgreementStatus, Role, SharingAgreement
from saferplace.partners.services import agreement_save, agreement_suspend
from tests.conftest import OPERATOR, _persona, sign_in

pytestmark = pytest.mark.django_db


def _terms(world, **changes) -> dict:
    data = {
        "title": "Town centre ASB", "reference": "ISA-TC-1", "purpose": "Tackling town centre ASB",
        "lawful_basis": "crime_and_disorder",
        "parties": [world["organisations"]["council"].pk, world["organisations"]["police"].pk],
        "data_categories": [world["categories"]["asb"].pk], "start_date": "2026-01-01", "end_date": "",
        "status": "active", "review_date": "", "dpia_reference": "", "document_url": "", "special_category_condition": "",
    }
    return data | changes


def test_suspending_asks_for_confirmation_and_a_reason(client, council_admin, world):
    csp = world["agreements"]["csp"]
    sign_in(client, council_admin)
    detail = client.get(reverse("web:agreement-detail", args=[csp.pk])).content.decode()
    assert f'href="{reverse("web:agreement-suspend", args=[csp.pk])}"' in detail and "Suspend this agreement" in detail
    assert "End this agreement" in detail and "Resume this agreement" not in detail

    page = client.get(reverse("web:agreement-suspend", args=[csp.pk]))
    content = page.content.decode()
    assert page.status_code == 200 and "govuk-warning-text" in content
    assert "<strong>Riverford City Council</strong> stops seeing" in content
    assert "Fenshire Police’s records: Anti-social behaviour, Environmental" in content
    csp.refresh_from_db()
    assert csp.status == AgreementStatus.ACTIVE  # looking changes nothing

    response = client.post(reverse("web:agreement-suspend", args=[csp.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "Enter the reason for suspending the agreement" in response.content.decode()
    csp.refresh_from_db()
    assert csp.status == AgreementStatus.ACTIVE

    response = client.post(reverse("web:agreement-suspend", args=[csp.pk]), {"reason": "Breach under investigation"})
    assert response["Location"] == reverse("web:agreement-detail", args=[csp.pk])
    csp.refresh_from_db()
    assert csp.status == AgreementStatus.SUSPENDED
    detail = client.get(reverse("web:agreement-detail", args=[csp.pk])).content.decode()
    assert "Agreement ISA-CSP suspended." in detail
    assert "Resume this agreement" in detail and "Suspend this agreement" not in detail
    assert "Reason: Breach under investigation" in detail  # on its history


def test_ending_records_the_date_given(client, council_admin, world):
    fire = world["agreements"]["fire"]
    sign_in(client, council_admin)
    page = client.get(reverse("web:agreement-end", args=[fire.pk])).content.decode()
    assert "Ending the agreement is final" in page and "Fenshire Fire and Rescue Service’s records: Fire" in page
    response = client.post(reverse("web:agreement-end", args=[fire.pk]), {"reason": "x", "end_date": "31/02/2026"})
    assert response.status_code == 400
    assert "Enter the date it ended as a real date, like 2026-03-31" in response.content.decode()
    day = timezone.localdate() - timedelta(days=2)
    client.post(reverse("web:agreement-end", args=[fire.pk]), {"reason": "Pilot over", "end_date": day.isoformat()})
    fire.refresh_from_db()
    assert (fire.status, fire.end_date) == (AgreementStatus.ENDED, day)
    detail = client.get(reverse("web:agreement-detail", args=[fire.pk])).content.decode()
    assert "End this agreement" not in detail and "Suspend this agreement" not in detail


def test_resuming_says_who_must_sign_again(client, council_admin, world):
    csp = world["agreements"]["csp"]
    agreement_suspend(viewer=OPERATOR, agreement=csp, reason="Audit")
    sign_in(client, council_admin)
    page = client.get(reverse("web:agreement-resume", args=[csp.pk])).content.decode()
    assert "it grants nothing until Fenshire Police has signed it" in page
    client.post(reverse("web:agreement-resume", args=[csp.pk]), {"reason": "Audit finished"})
    csp.refresh_from_db()
    assert csp.status == AgreementStatus.ACTIVE
    assert list(csp.signatures.values_list("organisation__name", flat=True)) == ["Riverford City Council"]


@pytest.mark.parametrize("action", ["agreement-suspend", "agreement-end", "agreement-resume"])
def test_a_non_party_or_a_non_administrator_gets_no_confirmation_and_changes_nothing(client, world, council_admin,
                                                                                      council_analyst, action):
    safeguarding = world["agreements"]["safeguarding"]  # police and health
    csp = world["agreements"]["csp"]
    for agreement in (safeguarding, csp):
        if action == "agreement-resume":
            agreement_suspend(viewer=OPERATOR, agreement=agreement, reason="Audit")
    events = AgreementEvent.objects.count()
    statuses = dict(SharingAgreement.objects.values_list("pk", "status"))
    sign_in(client, council_admin)
    assert client.get(reverse(f"web:{action}", args=[safeguarding.pk])).status_code == 403
    assert client.post(reverse(f"web:{action}", args=[safeguarding.pk]), {"reason": "Mine now"}).status_code == 403
    sign_in(client, council_analyst)
    assert client.get(reverse(f"web:{action}", args=[csp.pk])).status_code == 403
    assert client.post(reverse(f"web:{action}", args=[csp.pk]), {"reason": "Mine now"}).status_code == 403
    assert dict(SharingAgreement.objects.values_list("pk", "status")) == statuses
    assert AgreementEvent.objects.count() == events
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.actor_username) == ("refused", "council_analyst")


def test_the_confirmation_needs_the_csrf_token(world, council_admin):
    csp = world["agreements"]["csp"]
    client = sign_in(Client(enforce_csrf_checks=True), council_admin)
    response = client.post(reverse("web:agreement-suspend", args=[csp.pk]), {"reason": "Forged"})
    assert response.status_code == 403
    csp.refresh_from_db()
    assert csp.status == AgreementStatus.ACTIVE
    page = client.get(reverse("web:agreement-suspend", args=[csp.pk])).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_edit_form_no_longer_suspends_or_ends(client, council_admin, world):
    sign_in(client, council_admin)
    client.post(reverse("web:agreement-create"), _terms(world))
    agreement = SharingAgreement.objects.get(reference="ISA-TC-1")
    form = client.get(reverse("web:agreement-edit", args=[agreement.pk])).content.decode()
    assert 'value="suspended"' not in form and 'value="ended"' not in form
    for status in ("suspended", "ended"):
        response = client.post(reverse("web:agreement-edit", args=[agreement.pk]), _terms(world, status=status))
        assert response.status_code == 400 and "Choose draft or active" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE


def test_the_new_details_are_saved_checked_and_shown(client, council_admin, world):
    sign_in(client, council_admin)
    response = client.post(reverse("web:agreement-create"), _terms(
        world, data_categories=[world["categories"]["safeguarding"].pk], document_url="http://example.org/isa.pdf"))
    content = response.content.decode()
    assert response.status_code == 400
    assert "Choose the UK GDPR Article 9 condition for sharing Safeguarding" in content
    assert "starting https://" in content
    assert not SharingAgreement.objects.filter(reference="ISA-TC-1").exists()

    response = client.post(reverse("web:agreement-create"), _terms(
        world, data_categories=[world["categories"]["safeguarding"].pk], document_url="https://docs.example.org/isa.pdf?a=1&b=2",
        special_category_condition="art9-2g-sch1-18", review_date="2027-03-31", dpia_reference="DPIA <7>"))
    agreement = SharingAgreement.objects.get(reference="ISA-TC-1")
    detail = client.get(response["Location"]).content.decode()
    assert '<a class="govuk-link" href="https://docs.example.org/isa.pdf?a=1&amp;b=2" rel="noopener noreferrer">' in detail
    assert "DPIA &lt;7&gt;" in detail and "31 Mar 2027" in detail
    assert "safeguarding of children and individuals at risk (Sch. 1 para. 18)" in detail
    edit = client.get(reverse("web:agreement-edit", args=[agreement.pk])).content.decode()
    assert 'value="art9-2g-sch1-18" checked' in edit


def test_the_page_shows_the_agreements_history(client, council_admin, world):
    csp = world["agreements"]["csp"]
    sign_in(client, council_admin)
    page = client.get(reverse("web:agreement-detail", args=[csp.pk])).content.decode()
    assert '<h2 class="govuk-heading-m" id="history">History</h2>' in page
    assert "Proposed" in page and "operator:test-suite" in page


def test_the_banner_lists_agreements_ending_or_due_for_review(client, council_admin, world, settings):
    settings.AGREEMENT_WARNING_DAYS = 30
    today = timezone.localdate()
    csp = world["agreements"]["csp"]
    csp.review_date = today + timedelta(days=7)
    csp.save()
    sign_in(client, council_admin)
    events = AgreementEvent.objects.count()
    for name in ("web:agreement-list", "web:home"):
        page = client.get(reverse(name)).content.decode()
        assert 'aria-labelledby="agreements-due-title"' in page, name
        assert "1 agreement ends or is due for review soon" in page
        assert f'href="{reverse("web:agreement-detail", args=[csp.pk])}">ISA-CSP</a>' in page
    assert AgreementEvent.objects.count() == events  # reading the pages writes nothing
    # Nobody else is warned: the police's administrator is party (and sees it); the fire service's is not.
    fire_admin = _persona(world, "fire_admin", "fire", Role.ADMINISTRATOR)
    sign_in(client, fire_admin)
    assert "agreements-due-title" not in client.get(reverse("web:agreement-list")).content.decode()


def test_no_banner_for_those_without_agreements_manage(client, council_analyst, world, settings):
    csp = world["agreements"]["csp"]
    csp.review_date = timezone.localdate() + timedelta(days=7)
    csp.save()
    sign_in(client, council_analyst)
    assert "agreements-due-title" not in client.get(reverse("web:home")).content.decode()


def test_agreement_save_from_the_form_keeps_working_for_a_suspended_agreement(client, council_admin, world):
    """A suspended agreement's other details can still be put right; its status stays."""
    agreement = agreement_save(viewer=OPERATOR, title="T", reference="ISA-S", purpose="p", lawful_basis="public_task",
                               parties=[world["organisations"]["council"], world["organisations"]["police"]],
                               data_categories=[world["categories"]["asb"]], start_date=timezone.localdate(),
                               status=AgreementStatus.ACTIVE)
    agreement_suspend(viewer=OPERATOR, agreement=agreement, reason="Audit")
    sign_in(client, council_admin)
    form = client.get(reverse("web:agreement-edit", args=[agreement.pk])).content.decode()
    assert "Resume it from its page" in form
    response = client.post(reverse("web:agreement-edit", args=[agreement.pk]), _terms(
        world, title="T", reference="ISA-S", purpose="p", lawful_basis="public_task",
        start_date=timezone.localdate().isoformat(), status="suspended", dpia_reference="DPIA-9"))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.status, agreement.dpia_reference) == (AgreementStatus.SUSPENDED, "DPIA-9")
