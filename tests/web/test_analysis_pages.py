"""The analysis pages: shown to whoever may read incidents, each with the kept result for their
own reading rule (another organisation's analysts never see one worked out on records they may
not read), asked for when there is none, and refused to a volunteer."""

from django.urls import reverse

from saferplace.analysis.models import AnalysisResult
from saferplace.analysis.results import analysis_compute
from tests.analysis.test_selectors import burglaries  # noqa: F401 - the fixture
from tests.conftest import sign_in


def _show(client, user, name: str, query: str = "") -> str:
    sign_in(client, user)
    response = client.get(reverse(f"web:analysis-{name}") + query)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_hotspots_are_asked_for_then_shown(client, burglaries, police_analyst):  # noqa: F811
    first = _show(client, police_analyst, "hotspots", "?category=burglary")
    assert "being worked out" in first
    result = AnalysisResult.objects.get()
    analysis_compute(result_id=result.pk)
    shown = _show(client, police_analyst, "hotspots", "?category=burglary")
    assert "being worked out" not in shown and "Hotspot</td>" in shown and ">40</td>" in shown


def test_another_organisation_sees_only_what_it_may_read(client, burglaries, police_analyst, council_analyst):  # noqa: F811
    _show(client, police_analyst, "hotspots", "?category=burglary")
    analysis_compute(result_id=AnalysisResult.objects.get().pk)
    shown = _show(client, council_analyst, "hotspots", "?category=burglary")
    assert ">40</td>" not in shown and "being worked out" in shown
    council = AnalysisResult.objects.exclude(requested_by=police_analyst).get()
    analysis_compute(result_id=council.pk)
    shown = _show(client, council_analyst, "hotspots", "?category=burglary")
    assert "0 hotspots" in shown and "counting 0 incidents" in shown


def test_a_volunteer_is_refused_every_analysis_page(client, burglaries, council_volunteer):  # noqa: F811
    sign_in(client, council_volunteer)
    for name in ("hotspots", "emerging", "harm"):
        assert client.get(reverse(f"web:analysis-{name}")).status_code == 403
    assert not AnalysisResult.objects.exists()


def test_hostile_choices_get_a_400_with_the_reason_and_nothing_is_asked_for(client, burglaries, police_analyst):  # noqa: F811
    sign_in(client, police_analyst)
    for query, reason in (("?date_from=2026-02-30", "real date"), ("?resolution=15", "Choose a size"),
                          ("?measure=%3Cscript%3E", "number of incidents or harm"), ("?category=nothing", "not one of them"),
                          ("?place=E99999999", "no community, ward or LSOA called E99999999"), ("?interval=year", "weeks or months"),
                          ("?date_from=2026-05-02&date_to=2026-05-01", "same as or after")):
        response = client.get(reverse("web:analysis-emerging") + query)
        assert response.status_code == 400 and reason in response.content.decode(), query
    assert "<script>" not in response.content.decode()
    assert not AnalysisResult.objects.exists()


def test_emerging_and_harm_pages(client, burglaries, police_analyst):  # noqa: F811
    _show(client, police_analyst, "emerging", "?category=burglary&interval=week")
    result = analysis_compute(result_id=AnalysisResult.objects.get().pk)
    assert result.status == "refused"
    assert "needs 10 weeks" in _show(client, police_analyst, "emerging", "?category=burglary&interval=week")
    harm = _show(client, police_analyst, "harm")
    assert "Burglary" in harm and "built-in starting value" in harm


def test_what_matters_most_and_repeats_pages(client, burglaries, police_analyst, council_analyst):  # noqa: F811
    assert "being worked out" in _show(client, police_analyst, "issues")
    assert "being worked out" in _show(client, police_analyst, "repeats", "?category=burglary")
    for result in AnalysisResult.objects.all():
        analysis_compute(result_id=result.pk)
    shown = _show(client, police_analyst, "issues")
    assert "Burglary at" in shown and "Why this score" in shown and "Likelihood" in shown
    repeats = _show(client, police_analyst, "repeats", "?category=burglary")
    assert "7 repeat locations" in repeats and "Pairs of incidents by distance and time apart" in repeats
    knox = client.get(reverse("web:analysis-export", args=["near_repeat"]) + "?category=burglary")
    lines = b"".join(knox.streaming_content).decode().splitlines()
    assert lines[0] == "distance,time,observed,expected,ratio,p_value" and lines[1].startswith("the same place,")
    council = _show(client, council_analyst, "issues")
    assert "Burglary at" not in council


def test_a_refused_near_repeat_test_says_why(client, world, council_analyst):
    assert "being worked out" in _show(client, council_analyst, "repeats")
    for result in AnalysisResult.objects.all():
        analysis_compute(result_id=result.pk)
    assert "A near-repeat test needs 10 incidents" in _show(client, council_analyst, "repeats")


def test_exports_are_the_readers_own_results_audited_and_neutralised(client, burglaries, police_analyst,  # noqa: F811
                                                                     council_analyst, council_volunteer):
    from saferplace.audit.models import AuditEntry

    url = reverse("web:analysis-export", args=["hotspots"]) + "?category=burglary"
    sign_in(client, police_analyst)
    assert client.get(url).status_code == 404  # not worked out yet
    _show(client, police_analyst, "hotspots", "?category=burglary")
    analysis_compute(result_id=AnalysisResult.objects.get().pk)
    assert "Download this table as CSV" in _show(client, police_analyst, "hotspots", "?category=burglary")
    response = client.get(url)
    text = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and text.startswith("h3_cell,latitude") and ",hot,40," in text
    entry = AuditEntry.objects.filter(action="export", object_type="analysis.analysisresult").get()
    assert entry.details["kind"] == "hotspots" and entry.details["rows"] == len(text.strip().splitlines()) - 1
    sign_in(client, council_analyst)  # another reading rule: the police's result is not theirs
    assert client.get(url).status_code == 404
    sign_in(client, council_volunteer)
    assert client.get(url).status_code == 403
    sign_in(client, police_analyst)
    assert client.get(reverse("web:analysis-export", args=["nothing"])).status_code == 400
    assert client.get(url + "&date_from=2026-02-30").status_code == 400
    AnalysisResult.objects.update(result={"hotspots": [{"h3_cell": "=HYPERLINK('x')", "places": "@SUM(1+1)"}]})
    text = b"".join(client.get(url).streaming_content).decode()
    assert "'=HYPERLINK" in text and ",'@SUM(1+1)," in text


def test_repeat_victims_are_shown_by_pseudonym_with_their_records(client, world, council_analyst):
    from saferplace.incidents.models import Incident, IncidentPerson
    from saferplace.incidents.pseudonyms import pseudonym
    from saferplace.incidents.recount import counts_rebuild

    council = world["organisations"]["council"]
    person = pseudonym(organisation_id=council.pk, reference="HH-7")
    made = Incident.objects.bulk_create(
        Incident(source="test", owning_organisation=council, data_category=world["categories"]["environmental"],
                 occurred_on=f"2026-10-{day:02d}", category_id="fly-tipping") for day in (1, 8))
    IncidentPerson.objects.bulk_create(IncidentPerson(incident=incident, person=person) for incident in made)
    counts_rebuild()
    _show(client, council_analyst, "repeats")
    for result in AnalysisResult.objects.all():
        analysis_compute(result_id=result.pk)
    shown = _show(client, council_analyst, "repeats")
    assert "1 repeat victim" in shown and person[:10] in shown and "HH-7" not in shown
    for incident in made:
        assert reverse("web:incident-detail", args=[incident.pk]) in shown
    for name, heading in (("repeat_victims", "person,organisation,count"), ("repeats", "place,latitude")):
        response = client.get(reverse("web:analysis-export", args=[name]))
        text = b"".join(response.streaming_content).decode()
        assert response.status_code == 200 and text.startswith(heading), (name, text[:200])
    victims = b"".join(client.get(reverse("web:analysis-export", args=["repeat_victims"])).streaming_content).decode()
    assert person in victims and " ".join(str(incident.pk) for incident in made) in victims
    # Two incidents are too few for a near-repeat test: nothing to export, and said so.
    assert client.get(reverse("web:analysis-export", args=["near_repeat"])).status_code == 404
    assert client.get(reverse("web:analysis-export", args=["risk_areas"])).status_code == 404
