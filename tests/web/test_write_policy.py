"""Every write checked: each write path (web, service, task), tried as an account of another
organisation and as a role without the capability, is refused and changes nothing. These are the
attacks an ordinary account could make before writes went through the access policy."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from saferplace.audit.models import AuditEntry
from saferplace.errors import NotAllowed, NotFound
from saferplace.incidents.importers import import_file, import_run_create
from saferplace.incidents.models import ImportRun, ImportStatus, Incident, MappingProfile
from saferplace.incidents.profiles import mapping_profile_save
from saferplace.partners.models import Organisation, SharingAgreement, User
from saferplace.places.models import Place, PlaceKind
from saferplace.places.services import place_create_or_update
from tests.conftest import OPERATOR, sign_in, viewer
from tests.incidents.conftest import POINT_A, POLICE_UK_HEADER, csv_text, police_row

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    """Everything a write could change, to compare before and after."""
    return [
        list(Incident.objects.order_by("pk").values_list("pk", "owning_organisation", "outcome__text", "category")),
        list(MappingProfile.objects.order_by("pk").values_list("pk", "name", "owning_organisation", "data_category",
                                                                "description", "category_map")),
        list(Organisation.objects.order_by("pk").values_list("pk", "name", "kind")),
        list(User.objects.order_by("pk").values_list("pk", "username", "role", "is_active", "organisation")),
        list(SharingAgreement.objects.order_by("pk").values_list("pk", "status", "end_date")),
        list(Place.objects.order_by("pk").values_list("pk", "code", "name")),
    ]


@pytest.fixture
def police_month(squares, world, write_file, run_import):
    """Fenshire Police's May 2026, imported by the force (as the operator does for it)."""
    rows = [police_row(n, "2026-05", "Burglary") for n in range(1, 8)]
    run = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")
    assert run.status == ImportStatus.SUCCEEDED and run.rows_imported == 7
    return run


@pytest.fixture
def council_profile(world):
    return mapping_profile_save(
        viewer=OPERATOR, header=["When", "What", "Safeguarding?"], name="council-safeguarding",
        owning_organisation=world["organisations"]["council"], data_category=world["categories"]["safeguarding"],
        source="council-safeguarding", date_column="When", date_format="%d/%m/%Y", category_column="What",
        location_kind="none", category_map={"Concern": "child-concern"},
    )


def _import_as(user, write_file, rows, *, importer="police-uk", header=POLICE_UK_HEADER, name="file.csv"):
    person = viewer(user)
    path = write_file(name, csv_text(header, rows))
    run = import_run_create(viewer=person, importer=importer, file_name=name)
    return import_file(viewer=person, run=run, path=path)


# --- imports ---------------------------------------------------------------------------------


def reported_by(row: list[str], force: str) -> list[str]:
    """A police.uk row with another force in its "Reported by" column."""
    return [*row[:2], force, *row[3:]]


def test_a_police_uk_file_naming_another_force_replaces_none_of_its_records(police_month, bid_analyst, write_file, world):
    """The attack: a one-row file whose "Falls within" names another force replaced that force's
    whole month. Now the row is the uploader's own record, and nothing of the force's changes."""
    police_before = list(Incident.objects.filter(owning_organisation=world["organisations"]["police"])
                         .order_by("pk").values_list("pk", "external_id"))
    run = _import_as(bid_analyst, write_file, [reported_by(police_row(99, "2026-05", "Shoplifting"), "Elsewhere Police")])
    assert run.status == ImportStatus.SUCCEEDED
    assert (run.rows_imported, run.rows_replaced) == (1, 0)  # and nothing said about hidden records
    assert run.organisation == world["organisations"]["bid"]
    assert list(Incident.objects.filter(owning_organisation=world["organisations"]["police"])
                .order_by("pk").values_list("pk", "external_id")) == police_before
    assert Incident.objects.get(import_run=run).owning_organisation == world["organisations"]["bid"]


def test_a_re_import_replaces_only_the_importers_own_month(police_month, bid_analyst, write_file, world):
    _import_as(bid_analyst, write_file, [reported_by(police_row(99, "2026-05", "Shoplifting"), "Elsewhere Police")],
               name="one.csv")
    again = _import_as(bid_analyst, write_file, [reported_by(police_row(98, "2026-05", "Shoplifting"), "Elsewhere Police")],
                       name="two.csv")
    assert again.rows_replaced == 1  # its own earlier row, not the force's seven
    assert Incident.objects.filter(owning_organisation=world["organisations"]["police"]).count() == 7


def test_a_police_uk_file_reported_by_another_organisation_is_refused(police_month, bid_analyst, write_file, world):
    """The file says whose records it holds: a person imports only their own organisation's."""
    before = snapshot()
    run = _import_as(bid_analyst, write_file, [police_row(99, "2026-05", "Shoplifting")])
    assert run.status == ImportStatus.REFUSED
    assert run.message.startswith("Reported by is 'Fenshire Police': these are Fenshire Police's records, and you "
                                  "can import only Riverford Business Improvement District's.")
    assert snapshot() == before


def test_an_outcomes_file_touches_only_the_importers_crimes_and_says_nothing_of_others(police_month, bid_analyst, write_file):
    from tests.incidents.test_outcomes_and_stats19 import OUTCOMES_HEADER

    before = snapshot()
    known_elsewhere = Incident.objects.exclude(external_id="").first().external_id
    rows = [[identifier, "2026-06", "Fenshire Police", "Fenshire Police", *POINT_A, "Offender sent to prison"]
            for identifier in (known_elsewhere, "f" * 64)]
    run = _import_as(bid_analyst, write_file, rows, importer="police-uk-outcomes", header=OUTCOMES_HEADER)
    assert snapshot() == before
    reasons = list(run.rejections.order_by("row_number").values_list("field", "reason"))
    # A Crime ID that is another organisation's is rejected exactly like one that does not exist.
    assert reasons == [("Crime ID", "no imported crime with this Crime ID")] * 2


def test_an_import_cannot_name_another_organisation(world, bid_analyst):
    with pytest.raises(NotAllowed, match="only import your own organisation"):
        import_run_create(viewer=viewer(bid_analyst), importer="police-uk", file_name="x.csv",
                          options={"organisation": "Fenshire Police"})
    assert not ImportRun.objects.exists()


def test_the_upload_form_ignores_a_posted_organisation(client, bid_analyst, world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    sign_in(client, bid_analyst)
    client.post(reverse("web:import-new"), {
        "importer": "police-uk", "organisation": world["organisations"]["police"].pk,
        "file": SimpleUploadedFile("x.csv", csv_text(POLICE_UK_HEADER, [police_row(1, "2026-05", "Burglary")]).encode()),
    })
    assert ImportRun.objects.get().organisation == world["organisations"]["bid"]


def test_another_organisations_profile_can_be_neither_seen_changed_nor_used(client, council_profile, bid_analyst, world):
    before = snapshot()
    sign_in(client, bid_analyst)
    url = reverse("web:profile-edit", args=[council_profile.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"action": "save", "name": "council-safeguarding", "data_category": world["categories"]["crime"].pk,
                                 "source": "x", "date_column": "When", "date_format": "%d/%m/%Y", "category_column": "What",
                                 "location_kind": "none"})
    assert response.status_code == 404
    assert "council-safeguarding" not in client.get(reverse("web:profile-list")).content.decode()
    assert "council-safeguarding" not in client.get(reverse("web:import-new")).content.decode()
    response = client.post(reverse("web:import-new"), {
        "importer": "profile", "profile": council_profile.pk,
        "file": SimpleUploadedFile("x.csv", b"When,What\n01/05/2026,Concern\n"),
    })
    assert response.status_code == 400 and "Choose one of your organisation" in response.content.decode()
    with pytest.raises(NotFound):
        import_run_create(viewer=viewer(bid_analyst), importer="profile", file_name="x.csv", profile=council_profile)
    with pytest.raises(NotFound):
        mapping_profile_save(viewer=viewer(bid_analyst), profile=council_profile, header=["When", "What"],
                             name="council-safeguarding", data_category=world["categories"]["crime"], source="x",
                             date_column="When", date_format="%d/%m/%Y", category_column="What", location_kind="none")
    assert snapshot() == before and not ImportRun.objects.exists()


def test_a_new_profile_always_belongs_to_its_makers_organisation(bid_analyst, world):
    with pytest.raises(NotAllowed):
        mapping_profile_save(viewer=viewer(bid_analyst), header=["When", "What"], name="sneaky",
                             owning_organisation=world["organisations"]["police"], data_category=world["categories"]["crime"],
                             source="x", date_column="When", date_format="%d/%m/%Y", category_column="What",
                             location_kind="none")
    profile = mapping_profile_save(viewer=viewer(bid_analyst), header=["When", "What"], name="mine",
                                   data_category=world["categories"]["asb"], source="x", date_column="When",
                                   date_format="%d/%m/%Y", category_column="What", location_kind="none")
    assert profile.owning_organisation == world["organisations"]["bid"]


def test_places_are_changed_only_with_places_manage(client, council_analyst, council_admin, world, squares, write_file):
    before = snapshot()
    lookup = write_file("lookup.csv", "LSOA21CD,LSOA21NM,WD24CD,WD24NM,LAD24CD,LAD24NM\n"
                        'E01000001,<b>Renamed</b>,E05000001,Ward 1,E06000001,Testborough\n')
    with pytest.raises(NotAllowed):
        import_run_create(viewer=viewer(council_analyst), importer="place-lookup", file_name="lookup.csv")
    with pytest.raises(NotAllowed):
        place_create_or_update(viewer=viewer(council_analyst), kind=PlaceKind.WARD, code="E05000001", name="Taken over")
    sign_in(client, council_analyst)
    response = client.post(reverse("web:import-new"), {"importer": "place-lookup",
                                                       "file": SimpleUploadedFile("lookup.csv", lookup.read_bytes())})
    assert response.status_code == 400
    assert snapshot() == before and not ImportRun.objects.exists()
    # An administrator may; a name with markup is shown as text wherever it appears.
    run = _import_as(council_admin, write_file, [["E01000001", "<b>Renamed</b>", "E05000001", "Ward 1", "E06000001", "Testborough"]],
                     importer="place-lookup", header=["LSOA21CD", "LSOA21NM", "WD24CD", "WD24NM", "LAD24CD", "LAD24NM"])
    assert run.status == ImportStatus.SUCCEEDED, run.message
    sign_in(client, council_admin)
    page = client.get(reverse("web:map") + "?kind=lsoa").content.decode()
    assert "&lt;b&gt;Renamed&lt;/b&gt;" in page and "<b>Renamed</b>" not in page


def test_a_queued_import_is_refused_if_its_person_lost_the_capability(squares, world, police_analyst, write_file):
    from saferplace.partners.services import user_role_change

    path = write_file("may.csv", csv_text(POLICE_UK_HEADER, [police_row(1, "2026-05", "Burglary")]))
    run = import_run_create(viewer=viewer(police_analyst), importer="police-uk", file_name="may.csv")
    user_role_change(viewer=OPERATOR, user=police_analyst, role="volunteer")
    police_analyst.refresh_from_db()
    from saferplace.incidents.importers import run_viewer

    run = import_file(viewer=run_viewer(ImportRun.objects.get(pk=run.pk)), run=ImportRun.objects.get(pk=run.pk), path=path)
    assert run.status == ImportStatus.FAILED and "not allowed" in run.message.lower()
    assert not Incident.objects.exists()


# --- partners, people, agreements ------------------------------------------------------------


def test_an_administrator_cannot_create_people_in_another_organisation(client, council_admin, world):
    before = snapshot()
    sign_in(client, council_admin)
    response = client.post(reverse("web:user-add", args=[world["organisations"]["police"].pk]), {
        "first_name": "Eve", "last_name": "Mallory", "email": "eve@police.example", "username": "eve",
        "job_title": "", "role": "practitioner", "team": "",
    })
    assert response.status_code == 403
    assert snapshot() == before and not User.objects.filter(username="eve").exists()
    assert AuditEntry.objects.order_by("-sequence").first().action == "refused"


@pytest.mark.parametrize(("name", "data"), [
    ("web:organisation-edit", {"name": "Fenshire Constabulary", "kind": "police"}),
    ("web:user-add", {"first_name": "A", "last_name": "B", "email": "a@b.example", "username": "ab", "role": "analyst"}),
])
def test_another_organisation_is_not_changed(client, council_admin, world, name, data):
    before = snapshot()
    sign_in(client, council_admin)
    assert client.post(reverse(name, args=[world["organisations"]["police"].pk]), data).status_code == 403
    assert snapshot() == before


def test_another_organisations_people_are_not_changed(client, council_admin, police_officer, police_chair):
    from saferplace.partners.models import RoleRequest

    before = snapshot()
    sign_in(client, council_admin)
    assert client.post(reverse("web:user-active", args=[police_officer.pk]), {"active": "false"}).status_code == 404
    assert client.post(reverse("web:user-detail", args=[police_officer.pk]), {"role": "administrator"}).status_code == 404
    request = RoleRequest.objects.create(user=police_chair, role="practitioner", requested_by="someone")
    assert client.post(reverse("web:role-request-decision", args=[request.pk]), {"decision": "approve"}).status_code == 404
    assert snapshot() == before


def test_an_agreement_is_changed_and_signed_only_by_its_parties(client, council_admin, world):
    safeguarding = world["agreements"]["safeguarding"]  # the police and health, not the council
    before = snapshot()
    sign_in(client, council_admin)
    data = {"title": "Taken over", "reference": "ISA-SAFE", "purpose": "x", "lawful_basis": "public_task",
            "parties": [o.pk for o in world["organisations"].values()], "data_categories": [world["categories"]["safeguarding"].pk],
            "start_date": "2020-01-01", "status": "active"}
    assert client.post(reverse("web:agreement-edit", args=[safeguarding.pk]), data).status_code == 403
    assert client.post(reverse("web:agreement-sign", args=[safeguarding.pk])).status_code == 403
    assert snapshot() == before
    assert set(safeguarding.signatures.values_list("organisation__name", flat=True)) == {
        "Fenshire Police", "Riverford Health and Care NHS Trust"}


@pytest.mark.parametrize(("persona", "name", "data"), [
    ("police_officer", "web:import-new", {"importer": "police-uk"}),
    ("police_officer", "web:profile-create", {"action": "save"}),
    ("council_analyst", "web:organisation-create", {"name": "New", "kind": "other"}),
    ("council_analyst", "web:agreement-create", {"title": "x"}),
    ("council_volunteer", "web:token-create", {"name": "x", "scopes": ["incidents.view"], "days": "1"}),
    ("council_auditor", "web:import-new", {"importer": "police-uk"}),
])
def test_a_role_without_the_capability_changes_nothing(client, request, world, persona, name, data):
    user = request.getfixturevalue(persona)
    before = snapshot()
    sign_in(client, user)
    assert client.post(reverse(name), data).status_code == 403
    assert snapshot() == before and not ImportRun.objects.exists()
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.actor_username, entry.details["status"]) == ("refused", persona, 403)


def test_a_role_without_the_capability_cannot_add_people_to_its_own_organisation(client, council_analyst, world):
    before = snapshot()
    sign_in(client, council_analyst)
    response = client.post(reverse("web:user-add", args=[world["organisations"]["council"].pk]), {
        "first_name": "A", "last_name": "B", "email": "a@b.example", "username": "ab", "role": "administrator"})
    assert response.status_code == 403 and snapshot() == before
