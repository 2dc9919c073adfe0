"""Administrators manage partners and sharing agreements in the UI; changes are audited and bad
input is named field by field without changing what is stored."""

import html

import pytest
from django.urls import reverse

from saferplace.audit.models import AuditEntry
from saferplace.partners.models import Organisation, SharingAgreement
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_add_an_organisation(client, council_admin):
    sign_in(client, council_admin)
    response = client.post(reverse("web:organisation-create"), {"name": "Riverford Youth Trust", "short_name": "RYT", "kind": "voluntary"})
    organisation = Organisation.objects.get(name="Riverford Youth Trust")
    assert response["Location"] == reverse("web:organisation-detail", args=[organisation.pk])
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.object_repr, entry.actor_username) == ("create", "Riverford Youth Trust", "council_admin")


def test_duplicate_organisation_name_is_refused(client, council_admin):
    sign_in(client, council_admin)
    response = client.post(reverse("web:organisation-create"), {"name": "fenshire police", "kind": "police"})
    assert response.status_code == 400
    assert "An organisation called “fenshire police” already exists." in response.content.decode()
    assert Organisation.objects.filter(name__iexact="fenshire police").count() == 1


def test_create_and_change_an_agreement(client, council_admin, world):
    sign_in(client, council_admin)
    organisations, categories = world["organisations"], world["categories"]
    data = {
        "title": "Town centre ASB", "reference": "ISA-TC-1", "purpose": "Tackling town centre ASB",
        "lawful_basis": "crime_and_disorder", "parties": [organisations["council"].pk, organisations["police"].pk],
        "data_categories": [categories["asb"].pk], "start_date": "2026-01-01", "end_date": "", "status": "active",
    }
    response = client.post(reverse("web:agreement-create"), data)
    agreement = SharingAgreement.objects.get(reference="ISA-TC-1")
    assert response["Location"] == reverse("web:agreement-detail", args=[agreement.pk])
    assert set(agreement.parties.values_list("name", flat=True)) == {"Fenshire Police", "Riverford City Council"}
    assert set(agreement.signatures.values_list("organisation__name", flat=True)) == {"Riverford City Council"}
    assert not agreement.is_in_force()  # the police have not signed it yet

    data["status"] = "draft"
    data["parties"].append(organisations["bid"].pk)
    client.post(reverse("web:agreement-edit", args=[agreement.pk]), data)
    change = AuditEntry.objects.filter(action="change", object_id=str(agreement.pk)).get()
    assert change.details["changes"]["status"] == ["active", "draft"]
    assert "Riverford Business Improvement District" in change.details["changes"]["parties"][1]


def test_an_administrator_proposes_agreements_only_for_their_own_organisation(client, council_admin, world):
    sign_in(client, council_admin)
    organisations = world["organisations"]
    response = client.post(reverse("web:agreement-create"), {
        "title": "Not ours", "reference": "ISA-X", "purpose": "x", "lawful_basis": "public_task",
        "parties": [organisations["bid"].pk, organisations["police"].pk], "data_categories": [world["categories"]["crime"].pk],
        "start_date": "2026-01-01", "status": "active",
    })
    assert response.status_code == 400
    assert "Your own organisation must be one of the parties." in response.content.decode()
    assert not SharingAgreement.objects.filter(reference="ISA-X").exists()


def test_agreement_errors_are_named_and_nothing_is_saved(client, council_admin, world):
    sign_in(client, council_admin)
    before = SharingAgreement.objects.count()
    response = client.post(reverse("web:agreement-create"), {
        "title": "Bad", "reference": "ISA-CSP", "purpose": "x", "lawful_basis": "public_task",
        "parties": [world["organisations"]["bid"].pk], "data_categories": [world["categories"]["asb"].pk],
        "start_date": "2026-05-01", "end_date": "2026-04-01", "status": "active",
    })
    content = response.content.decode()
    assert response.status_code == 400
    assert "An agreement needs at least two parties." in content
    assert "The end date must be the same as or after the start date." in content
    assert "Another agreement already has the reference" in content
    assert SharingAgreement.objects.count() == before


def test_agreement_date_must_be_a_real_date(client, council_admin, world):
    sign_in(client, council_admin)
    response = client.post(reverse("web:agreement-create"), {"start_date": "31/02/2026"})
    assert "Enter the start date as a real date, like 2026-04-01" in response.content.decode()


def test_add_a_user_with_a_one_time_password(client, council_admin, world):
    import re

    from saferplace.partners.models import User

    sign_in(client, council_admin)
    council = world["organisations"]["council"]
    response = client.post(reverse("web:user-add", args=[council.pk]), {
        "first_name": "Jo", "last_name": "Bloggs", "email": "jo.bloggs@council.example", "username": "jo.bloggs",
        "job_title": "Analyst", "role": "analyst", "team": "",
    })
    assert response.status_code == 200
    user = User.objects.get(username="jo.bloggs")
    password = re.search(r'app-monospace"><strong>([^<]+)</strong>', response.content.decode()).group(1)
    assert user.organisation == council and user.check_password(password) and user.is_active
    assert user.must_change_password  # the administrator saw it: Jo chooses her own at first sign-in
    assert user.password.startswith("argon2$")
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.object_repr, entry.actor_username) == ("create", "jo.bloggs", "council_admin")
    assert password not in str(entry.details)


def test_add_user_errors_are_named(client, council_admin, world, council_analyst):
    sign_in(client, council_admin)
    council = world["organisations"]["council"]
    response = client.post(reverse("web:user-add", args=[council.pk]), {
        "first_name": "", "last_name": "X", "email": "not-an-email", "username": "council_analyst", "role": "analyst",
    })
    content = response.content.decode()
    assert response.status_code == 400
    assert "Enter the person&#39;s first name" in content
    assert "Enter an email address like name@example.org" in content
    response = client.post(reverse("web:user-add", args=[council.pk]), {
        "first_name": "Dup", "last_name": "X", "email": "dup@council.example", "username": "council_analyst", "role": "analyst",
    })
    assert "The username “council_analyst” is already taken." in response.content.decode()


def test_deactivate_and_reactivate(client, council_admin, council_analyst):
    sign_in(client, council_admin)
    client.post(reverse("web:user-active", args=[council_analyst.pk]), {"active": "false"})
    council_analyst.refresh_from_db()
    assert not council_analyst.is_active
    client.post(reverse("web:user-active", args=[council_analyst.pk]), {"active": "true"})
    council_analyst.refresh_from_db()
    assert council_analyst.is_active
    changes = [e.details["changes"]["is_active"] for e in AuditEntry.objects.filter(action="change", object_id=str(council_analyst.pk)).order_by("sequence")]
    assert changes == [["True", "False"], ["False", "True"]]


def test_an_administrator_cannot_lock_themselves_out(client, council_admin):
    sign_in(client, council_admin)
    response = client.post(reverse("web:user-active", args=[council_admin.pk]), {"active": "false"}, follow=True)
    council_admin.refresh_from_db()
    assert council_admin.is_active
    assert "You cannot deactivate your own account." in response.content.decode()



def test_a_party_signs_an_agreement_on_its_page(client, council_admin, world):
    from saferplace.partners.services import agreement_save
    from tests.conftest import viewer

    terms = {"title": "Fly-tipping", "reference": "ISA-FT", "purpose": "Clearing fly-tips", "lawful_basis": "public_task",
             "parties": [world["organisations"]["police"], world["organisations"]["council"]],
             "data_categories": [world["categories"]["environmental"]], "start_date": "2026-01-01", "status": "active"}
    from tests.conftest import _persona

    police_admin = _persona(world, "police_admin", "police", "administrator")
    agreement = agreement_save(viewer=viewer(police_admin), **terms)
    sign_in(client, council_admin)
    page = client.get(reverse("web:agreement-detail", args=[agreement.pk])).content.decode()
    assert page.count("Sign for Riverford City Council</button>") == 1
    assert "<title>ISA-FT – SaferPlace</title>" in page
    assert "Riverford City Council: <strong>not signed yet</strong>" in page
    client.post(reverse("web:agreement-sign", args=[agreement.pk]))
    page = client.get(reverse("web:agreement-detail", args=[agreement.pk])).content.decode()
    assert "Sign for" not in page and "Active and in force today" in page


def test_a_person_s_page_shows_their_account_s_history(client, council_admin, council_analyst):
    from saferplace.partners.services import user_set_active
    from tests.conftest import viewer

    user_set_active(viewer=viewer(council_admin), user=council_analyst, active=False)
    page = sign_in(client, council_admin).get(reverse("web:user-detail", args=[council_analyst.pk])).content.decode()
    history = page[page.index('id="history"'):]
    assert "Account switched off" in history and "council_admin (Riverford City Council)" in history
    assert "Can sign in: Yes → No" in history


def test_a_role_change_reads_as_english_in_the_banner_and_the_history(client, council_admin, council_volunteer):
    url = reverse("web:user-detail", args=[council_volunteer.pk])
    sign_in(client, council_admin)
    page = client.post(url, {"role": "analyst", "reason": "joins the hub"}, follow=True).content.decode()
    assert f"{council_volunteer.display_name} is now an analyst." in page
    history = page[page.index('id="history"'):]
    assert "Role: none → Volunteer" in history and "Role: Volunteer → Analyst" in history  # labels, never codes
    assert "volunteer → analyst" not in history
    page = client.post(url, {"role": "analyst"}).content.decode()
    assert f"{council_volunteer.display_name} is already an analyst." in html.unescape(page)
