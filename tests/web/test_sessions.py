"""Sessions (ASVS V7): a new session id once the second factor is given, an idle timeout beside
the absolute one, a page where a person sees and ends their own sessions, and sessions ended
when someone is deactivated."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from saferplace.audit.models import AuditEntry
from saferplace.partners.models import UserSession
from saferplace.web.middleware import LAST_ACTIVITY
from tests.conftest import PASSWORD, sign_in
from tests.web.test_sign_in import current_code

pytestmark = pytest.mark.django_db


def test_the_session_id_changes_when_the_second_factor_is_given(client, police_officer):
    client.post(reverse("web:sign-in"), {"username": "police_officer", "password": PASSWORD})
    after_password = client.cookies["sessionid"].value
    client.post(reverse("web:two-factor"), {"code": current_code()})
    after_code = client.cookies["sessionid"].value
    assert after_code != after_password
    planted = Client()
    planted.cookies["sessionid"] = after_password  # a session id known before sign-in is worth nothing
    assert planted.get(reverse("web:account")).status_code == 302
    assert client.get(reverse("web:account")).status_code == 200


def test_a_session_left_idle_is_signed_out(client, police_officer, settings):
    settings.SESSION_IDLE_MINUTES = 30
    sign_in(client, police_officer)
    assert client.get(reverse("web:account")).status_code == 200
    session = client.session
    session[LAST_ACTIVITY] = timezone.now().timestamp() - 31 * 60
    session.save()
    response = client.get(reverse("web:incident-list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:sign-in") + "?" + urlencode({"next": "/incidents/", "timeout": "1"})
    assert "not used for a while" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("web:account")).status_code == 302
    assert UserSession.objects.get(user=police_officer).ended_because == "idle timeout"


def test_a_session_in_use_is_kept(client, police_officer, settings):
    settings.SESSION_IDLE_MINUTES = 30
    sign_in(client, police_officer)
    session = client.session
    session[LAST_ACTIVITY] = timezone.now().timestamp() - 29 * 60
    session.save()
    assert client.get(reverse("web:account")).status_code == 200


def test_a_person_sees_and_ends_their_own_sessions(police_officer):
    laptop, phone = Client(HTTP_USER_AGENT="Laptop browser"), Client(HTTP_USER_AGENT="Phone browser")
    for browser in (laptop, phone):
        sign_in(browser, police_officer)
        browser.get(reverse("web:account"))
    page = laptop.get(reverse("web:account")).content.decode()
    assert "Laptop browser (this browser)" in page and "Phone browser" in page
    phone_session = UserSession.objects.get(user=police_officer, user_agent="Phone browser")
    response = laptop.post(reverse("web:session-end", args=[phone_session.pk]))
    assert response.status_code == 302
    assert phone.get(reverse("web:account")).status_code == 302  # the phone is signed out
    assert laptop.get(reverse("web:account")).status_code == 200
    phone_session.refresh_from_db()
    assert phone_session.ended_at is not None
    assert AuditEntry.objects.filter(action="sign_out", actor_username="police_officer").exists()


def test_nobody_ends_another_organisations_sessions(client, police_officer, council_admin, council_analyst):
    other = Client()
    sign_in(other, police_officer)
    other.get(reverse("web:account"))
    session = UserSession.objects.get(user=police_officer)
    for person, status in ((council_admin, 404), (council_analyst, 403)):  # not theirs; no capability at all
        sign_in(client, person)
        assert client.post(reverse("web:session-end", args=[session.pk])).status_code == status
    assert other.get(reverse("web:account")).status_code == 200


def test_deactivating_someone_signs_them_out_everywhere(client, council_admin, council_analyst):
    theirs = Client()
    sign_in(theirs, council_analyst)
    theirs.get(reverse("web:account"))
    sign_in(client, council_admin)
    client.post(reverse("web:user-active", args=[council_analyst.pk]), {"active": "false"})
    assert theirs.get(reverse("web:account")).status_code == 302
    assert UserSession.objects.get(user=council_analyst).ended_because == "account deactivated"


def test_pages_carrying_records_are_not_cached(client, records, council_analyst):
    sign_in(client, council_analyst)
    for name in ("web:account", "web:incident-list", "web:incident-export"):
        assert client.get(reverse(name))["Cache-Control"] == "no-store", name
    assert client.get(reverse("web:incident-detail", args=[records["police_asb"].pk]))["Cache-Control"] == "no-store"


def test_changing_the_password_ends_every_other_session(police_officer):
    laptop, phone = Client(HTTP_USER_AGENT="Laptop"), Client(HTTP_USER_AGENT="Phone")
    for browser in (laptop, phone):
        sign_in(browser, police_officer)
        browser.get(reverse("web:account"))
    new = "another-long-passphrase-of-mine-5"
    response = laptop.post(reverse("web:password-change"), {"current_password": PASSWORD, "new_password": new,
                                                            "new_password_again": new})
    assert response.status_code == 302
    assert laptop.get(reverse("web:account")).status_code == 200
    assert phone.get(reverse("web:account")).status_code == 302
    assert UserSession.objects.get(user=police_officer, user_agent="Phone").ended_because == "password changed"


def test_a_first_password_expires(client, world):
    from datetime import timedelta

    from saferplace.partners.services import user_create
    from tests.conftest import OPERATOR

    person = user_create(viewer=OPERATOR, username="late.starter", password=PASSWORD, role="analyst",
                         organisation=world["organisations"]["council"])
    type(person).objects.filter(pk=person.pk).update(first_password_expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(reverse("web:sign-in"), {"username": "late.starter", "password": PASSWORD})
    assert response.status_code == 400
    assert "Your first password has expired" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_administrator_gives_a_new_first_password_to_their_own_people_only(client, council_admin, council_analyst, police_officer):
    import re

    theirs = Client()
    sign_in(theirs, council_analyst)
    theirs.get(reverse("web:account"))
    sign_in(client, council_admin)
    response = client.post(reverse("web:user-password", args=[council_analyst.pk]))
    password = re.search(r'app-monospace"><strong>([^<]+)</strong>', response.content.decode()).group(1)
    council_analyst.refresh_from_db()
    assert council_analyst.check_password(password) and council_analyst.must_change_password
    assert council_analyst.first_password_expires_at > timezone.now()
    assert theirs.get(reverse("web:account")).status_code == 302  # signed out everywhere
    assert client.post(reverse("web:user-password", args=[police_officer.pk])).status_code == 404
    police_officer.refresh_from_db()
    assert police_officer.check_password(PASSWORD)


def test_a_session_ends_after_its_absolute_lifetime_even_in_use(client, police_officer, settings):
    from saferplace.web.middleware import STARTED

    sign_in(client, police_officer)
    assert client.get(reverse("web:account")).status_code == 200
    session = client.session
    session[STARTED] = timezone.now().timestamp() - settings.SESSION_COOKIE_AGE - 1
    session[LAST_ACTIVITY] = timezone.now().timestamp()  # in use a moment ago
    session.save()
    assert client.get(reverse("web:account")).status_code == 302
    assert UserSession.objects.get(user=police_officer).ended_because == "absolute timeout"


@pytest.mark.parametrize(("trust", "forwarded", "address"), [
    (False, "203.0.113.9", "127.0.0.1"),  # not behind a proxy: the header is anyone's to write
    (True, "203.0.113.9", "203.0.113.9"),  # the proxy appended the client's address
    (True, "10.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client sent comes first, and is ignored
])
def test_the_recorded_address_cannot_be_chosen_by_the_client(client, police_officer, settings, trust, forwarded, address):
    from saferplace.audit.models import AuditEntry

    settings.AUDIT_TRUST_X_FORWARDED_FOR = trust
    client.post(reverse("web:sign-in"), {"username": "police_officer", "password": "wrong"},
                HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
    assert AuditEntry.objects.filter(action="sign_in_failed").latest("sequence").ip_address == address


def test_lockouts_are_per_client_address_behind_a_proxy(client, police_officer, settings):
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("web:sign-in"), {"username": "police_officer", "password": "wrong"},
                    HTTP_X_FORWARDED_FOR="198.51.100.7", REMOTE_ADDR="127.0.0.1")
    attacker = client.post(reverse("web:sign-in"), {"username": "police_officer", "password": PASSWORD},
                           HTTP_X_FORWARDED_FOR="198.51.100.7", REMOTE_ADDR="127.0.0.1")
    assert attacker.status_code == 429
    colleague = Client().post(reverse("web:sign-in"), {"username": "police_officer", "password": PASSWORD},
                              HTTP_X_FORWARDED_FOR="203.0.113.20", REMOTE_ADDR="127.0.0.1")
    assert colleague.status_code == 302  # the same proxy, another client: not locked out
