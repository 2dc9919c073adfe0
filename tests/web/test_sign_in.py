"""Signing in: password, then a one-time code; first-time set-up of the authenticator; lockout
after repeated failures; every step in the audit trail."""

from urllib.parse import urlencode

import pyotp
import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferplace.audit.models import AuditEntry
from tests.conftest import OPERATOR, PASSWORD, TOTP_KEY

pytestmark = pytest.mark.django_db


def current_code(hex_key: str = TOTP_KEY) -> str:
    import base64

    return pyotp.TOTP(base64.b32encode(bytes.fromhex(hex_key)).decode()).now()


def test_password_then_code_signs_in(client, police_officer):
    response = client.post(reverse("web:sign-in"), {"username": "police_officer", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/code/")
    assert client.get(reverse("web:home")).status_code == 302  # not yet: code needed
    response = client.post("/sign-in/code/?next=/", {"code": current_code()})
    assert response.status_code == 302 and response["Location"] == "/"
    last = AuditEntry.objects.order_by("-sequence").first()
    assert (last.action, last.actor_username, last.details["method"]) == ("sign_in", "police_officer", "password+totp")
    home = client.get(reverse("web:home"))  # a practitioner lands on their briefing
    assert home.status_code == 302 and home["Location"] == reverse("web:briefing")
    assert "Your briefing" in client.get(home["Location"]).content.decode()
    overview = client.get(reverse("web:home") + "?overview=1")
    assert overview.status_code == 200 and "Practitioner home" in overview.content.decode()


def test_wrong_password_is_refused_and_audited(client, police_officer):
    response = client.post(reverse("web:sign-in"), {"username": "police_officer", "password": "wrong"})
    assert response.status_code == 400
    assert "Enter a correct username and password" in response.content.decode()
    last = AuditEntry.objects.order_by("-sequence").first()
    assert (last.action, last.details["username"]) == ("sign_in_failed", "police_officer")


def test_wrong_code_is_refused(client, police_officer):
    client.post(reverse("web:sign-in"), {"username": "police_officer", "password": PASSWORD})
    wrong = "000000" if current_code() != "000000" else "111111"
    response = client.post("/sign-in/code/", {"code": wrong})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert client.get(reverse("web:home")).status_code == 302


def test_blank_fields_are_named(client, world):
    response = client.post(reverse("web:sign-in"), {"username": "", "password": ""})
    content = response.content.decode()
    assert "Enter your username" in content and "Enter your password" in content


def test_lockout_after_five_failures_even_with_the_right_password(client, police_officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("web:sign-in"), {"username": "police_officer", "password": "wrong"})
    response = client.post(reverse("web:sign-in"), {"username": "police_officer", "password": PASSWORD})
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert AuditEntry.objects.filter(action="locked_out").exists()
    assert client.get(reverse("web:home")).status_code == 302


def test_first_sign_in_sets_up_the_authenticator(client, world):
    from saferplace.partners.services import user_create

    user_create(viewer=OPERATOR, username="new_starter", password=PASSWORD, organisation=world["organisations"]["council"], role="analyst")
    client.post(reverse("web:sign-in"), {"username": "new_starter", "password": PASSWORD})
    response = client.get("/sign-in/code/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")
    page = client.get("/account/two-factor/")
    assert page.status_code == 200 and "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user__username="new_starter")
    assert not device.confirmed
    response = client.post("/account/two-factor/", {"code": current_code(device.key)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="two_factor_enrolled", actor_username="new_starter").exists()
    # The operator typed the first password, so the new starter chooses their own before anything else.
    home = client.get(reverse("web:home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("web:password-change"))
    new = "a-longer-passphrase-of-my-own-7"
    response = client.post(reverse("web:password-change"), {"current_password": PASSWORD, "new_password": new,
                                                             "new_password_again": new})
    assert response.status_code == 302
    assert client.get(reverse("web:home")).status_code == 200


def test_sign_out(client, police_officer):
    from tests.conftest import sign_in

    sign_in(client, police_officer)
    assert client.post(reverse("web:sign-out")).status_code == 302
    assert client.get(reverse("web:home")).status_code == 302
    assert AuditEntry.objects.filter(action="sign_out", actor_username="police_officer").exists()


def test_next_must_stay_on_this_site(client, police_officer):
    client.post(reverse("web:sign-in"), {"username": "police_officer", "password": PASSWORD})
    response = client.post("/sign-in/code/", {"code": current_code(), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_passwords_are_stored_with_argon2(police_officer):
    assert police_officer.password.startswith("argon2$")


def test_a_next_page_with_its_own_query_survives_sign_in(client, police_officer):
    target = "/incidents/?category=anti-social-behaviour&period=12m"
    signed_in = client.post(reverse("web:sign-in") + "?" + urlencode({"next": target}),
                            {"username": "police_officer", "password": PASSWORD})
    code_page = signed_in["Location"]  # the code page, still carrying the whole address
    assert client.get(code_page).status_code == 200
    response = client.post(code_page, {"code": current_code()})
    assert response["Location"] == target


def test_two_factor_redirect_keeps_the_whole_address(client, police_officer):
    client.force_login(police_officer)  # password only
    target = "/incidents/?category=anti-social-behaviour&period=12m"
    response = client.get(target)
    assert response["Location"] == "/sign-in/code/?" + urlencode({"next": target})


@pytest.mark.parametrize("password", ["wrong", ""])
def test_the_sign_in_error_links_to_its_field(client, police_officer, password):
    import re

    response = client.post(reverse("web:sign-in"), {"username": "police_officer", "password": password})
    content = response.content.decode()
    summary = content.split("govuk-error-summary", 1)[1].split("</div>\n", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets
    for target in targets:
        assert f'id="{target}"' in content, target  # each link goes to a field on the page
    assert "<title>Error: Sign in" in content


def test_a_refused_sign_in_shows_the_message_at_the_username(client, police_officer):
    content = client.post(reverse("web:sign-in"), {"username": "police_officer", "password": "wrong"}).content.decode()
    field = content.split('id="id_username"', 1)[0].rsplit('<div class="govuk-form-group', 1)[1]
    assert "govuk-form-group--error" in field and "Enter a correct username and password" in field
