"""Every restricted page and endpoint, for every persona: who gets the page, who is refused, and
that records about people appear only where the sharing agreements allow — in lists, details,
exports and the API."""

import csv
import io

import pytest
from django.urls import reverse

from saferplace.audit.models import AuditEntry
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

PERSONAS = ["council_analyst", "police_officer", "police_chair", "fire_officer", "bid_analyst",
            "council_admin", "council_auditor", "council_volunteer"]

# page name → the personas who may open it (everyone else gets 403)
PAGES = {
    "web:home": set(PERSONAS),
    "web:map": set(PERSONAS),
    "web:map-streets": set(PERSONAS),  # reference data: streets and place names, no records
    "web:map-labels": set(PERSONAS),
    "web:account": set(PERSONAS),
    "web:password-change": set(PERSONAS),
    "web:token-create": {"council_analyst", "bid_analyst", "council_admin"},
    "web:role-table": {"council_admin", "council_auditor"},
    "web:incident-list": {"council_analyst", "police_officer", "police_chair", "fire_officer", "bid_analyst", "council_admin"},
    "web:incident-export": {"council_analyst", "police_officer", "police_chair", "fire_officer", "bid_analyst", "council_admin"},
    "web:incident-export-geojson": {"council_analyst", "police_officer", "police_chair", "fire_officer", "bid_analyst", "council_admin"},
    "web:incident-hexagons": {"council_analyst", "police_officer", "police_chair", "fire_officer", "bid_analyst", "council_admin"},
    "web:incident-points": {"council_analyst", "police_officer", "police_chair", "fire_officer", "bid_analyst", "council_admin"},
    "web:organisation-list": {"council_admin"},
    "web:organisation-create": {"council_admin"},
    "web:agreement-list": {"council_admin"},
    "web:agreement-create": {"council_admin"},
    "web:import-list": {"council_analyst", "bid_analyst", "council_admin"},
    "web:import-new": {"council_analyst", "bid_analyst", "council_admin"},
    "web:profile-list": {"council_analyst", "bid_analyst", "council_admin"},
    "web:profile-create": {"council_analyst", "bid_analyst", "council_admin"},
    "web:audit-list": {"council_auditor"},
    "web:audit-export": {"council_auditor"},
    "web:analysis-harm": {"council_analyst", "police_officer", "police_chair", "fire_officer", "bid_analyst", "council_admin"},
    "web:analysis-harm-category": {"council_analyst", "police_officer", "police_chair", "fire_officer", "bid_analyst",
                                   "council_admin"},
    "web:analysis-priority": {"council_analyst", "police_officer", "police_chair", "fire_officer", "bid_analyst",
                              "council_admin"},
    "web:analysis-harm-change": {"council_admin"},
    "web:analysis-harm-table-upload": {"council_admin"},
    "web:analysis-harm-derive": {"council_admin"},
    "web:analysis-priority-weight-change": {"council_admin"},
    "web:analysis-priority-category-change": {"council_admin"},
    "web:analysis-repeat-rule-add": {"council_admin"},
    "web:briefing": set(PERSONAS) - {"council_auditor"},  # whoever works on tasks or volunteers
    "web:briefing-map": set(PERSONAS) - {"council_auditor"},
    "web:triage-queue": {"council_analyst", "police_officer", "police_chair", "fire_officer", "bid_analyst"},
    "web:reporting-keys": {"council_admin"},
}
# (page, persona) → where that persona's role lands instead (web/views/home.py `landing`)
LANDINGS = {("web:home", "police_officer"): "web:briefing", ("web:home", "fire_officer"): "web:briefing",
            ("web:home", "council_volunteer"): "web:task-list"}

# query strings a page needs (the points of one H3 cell)
QUERIES = {"web:incident-points": "?cell=89195da49b7ffff"}
# the arguments of a page's address (a category, a dimension)
ARGUMENTS = {"web:analysis-harm-category": ["burglary"], "web:analysis-harm-change": ["burglary"],
             "web:analysis-priority-weight-change": ["likelihood"], "web:analysis-priority-category-change": ["burglary"]}


def _address(page: str) -> str:
    return reverse(page, args=ARGUMENTS.get(page, []))

# persona → the records (external ids) they may see
EXPECTED = {
    "council_analyst": {"POL-ASB-1", "CC-ENV-1", "FRS-FIRE-1"},
    "police_officer": {"POL-ASB-1", "POL-CRIME-1", "POL-SAFE-1", "CC-ENV-1"},
    "police_chair": {"POL-ASB-1", "POL-CRIME-1", "POL-SAFE-1", "CC-ENV-1"},
    "fire_officer": {"FRS-FIRE-1"},
    "bid_analyst": {"BID-ASB-1"},
    "council_admin": {"POL-ASB-1", "CC-ENV-1", "FRS-FIRE-1"},
}


@pytest.fixture
def persona(request, world):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_by_role(client, persona, page):
    response = sign_in(client, persona).get(_address(page) + QUERIES.get(page, ""))
    if (page, persona.username) in LANDINGS:
        assert response.status_code == 302 and response["Location"] == reverse(LANDINGS[page, persona.username])
        response = client.get(_address(page) + "?overview=1")
    expected = 200 if persona.username in PAGES[page] else 403
    assert response.status_code == expected


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_need_sign_in(client, world, page):
    response = client.get(_address(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:sign-in"))


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_need_two_factor(client, council_admin, page):
    client.force_login(council_admin)  # password only, no one-time code yet
    response = client.get(_address(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:two-factor"))


def _ids_in_list_page(content: str, records) -> set[str]:
    return {external_id for external_id in {r.external_id for r in records.values()} if external_id in content}


@pytest.mark.parametrize("persona", sorted(EXPECTED), indirect=True)
def test_list_detail_export_and_api_agree_with_the_policy(client, records, persona):
    sign_in(client, persona)
    expected = EXPECTED[persona.username]

    listed = _ids_in_list_page(client.get(reverse("web:incident-list")).content.decode(), records)
    assert listed == expected

    for record in records.values():
        response = client.get(reverse("web:incident-detail", args=[record.pk]))
        assert response.status_code == (200 if record.external_id in expected else 404), record.external_id

    exported = client.get(reverse("web:incident-export"))
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert {row["external_id"] for row in rows} == expected

    api_list = client.get("/api/v1/incidents").json()
    assert {item["external_id"] for item in api_list["results"]} == expected
    assert api_list["count"] == len(expected)
    for record in records.values():
        response = client.get(f"/api/v1/incidents/{record.pk}")
        assert response.status_code == (200 if record.external_id in expected else 404), record.external_id


def test_every_view_and_export_is_audited(client, records, council_analyst):
    sign_in(client, council_analyst)
    before = AuditEntry.objects.count()
    client.get(reverse("web:incident-detail", args=[records["police_asb"].pk]))
    b"".join(client.get(reverse("web:incident-export") + "?category=anti-social-behaviour").streaming_content)
    client.get("/api/v1/incidents")
    client.get(f"/api/v1/incidents/{records['fire_fire'].pk}")
    client.get(reverse("web:incident-detail", args=[records["police_safeguarding"].pk]))  # refused, and logged so
    entries = list(AuditEntry.objects.filter(sequence__gt=before).order_by("sequence"))
    assert [(e.action, e.actor_username) for e in entries] == [
        ("view", "council_analyst"), ("export", "council_analyst"), ("export", "council_analyst"), ("view", "council_analyst"),
        ("refused", "council_analyst"),
    ]
    assert entries[-1].object_id == str(records["police_safeguarding"].pk) and entries[-1].details["status"] == 404
    assert entries[0].object_id == str(records["police_asb"].pk)
    assert entries[1].details["filters"] == {"category": "anti-social-behaviour"}
    assert entries[1].details["rows"] == 1
    assert entries[2].details["format"] == "api"


def test_auditor_export_is_itself_audited(client, council_auditor):
    sign_in(client, council_auditor)
    response = client.get(reverse("web:audit-export") + "?action=create")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows and all(row["action"] == "create" for row in rows)
    last = AuditEntry.objects.order_by("-sequence").first()
    assert (last.action, last.actor_username, last.object_type) == ("export", "council_auditor", "audit.auditentry")


def test_api_refuses_anonymous_and_unverified_sessions(client, records, council_analyst):
    assert client.get("/api/v1/incidents").status_code == 401
    client.force_login(council_analyst)
    assert client.get("/api/v1/incidents").status_code == 401


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_only_administrators_manage_their_own_organisation(client, world, persona, police_officer):
    """Administrators see the partner directory and the agreements; they change only their own
    organisation, its people and the agreements it is a party to."""
    sign_in(client, persona)
    council, police = world["organisations"]["council"], world["organisations"]["police"]
    admin = persona.username == "council_admin"
    expected = {
        reverse("web:organisation-detail", args=[police.pk]): 200 if admin else 403,
        reverse("web:organisation-detail", args=[council.pk]): 200 if admin else 403,
        reverse("web:organisation-edit", args=[council.pk]): 200 if admin else 403,
        reverse("web:organisation-edit", args=[police.pk]): 403,
        reverse("web:user-add", args=[council.pk]): 200 if admin else 403,
        reverse("web:user-add", args=[police.pk]): 403,
        reverse("web:user-detail", args=[police_officer.pk]): 404 if admin else 403,
        reverse("web:agreement-detail", args=[world["agreements"]["csp"].pk]): 200 if admin else 403,
        reverse("web:agreement-edit", args=[world["agreements"]["csp"].pk]): 200 if admin else 403,  # council is a party
        reverse("web:agreement-edit", args=[world["agreements"]["safeguarding"].pk]): 403,  # police and health only
        reverse("web:agreement-suspend", args=[world["agreements"]["csp"].pk]): 200 if admin else 403,
        reverse("web:agreement-end", args=[world["agreements"]["csp"].pk]): 200 if admin else 403,
        reverse("web:agreement-resume", args=[world["agreements"]["csp"].pk]): 200 if admin else 403,
        reverse("web:agreement-suspend", args=[world["agreements"]["safeguarding"].pk]): 403,
        reverse("web:agreement-end", args=[world["agreements"]["safeguarding"].pk]): 403,
        reverse("web:agreement-resume", args=[world["agreements"]["safeguarding"].pk]): 403,
    }
    for path, status in expected.items():
        assert client.get(path).status_code == status, path
    response = client.post(reverse("web:user-active", args=[police_officer.pk]), {"active": "false"})
    assert response.status_code == (404 if admin else 403)
    police_officer.refresh_from_db()
    assert police_officer.is_active
