"""The analysis pages under attack (issue 10's review): a kept result is never shown or served
once the records it was worked out on have changed (withdrawn, reclassified), a refusal does
not stick to a colleague, record-level parts shown are audited, one person cannot flood the
worker, and far dates and hostile harm tables get a 400, never a 500."""

import csv
import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from saferplace.analysis.models import AnalysisResult, HarmTable, ResultStatus
from saferplace.analysis.results import MOST_WAITING, analysis_compute, analysis_results_refresh
from saferplace.audit.models import AuditEntry
from saferplace.incidents.importers.store import incidents_delete
from saferplace.incidents.models import Incident, IncidentPerson, LocationPrecision
from saferplace.incidents.pseudonyms import pseudonym
from saferplace.incidents.recount import counts_rebuild
from saferplace.partners.models import Role
from tests.analysis.test_repeats import burgled  # noqa: F401 - the fixture
from tests.analysis.test_selectors import burglaries  # noqa: F401 - the fixture
from tests.conftest import make_location, sign_in

Q = "?category=fly-tipping"


def _compute_all():
    for result in AnalysisResult.objects.filter(status=ResultStatus.QUEUED):
        analysis_compute(result_id=result.pk)


def _csv(client, name: str, query: str = Q) -> tuple[int, list[list[str]]]:
    response = client.get(reverse("web:analysis-export", args=[name]) + query)
    if response.status_code != 200:
        return response.status_code, []
    return 200, list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[1:]


def _victim(world) -> list[Incident]:
    council = world["organisations"]["council"]
    here = make_location(52.47, -0.9, precision=LocationPrecision.EXACT, description="1 Mill Lane")
    made = Incident.objects.bulk_create(
        Incident(source="test", owning_organisation=council, data_category=world["categories"]["environmental"],
                 external_id=f"V-{number}", occurred_on=date(2026, 10, 20 + number), category_id="fly-tipping",
                 location=here) for number in range(3))
    person = pseudonym(organisation_id=council.pk, reference="HH-7")
    IncidentPerson.objects.bulk_create(IncidentPerson(incident=incident, person=person) for incident in made)
    counts_rebuild()
    return made


def test_withdrawn_records_are_neither_shown_nor_served_from_a_kept_result(client, burgled, world,  # noqa: F811
                                                                           council_analyst, council_admin):
    _victim(world)
    sign_in(client, council_analyst)
    client.get(reverse("web:analysis-repeats") + Q)
    _compute_all()
    assert _csv(client, "risk_areas")[1] and _csv(client, "repeat_victims")[1]
    assert "1 Mill Lane" in client.get(reverse("web:analysis-repeats") + Q).content.decode()

    incidents_delete(Incident.objects.filter(owning_organisation=world["organisations"]["council"]))  # withdrawn
    for person in (council_analyst, council_admin):  # who asked, and a colleague who never opened the page
        sign_in(client, person)
        assert _csv(client, "risk_areas")[0] == 404 and _csv(client, "repeat_victims")[0] == 404
        assert client.get(reverse("web:analysis-repeats-map") + Q).status_code == 404
        page = client.get(reverse("web:analysis-repeats") + Q).content.decode()
        assert "1 Mill Lane" not in page and "being worked out again" in page


def test_a_refusal_for_one_person_is_worked_out_again_for_a_colleague(client, burgled, council_analyst,  # noqa: F811
                                                                     council_admin):
    sign_in(client, council_analyst)
    client.get(reverse("web:analysis-hotspots") + Q)
    _compute_all()
    council_analyst.role = Role.PRACTITIONER  # reads more now: the result's rule is no longer theirs
    council_analyst.save()
    Incident.objects.filter(pk=Incident.objects.first().pk).update(occurred_on=date(2026, 10, 30))
    counts_rebuild()  # an import lands
    analysis_results_refresh()
    _compute_all()
    kept = AnalysisResult.objects.get(kind="hotspots")
    assert kept.status == ResultStatus.REFUSED
    sign_in(client, council_admin)  # the same reading rule as the result's
    client.get(reverse("web:analysis-hotspots") + Q)
    kept.refresh_from_db()
    assert (kept.status, kept.requested_by_id) == (ResultStatus.QUEUED, council_admin.pk)
    _compute_all()
    kept.refresh_from_db()
    assert kept.status == ResultStatus.DONE


def test_record_level_parts_shown_on_the_page_and_map_are_audited(client, burgled, world, council_analyst):  # noqa: F811
    made = _victim(world)
    sign_in(client, council_analyst)
    client.get(reverse("web:analysis-repeats") + Q)
    _compute_all()
    before = AuditEntry.objects.count()
    client.get(reverse("web:analysis-repeats") + Q)
    assert client.get(reverse("web:analysis-repeats-map") + Q).status_code == 200
    entries = list(AuditEntry.objects.order_by("sequence")[before:])
    assert [(entry.action, entry.object_repr) for entry in entries] == [
        ("view", "repeats on its page"), ("view", "near_repeat on its page"), ("view", "repeats on its map"),
        ("view", "near_repeat on its map")]
    assert entries[0].details["incident_ids"] == sorted(incident.pk for incident in made)
    assert entries[1].details["risk_areas"] > 0
    before = AuditEntry.objects.count()
    client.get(reverse("web:analysis-hotspots") + Q)  # hotspots are counts of cells: nothing of a record
    _compute_all()
    client.get(reverse("web:analysis-hotspots") + Q)
    assert AuditEntry.objects.count() == before


def test_one_person_cannot_flood_the_worker(client, burglaries, police_analyst):  # noqa: F811
    sign_in(client, police_analyst)
    for day in range(1, MOST_WAITING + 1):
        assert client.get(reverse("web:analysis-emerging") + f"?date_from=2020-03-{day:02}").status_code == 200
    flooded = client.get(reverse("web:analysis-emerging") + "?date_from=2020-04-01")
    assert flooded.status_code == 429 and "analyses waiting to be worked out already" in flooded.content.decode()
    assert AnalysisResult.objects.count() == MOST_WAITING
    # The same categories twice are the same analysis, not another.
    _compute_all()
    client.get(reverse("web:analysis-hotspots") + "?category=burglary")
    client.get(reverse("web:analysis-hotspots") + "?category=burglary&category=burglary")
    assert AnalysisResult.objects.filter(kind="hotspots").count() == 1


def test_far_dates_and_long_periods_are_a_400_and_the_explorer_takes_the_last_day(client, burglaries,  # noqa: F811
                                                                                   police_analyst):
    sign_in(client, police_analyst)
    for query, reason in (("?date_to=9999-12-31", "from 1900 to 2100"), ("?date_from=0001-01-01", "from 1900 to 2100"),
                          ("?date_from=2000-01-01&date_to=2020-01-01", "ten years at most")):
        for name in ("hotspots", "emerging", "issues", "repeats"):
            response = client.get(reverse(f"web:analysis-{name}") + query)
            assert response.status_code == 400 and reason in response.content.decode(), (name, query)
    assert not AnalysisResult.objects.exists()
    assert client.get(reverse("web:incident-list") + "?date_to=9999-12-31").status_code == 200


def _upload(client, content: bytes, *, kind: str = "css", name: str = "Hostile"):
    return client.post(reverse("web:analysis-harm-table-upload"), {
        "kind": kind, "name": name, "source": "x", "file": SimpleUploadedFile("t.csv", content, content_type="text/csv")})


def test_harm_tables_past_what_can_be_read_or_used_are_refused_with_the_reason(world, council_admin):
    client = sign_in(Client(raise_request_exception=False), council_admin)
    too_long = _upload(client, b"Offence code,Offence,Weight\n28E,\"" + b"A" * 200_000 + b"\",380\n")
    assert too_long.status_code == 400 and "cannot be read as CSV" in too_long.content.decode()
    too_heavy = _upload(client, b"Offence code,Offence,Weight\n28E,Burglary,500000000\n")
    assert too_heavy.status_code == 400 and "Row 2, weight" in too_heavy.content.decode()
    assert not HarmTable.objects.exists()


def test_pages_opened_without_choices_and_harm_hotspots_say_what_they_count(client, burglaries,  # noqa: F811
                                                                            police_analyst):
    sign_in(client, police_analyst)
    for name in ("issues", "hotspots", "emerging", "repeats"):
        assert client.get(reverse(f"web:analysis-{name}")).status_code == 200, name
    assert client.get(reverse("web:analysis-export", args=["emerging"])).status_code == 404  # not worked out yet
    client.get(reverse("web:analysis-hotspots") + "?category=burglary&measure=harm")
    _compute_all()
    page = client.get(reverse("web:analysis-hotspots") + "?category=burglary&measure=harm").content.decode()
    assert "Expected harm" in page and ">Harm<" in page
