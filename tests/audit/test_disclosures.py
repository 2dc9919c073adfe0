"""Every read that discloses records is recorded, and an auditor searching for one record finds
every disclosure of it: opened on its own, shown in a list, a page of the API, and bulk exports
whose scope covered it; and not the exports that did not. (The points of a map hexagon record
their ids too: tests/web/test_explorer.py.)"""

import pytest
from django.urls import reverse

from saferplace.audit.models import AuditEntry
from saferplace.audit.selectors import AuditSearch, audit_entry_search
from saferplace.errors import NotAllowed
from tests.conftest import sign_in, viewer

pytestmark = pytest.mark.django_db


def _search(auditor, record) -> list[AuditEntry]:
    found = audit_entry_search(viewer=viewer(auditor), search=AuditSearch(record_type="incidents.incident",
                                                                          record_id=record.pk))
    return list(found.order_by("sequence"))


def test_searching_a_record_finds_every_disclosure_of_it(client, records, council_analyst, police_officer, council_auditor):
    record = records["police_asb"]
    sign_in(client, council_analyst)
    client.get(reverse("web:incident-detail", args=[record.pk]))  # 1 opened
    client.get(reverse("web:incident-list"))  # 2 listed on the explorer
    client.get("/api/v1/incidents")  # 3 a page of the API
    b"".join(client.get(reverse("web:incident-export")).streaming_content)  # 4 a CSV of everything visible
    b"".join(client.get(reverse("web:incident-export") + "?category=anti-social-behaviour").streaming_content)  # 5
    b"".join(client.get(reverse("web:incident-export") + "?category=fly-tipping").streaming_content)  # not this record
    sign_in(client, police_officer)
    b"".join(client.get(reverse("web:incident-export-geojson") + "?source=test").streaming_content)  # 6 the owner's export
    sign_in(client, council_auditor)

    found = _search(council_auditor, record)
    described = [(entry.actor_username, entry.action, entry.details.get("format", "")) for entry in found]
    assert described == [
        ("council_analyst", "view", ""),
        ("council_analyst", "view", ""),
        ("council_analyst", "export", "api"),
        ("council_analyst", "export", "csv"),
        ("council_analyst", "export", "csv"),
        ("police_officer", "export", "geojson"),
    ]
    assert found[1].object_repr.startswith("3 incidents listed on the explorer")
    # The fly-tipping export did not include it; nor does an export find records made after it.
    assert not any(entry.details.get("filters") == {"category": "fly-tipping"} for entry in found)


def test_an_export_is_not_found_for_a_record_its_exporter_could_not_see(client, records, council_analyst, council_auditor):
    sign_in(client, council_analyst)  # the council may not see police safeguarding records
    b"".join(client.get(reverse("web:incident-export")).streaming_content)
    assert _search(council_auditor, records["police_safeguarding"]) == []
    assert len(_search(council_auditor, records["police_asb"])) == 1


def test_the_audit_page_finds_a_records_disclosures_and_shows_each_entrys_details(client, records, council_analyst, council_auditor):
    sign_in(client, council_analyst)
    b"".join(client.get(reverse("web:incident-export") + "?category=anti-social-behaviour").streaming_content)
    sign_in(client, council_auditor)
    page = client.get(reverse("web:audit-list") + f"?record_type=incidents.incident&record_id={records['police_asb'].pk}")
    assert page.status_code == 200 and "1 entries" in page.content.decode()
    export = AuditEntry.objects.filter(action="export", actor_username="council_analyst").get()
    detail = client.get(reverse("web:audit-detail", args=[export.sequence])).content.decode()
    assert "anti-social-behaviour" in detail and "up_to_id" in detail and export.entry_hash in detail
    assert client.get(reverse("web:audit-list") + "?record_type=incidents.incident").status_code == 400


def test_refused_attempts_are_recorded(client, records, bid_analyst, council_volunteer):
    sign_in(client, bid_analyst)
    client.get(reverse("web:incident-detail", args=[records["police_asb"].pk]))
    client.get(reverse("web:organisation-list"))
    sign_in(client, council_volunteer)
    client.get(reverse("web:incident-list"))
    refused = list(AuditEntry.objects.filter(action="refused").order_by("sequence")
                   .values_list("actor_username", "object_type", "object_id", "details__status"))
    assert refused == [
        ("bid_analyst", "incidents.incident", str(records["police_asb"].pk), 404),
        ("bid_analyst", "", "", 403),
        ("council_volunteer", "", "", 403),
    ]


def test_only_auditors_search_the_trail(records, council_admin):
    with pytest.raises(NotAllowed):
        audit_entry_search(viewer=viewer(council_admin), search=AuditSearch())


def test_reading_the_trail_and_a_persons_page_are_recorded(client, records, council_auditor, council_admin, council_analyst):
    sign_in(client, council_auditor)
    client.get(reverse("web:audit-list") + "?action=sign_in")
    search = AuditEntry.objects.filter(actor_username="council_auditor", action="view").latest("sequence")
    assert search.object_type == "audit.auditentry" and search.details["filters"] == {"action": "sign_in"}
    client.get(reverse("web:audit-detail", args=[search.sequence]))
    opened = AuditEntry.objects.filter(actor_username="council_auditor").latest("sequence")
    assert (opened.action, opened.object_id) == ("view", str(search.sequence))
    sign_in(client, council_admin)
    client.get(reverse("web:user-detail", args=[council_analyst.pk]))
    viewed = AuditEntry.objects.filter(actor_username="council_admin").latest("sequence")
    assert (viewed.action, viewed.object_type, viewed.object_id) == ("view", "partners.user", str(council_analyst.pk))
