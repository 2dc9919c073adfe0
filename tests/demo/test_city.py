import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import shapely
from django.core.exceptions import ValidationError
from django.db.models import Count
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferplace.analysis.models import HarmTable
from saferplace.demo import demo_city_build
from saferplace.demo.geography import city_plan
from saferplace.demo.harm import DATA, PARTNER_WEIGHTS
from saferplace.demo.incident_data import SNAP_LATITUDE, SNAP_LONGITUDE, incident_rows
from saferplace.demo.personas import DEMO_PASSWORD, PERSONAS, demo_totp_code
from saferplace.incidents.events import CategoryEvent, CategoryEventKind
from saferplace.incidents.models import (
    Incident,
    IncidentCategory,
    IncidentPerson,
    LocationPrecision,
)
from saferplace.partners.models import AgreementStatus, Organisation, SharingAgreement, User
from saferplace.partners.services import user_create
from saferplace.places.models import Place, PlaceKind
from tests.conftest import OPERATOR
from tests.demo.conftest import END, SIZE


def shape(place: Place):
    return shapely.geometry.shape(place.boundary)


def test_the_city_has_its_places_in_one_hierarchy(city):
    counts = Counter(Place.objects.values_list("kind", flat=True))
    assert counts == {"force": 1, "local_authority": 1, "community": 5, "ward": 20, "lsoa": 125}
    assert city.places == counts
    authority = Place.objects.get(kind=PlaceKind.LOCAL_AUTHORITY)
    assert (authority.code, authority.name, authority.parent.code) == ("E06900001", "Riverford", "E23900001")
    assert set(Place.objects.filter(kind=PlaceKind.COMMUNITY).values_list("parent", flat=True)) == {authority.pk}
    assert set(Place.objects.filter(kind=PlaceKind.WARD).values_list("parent__kind", flat=True)) == {"community"}


def test_populations_are_those_of_a_city_of_200000(city):
    lsoas = Place.objects.filter(kind=PlaceKind.LSOA)
    total = sum(lsoas.values_list("population", flat=True))
    assert 180_000 <= total <= 220_000
    assert all(1400 <= population <= 1800 for population in lsoas.values_list("population", flat=True))
    for community in Place.objects.filter(kind=PlaceKind.COMMUNITY):
        residents = sum(Place.objects.filter(parent__parent=community).values_list("population", flat=True))
        assert 30_000 <= residents <= 50_000, community.name
        assert community.population == residents
    assert Place.objects.get(kind=PlaceKind.LOCAL_AUTHORITY).population == total == city.population


def test_every_lsoa_has_a_valid_boundary_inside_its_ward(city):
    authority = shape(Place.objects.get(kind=PlaceKind.LOCAL_AUTHORITY))
    lsoas = Place.objects.filter(kind=PlaceKind.LSOA).select_related("parent")
    for lsoa in lsoas:
        boundary = shape(lsoa)
        assert boundary.geom_type == "Polygon" and boundary.is_valid, lsoa.code
        assert lsoa.parent.kind == PlaceKind.WARD, lsoa.code
        assert shape(lsoa.parent).buffer(1e-6).contains(boundary), lsoa.code
    # The LSOAs tile the city: no gaps, no overlaps.
    assert sum(shape(lsoa).area for lsoa in lsoas) == pytest.approx(authority.area, rel=1e-4)
    for place in Place.objects.exclude(kind=PlaceKind.LSOA):
        assert shape(place).geom_type == "Polygon" and shape(place).is_valid, place.code
    west, south, east, north = authority.bounds
    assert 51.5 < south < north < 53.5 and -2.0 < west < east < 0.0  # in England
    assert 10_000 < (east - west) * 67_900 < 15_000  # about 12 km across


def test_the_partnership_has_its_organisations_and_agreements(city):
    assert Organisation.objects.count() == city.organisations == 9
    business_district = Organisation.objects.get(name="Riverford Business Improvement District")
    assert not business_district.agreements.exists()
    statuses = Counter(SharingAgreement.objects.values_list("status", flat=True))
    assert statuses == {AgreementStatus.ACTIVE: 4, AgreementStatus.ENDED: 1, AgreementStatus.DRAFT: 1}
    core = SharingAgreement.objects.get(reference="RVF-ISA-001")
    assert core.is_in_force()
    assert sorted(core.data_categories.values_list("code", flat=True)) == ["asb", "calls-for-service", "crime", "environmental", "fire", "road-safety", "youth"]
    assert core.parties.count() == 7
    assert not SharingAgreement.objects.get(reference="RVF-ISA-005").is_in_force()


def test_each_persona_can_sign_in_with_the_demo_password_and_code(city):
    assert city.personas == [persona.username for persona in PERSONAS]
    users = User.objects.filter(is_demo_persona=True).select_related("organisation")
    assert users.count() == len(PERSONAS) == 12
    expected = {persona.username: (persona.role, persona.organisation) for persona in PERSONAS}
    for user in users:
        assert (user.role, user.organisation.name) == expected[user.username]
        assert user.check_password(DEMO_PASSWORD)
        assert user.job_title and user.first_name
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert device.verify_token(demo_totp_code())
    assert User.objects.get(username="analyst.bid").organisation.kind == "other"


def test_a_police_analyst_and_a_second_council_administrator_are_among_them(city):
    police_analyst = User.objects.get(username="analyst.police")
    assert (police_analyst.role, police_analyst.organisation.name) == ("analyst", "Fenshire Police")
    administrators = User.objects.filter(is_demo_persona=True, role="administrator", organisation__name="Riverford City Council")
    assert sorted(administrators.values_list("username", flat=True)) == ["admin.council", "admin2.council"]


def test_a_role_one_administrator_gives_a_second_one_approves(city):
    """The two-administrator approval can be tried in the demo: admin.council gives a role that
    opens a special category, it waits, and admin2.council approves it."""
    from saferplace.partners.models import RoleRequestStatus
    from saferplace.partners.services import role_request_decide, user_role_change
    from tests.conftest import viewer

    first, second = User.objects.get(username="admin.council"), User.objects.get(username="admin2.council")
    analyst = User.objects.get(username="analyst.council")
    request = user_role_change(viewer=viewer(first), user=analyst, role="practitioner", reason="joins the ASB team")
    assert request.status == RoleRequestStatus.PENDING
    role_request_decide(viewer=viewer(second), request=request, approve=True)
    analyst.refresh_from_db()
    assert analyst.role == "practitioner"


def _first_file(upload) -> Path:
    from django.conf import settings

    found = sorted((settings.DATA_DIR / "demo-sources").glob(upload.files))
    assert found, f"no demo file matches {upload.files}"
    return found[0]


def _upload(persona: str, upload, path: Path):
    from saferplace.incidents.importers import import_file, import_run_create
    from saferplace.incidents.models import MappingProfile
    from tests.conftest import viewer

    person = viewer(User.objects.get(username=persona))
    profile = MappingProfile.objects.get(name=upload.profile) if upload.profile else None
    run = import_run_create(viewer=person, importer=upload.importer, file_name=path.name, profile=profile)
    return import_file(viewer=person, run=run, path=path)


def test_each_demo_file_the_command_names_its_persona_may_upload(city):
    """What `saferplace demo` and the README say: each of these files, uploaded by the persona
    named, is imported (or found already imported), not refused."""
    from saferplace.demo.source_files import DEMO_UPLOADS
    from saferplace.incidents.models import ImportStatus

    assert {upload.persona for upload in DEMO_UPLOADS} <= {persona.username for persona in PERSONAS}
    for upload in DEMO_UPLOADS:
        run = _upload(upload.persona, upload, _first_file(upload))
        assert run.status in (ImportStatus.SUCCEEDED, ImportStatus.UNCHANGED), (upload.files, run.message)
        assert run.organisation.name == User.objects.get(username=upload.persona).organisation.name


def test_the_council_analyst_is_refused_the_police_s_own_file(city):
    from saferplace.demo.source_files import DEMO_UPLOADS
    from saferplace.incidents.models import ImportStatus

    street = next(upload for upload in DEMO_UPLOADS if upload.importer == "police-uk")
    run = _upload("analyst.council", street, _first_file(street))
    assert run.status == ImportStatus.REFUSED and "Fenshire Police's records" in run.message


def test_incidents_come_from_each_partner_with_their_category(city):
    by_source = dict(Incident.objects.values_list("source").annotate(total=Count("id")))
    assert by_source == city.incidents_by_source
    assert sum(by_source.values()) == city.incidents
    assert 0.8 * 36_800 * SIZE < city.incidents < 1.2 * 36_800 * SIZE
    owners = set(Incident.objects.values_list("source", "owning_organisation__name", "data_category__code"))
    assert ("police-uk", "Fenshire Police", "crime") in owners  # police.uk street-level files
    assert ("police-uk", "Fenshire Police", "asb") in owners
    assert ("stats19", "Fenshire Police", "road-safety") in owners  # DfT STATS19 files
    assert ("police-calls", "Fenshire Police", "calls-for-service") in owners
    assert ("council-environmental", "Riverford City Council", "environmental") in owners
    assert ("police-domestic-abuse", "Fenshire Police", "domestic-abuse") in owners
    assert ("fire-incidents", "Fenshire Fire and Rescue Service", "fire") in owners
    assert city.period_start == date(2025, 3, 1) and city.period_end == date(2026, 2, 28)
    dates = Incident.objects.values_list("occurred_on", flat=True)
    assert min(dates) >= city.period_start and max(dates) <= city.period_end


def test_police_locations_are_snapped_and_council_locations_exact(city):
    police = Incident.objects.filter(source="police-uk")
    assert {incident.location_precision for incident in police.select_related("location")} == {
        LocationPrecision.SNAPPED, LocationPrecision.NONE
    }
    council = Incident.objects.filter(source="council-environmental")
    assert LocationPrecision.EXACT in {incident.location_precision for incident in council.select_related("location")}
    # Snapped to the middle of a grid square, as police.uk snaps to anonymous map points.
    for latitude, longitude in police.exclude(location__latitude=None).values_list("location__latitude", "location__longitude"):
        assert (latitude / SNAP_LATITUDE - 0.5) == pytest.approx(round(latitude / SNAP_LATITUDE - 0.5), abs=1e-3)
        assert (longitude / SNAP_LONGITUDE - 0.5) == pytest.approx(round(longitude / SNAP_LONGITUDE - 0.5), abs=1e-3)
    no_location = Incident.objects.filter(location__latitude=None)
    assert no_location.exists()
    assert {(incident.location_precision, incident.h3_cell) for incident in no_location.select_related("location")} == {
        ("none", "")
    }
    # Youth contacts are located by an LSOA code alone: an area, but no point.
    assert no_location.filter(source="youth-contacts").exclude(lsoa=None).exists()
    assert not no_location.exclude(source="youth-contacts").exclude(lsoa=None).exists()
    assert Incident.objects.exclude(location__latitude=None).filter(lsoa=None).count() < 0.05 * Incident.objects.count()


def test_anti_social_behaviour_peaks_in_summer(city):
    asb = Incident.objects.filter(category="anti-social-behaviour")
    assert asb.filter(occurred_on__month=7).count() > 1.3 * asb.filter(occurred_on__month=1).count()
    fires = Incident.objects.filter(category="deliberate-secondary-fire")
    summer = fires.filter(occurred_on__month__in=[5, 6, 7]).count()
    winter = fires.filter(occurred_on__month__in=[11, 12, 1]).count()
    assert summer > winter


@pytest.mark.parametrize(
    ("category", "hotspot"),
    [("shoplifting", "town-centre"), ("violent-crime", "town-centre"), ("fly-tipping", "estate"), ("drugs", "park")],
)
def test_a_planted_hotspot_is_the_top_lsoa_for_its_category(city, category, hotspot):
    top = (
        Incident.objects.filter(category=category, lsoa__isnull=False)
        .values("lsoa__code").annotate(total=Count("id")).order_by("-total").first()
    )
    assert top["lsoa__code"] == city.hotspot_lsoas[hotspot]


def test_there_are_repeat_victims_and_repeat_locations(city):
    abuse = Incident.objects.filter(source="police-domestic-abuse")
    victims = Counter(IncidentPerson.objects.filter(incident__in=abuse).values_list("person", flat=True))
    assert victims.most_common(1)[0][1] >= 3  # the file's victim references, known again by their pseudonyms
    assert victims.total() == abuse.count()  # every record names its victim
    assert len(set(abuse.values_list("external_id", flat=True))) == abuse.count()  # each record its own reference
    fly_tips = Incident.objects.filter(category="fly-tipping", location__precision=LocationPrecision.EXACT)
    assert Counter(fly_tips.values_list("location__latitude", "location__longitude")).most_common(1)[0][1] >= 3


def test_the_same_seed_gives_the_same_city(city):
    def snapshot():
        return list(
            Incident.objects.order_by("id").values_list(
                "source", "external_id", "occurred_on", "category", "location__latitude", "location__longitude",
                "location__precision", "location__description", "lsoa__code", "location__h3_cell", "outcome__text",
            )[:200]
        )

    first = snapshot()
    rebuilt = demo_city_build(size=SIZE, seed=2026, end=END, progress=False, replace=True)
    assert rebuilt == city
    assert snapshot() == first
    assert Organisation.objects.count() == 9 and User.objects.filter(is_demo_persona=True).count() == len(PERSONAS)


def test_the_generator_is_deterministic_and_scales_with_size():
    plan = city_plan()
    first = incident_rows(plan=plan, size=SIZE, seed=7, end=END)
    assert incident_rows(plan=plan, size=SIZE, seed=7, end=END) == first
    other_seed = incident_rows(plan=plan, size=SIZE, seed=8, end=END)
    assert len(other_seed) == len(first) and other_seed[:50] != first[:50]
    double = incident_rows(plan=plan, size=2 * SIZE, seed=7, end=END)
    assert len(double) == pytest.approx(2 * len(first), rel=0.02)


def test_building_twice_without_replace_is_refused(city):
    before = Incident.objects.count()
    with pytest.raises(ValidationError, match=r"already has 152 places and 9 organisations.*replace=True"):
        demo_city_build(size=SIZE, end=END, progress=False)
    assert Incident.objects.count() == before


def test_replace_keeps_real_users_rather_than_deleting_them(city):
    council = Organisation.objects.get(name="Riverford City Council")
    user_create(viewer=OPERATOR, username="real.person", password="x", organisation=council, role="analyst", validate=False)
    with pytest.raises(ValidationError, match="users who are not demo personas belong to its organisations \\(real.person\\)"):
        demo_city_build(size=SIZE, end=END, progress=False, replace=True)
    assert User.objects.filter(is_demo_persona=True).count() == len(PERSONAS)


@pytest.mark.django_db
def test_replace_leaves_places_that_are_not_the_demo_cities_alone():
    from saferplace.places.services import place_get_or_create_from_code

    place_get_or_create_from_code(viewer=OPERATOR, code="E01000001")
    with pytest.raises(ValidationError, match="already has 1 place; the demo city is only built into an empty database"):
        demo_city_build(size=SIZE, end=END, progress=False)
    demo_city_build(size=SIZE, end=END, progress=False, replace=True)
    demo_city_build(size=SIZE, end=END, progress=False, replace=True)
    assert Place.objects.filter(code="E01000001").exists()
    assert Place.objects.count() == 153


@pytest.mark.django_db
def test_a_size_of_zero_is_refused():
    with pytest.raises(ValidationError, match="The size must be more than 0"):
        demo_city_build(size=0, progress=False)


def test_the_harm_weights_come_from_illustrative_tables_labelled_as_such(city):
    tables = HarmTable.objects.order_by("kind")
    assert [(table.kind, table.illustrative) for table in tables] == [("css", True), ("offence-mapping", True)]
    burglary = IncidentCategory.objects.get(code="burglary")
    assert burglary.harm_weight == pytest.approx(313.04, abs=0.01)  # (380 × 160,000 + 160 × 70,000) / 230,000
    explained = CategoryEvent.objects.filter(kind=CategoryEventKind.HARM_WEIGHT)
    assert "illustrative" in explained.filter(record=burglary).get().note
    # Every category the city's incidents have got its weight from the tables or the partners' file.
    # (or already had the file's: the youth services' activity, 0 from the start).
    used = set(Incident.objects.values_list("category", flat=True).distinct())
    unchanged = {row["Category"] for row in csv.DictReader((DATA / PARTNER_WEIGHTS).open(encoding="utf-8"))
                 if IncidentCategory.objects.get(code=row["Category"]).harm_weight == float(row["Weight"])}
    assert used <= set(explained.values_list("record__code", flat=True)) | unchanged
    assert all("llustrative" in note for note in explained.values_list("note", flat=True))
