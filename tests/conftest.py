"""Shared fixtures: a small partnership with named personas, one per agency and role, and
records owned by different organisations, so permission tests read like the policy.

    council_analyst   analyst at Riverford City Council (party to the CSP agreement)
    police_analyst    analyst at Fenshire Police (imports the force's files)
    police_officer    practitioner at Fenshire Police (party to the CSP and safeguarding agreements)
    police_chair      chair at Fenshire Police
    fire_officer      practitioner at the fire service (party to the CSP agreement for fire only)
    bid_analyst       analyst at the Business Improvement District: no sharing agreement at all
    council_admin     administrator at the council
    council_auditor   auditor at the council
    council_volunteer a volunteer registered with the council

`operator` is the command line's viewer (what fixtures create, they create as it); `viewer(user)`
is a person's viewer, for calling selectors and services directly.
"""

import os
from datetime import date, timedelta

import pytest
from django.db import connection
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.plugin import blocking_manager_key

from saferplace.audit.triggers import create_triggers, drop_triggers
from saferplace.incidents.models import (
    Incident,
    IncidentCategory,
    Location,
    LocationPrecision,
    location_key,
)
from saferplace.incidents.recount import counts_refresh
from saferplace.incidents.taxonomy import taxonomy_install
from saferplace.meetings.models import ItemState, ItemTransition
from saferplace.meetings.states import item_states_install
from saferplace.partners.capabilities import capabilities_install
from saferplace.partners.models import (
    AgreementStatus,
    Capability,
    LawfulBasis,
    OrganisationKind,
    Role,
    RoleCapability,
    SpecialCategoryCondition,
)
from saferplace.partners.services import (
    agreement_save,
    data_category_ensure,
    organisation_save,
    user_create,
)
from saferplace.partners.viewer import WEB, AuditContext, operator_viewer, viewer_for
from saferplace.places import geometry

OPERATOR = operator_viewer("test-suite")


def pytest_configure(config):
    """`make test` runs the suite in several processes (pytest-xdist); each keeps its files in a
    folder of its own, DATA_DIR/<worker> (uploads, the demo's source files, its SQLite test
    database), so two tests at once never write or read the same file. Django's settings are
    already read when this runs: the paths made from DATA_DIR are moved with it, and a process a
    test starts inherits the folder through SAFERPLACE_DATA_DIR."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    from django.conf import settings

    shared, own = settings.DATA_DIR, settings.DATA_DIR / worker
    own.mkdir(parents=True, exist_ok=True)
    os.environ["SAFERPLACE_DATA_DIR"] = str(own)
    settings.DATA_DIR = own
    test = settings.DATABASES["default"].get("TEST", {})
    if test.get("NAME") == str(shared / "test-saferplace.sqlite3"):
        test["NAME"] = str(own / "test-saferplace.sqlite3")  # pytest-django adds _<worker> to it
    storage = settings.STORAGES["default"]
    if storage.get("OPTIONS", {}).get("location") == str(shared / "media"):
        settings.STORAGES = {**settings.STORAGES, "default": {**storage, "OPTIONS": {**storage["OPTIONS"], "location": str(own / "media")}}}


def viewer(user, *, channel: str = WEB, **context):
    """The viewer a request of `user` would have (two-factor sign-in completed)."""
    return viewer_for(user, context=AuditContext(channel=channel, **context))


@pytest.fixture(autouse=True)
def audit_checkpoints(settings, tmp_path_factory):
    """Checkpoints of the test database's audit trail go to a file of the test's own, never to
    the one beside a demo database."""
    settings.AUDIT_CHECKPOINT_SINK = f"file:{tmp_path_factory.mktemp('audit') / 'checkpoints.jsonl'}"


@pytest.fixture
def operator():
    return operator_viewer("test-suite")

PASSWORD = "correct-horse-battery-staple-42"
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238 test key, hex


def _commits(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return (
        "transactional_db" in fixtures
        or "live_server" in fixtures
        or (marker is not None and marker.kwargs.get("transaction", False))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Tests that commit (browser tests through a live server, the worker) are cleaned up by
    Django deleting every row afterwards, which the audit trail's append-only triggers refuse.
    For those tests only, the triggers are lifted around that clean-up and then put back."""
    if not _commits(item):
        yield
        return
    blocker = item.config.stash[blocking_manager_key]
    with blocker.unblock():
        drop_triggers(connection)
    yield
    if nextitem is not None:  # after the last test the test database itself is gone
        with blocker.unblock():
            create_triggers(connection)


@pytest.fixture
def world(db):
    """Organisations, categories and agreements of a small partnership."""
    # The taxonomy and the capabilities come from migrations, but tests that commit (browser
    # tests) empty every table afterwards, so they are put back here for the next one. It changes
    # nothing if they are there.
    taxonomy_install(IncidentCategory)
    capabilities_install(Capability, RoleCapability)
    item_states_install(ItemState, ItemTransition)
    categories = {
        "asb": data_category_ensure(viewer=OPERATOR, code="asb", name="Anti-social behaviour"),
        "crime": data_category_ensure(viewer=OPERATOR, code="crime", name="Crime"),
        "environmental": data_category_ensure(viewer=OPERATOR, code="environmental", name="Environmental"),
        "fire": data_category_ensure(viewer=OPERATOR, code="fire", name="Fire"),
        "safeguarding": data_category_ensure(
            viewer=OPERATOR, code="safeguarding", name="Safeguarding", is_special=True, special_roles=[Role.PRACTITIONER, Role.CHAIR]
        ),
    }
    organisations = {
        "council": organisation_save(viewer=OPERATOR, name="Riverford City Council", kind=OrganisationKind.COUNCIL),
        "police": organisation_save(viewer=OPERATOR, name="Fenshire Police", kind=OrganisationKind.POLICE),
        "fire": organisation_save(viewer=OPERATOR, name="Fenshire Fire and Rescue Service", kind=OrganisationKind.FIRE),
        "health": organisation_save(viewer=OPERATOR, name="Riverford Health and Care NHS Trust", kind=OrganisationKind.HEALTH),
        "bid": organisation_save(viewer=OPERATOR, name="Riverford Business Improvement District", kind=OrganisationKind.OTHER),
    }
    today = date.today()
    agreements = {
        "csp": agreement_save(
            viewer=OPERATOR, title="Community Safety Partnership", reference="ISA-CSP",
            purpose="Reducing crime and disorder", lawful_basis=LawfulBasis.CRIME_AND_DISORDER,
            parties=[organisations["council"], organisations["police"]],
            data_categories=[categories["asb"], categories["environmental"]],
            start_date=today - timedelta(days=365), status=AgreementStatus.ACTIVE,
        ),
        "fire": agreement_save(
            viewer=OPERATOR, title="Fire and council", reference="ISA-FIRE",
            purpose="Deliberate fires", lawful_basis=LawfulBasis.PUBLIC_TASK,
            parties=[organisations["council"], organisations["fire"]],
            data_categories=[categories["fire"]],
            start_date=today - timedelta(days=30), status=AgreementStatus.ACTIVE,
        ),
        "safeguarding": agreement_save(
            viewer=OPERATOR, title="Safeguarding", reference="ISA-SAFE",
            purpose="Protecting vulnerable people", lawful_basis=LawfulBasis.PUBLIC_TASK,
            parties=[organisations["police"], organisations["health"]],
            data_categories=[categories["safeguarding"]],
            start_date=today - timedelta(days=30), status=AgreementStatus.ACTIVE,
            special_category_condition=SpecialCategoryCondition.SAFEGUARDING,
        ),
        "expired": agreement_save(
            viewer=OPERATOR, title="Old crime sharing", reference="ISA-OLD",
            purpose="Historic", lawful_basis=LawfulBasis.PUBLIC_TASK,
            parties=[organisations["council"], organisations["police"]],
            data_categories=[categories["crime"]],
            start_date=today - timedelta(days=800), end_date=today - timedelta(days=400),
            status=AgreementStatus.ACTIVE,
        ),
    }
    return {"categories": categories, "organisations": organisations, "agreements": agreements}


def square(min_lon: float, min_lat: float, side: float = 0.01) -> dict:
    """A GeoJSON square boundary, `side` degrees across, from its south-west corner."""
    return {
        "type": "Polygon",
        "coordinates": [[
            [min_lon, min_lat], [min_lon + side, min_lat], [min_lon + side, min_lat + side],
            [min_lon, min_lat + side], [min_lon, min_lat],
        ]],
    }


def _persona(world, username: str, organisation: str, role: Role):
    user = user_create(
        viewer=OPERATOR, username=username, password=PASSWORD, organisation=world["organisations"][organisation],
        role=role, first_name=username.split("_")[0].title(), last_name=username.split("_")[1].title(),
        must_change_password=False,
    )
    TOTPDevice.objects.create(user=user, name="test", key=TOTP_KEY, confirmed=True)
    return user


@pytest.fixture
def council_analyst(world):
    return _persona(world, "council_analyst", "council", Role.ANALYST)


@pytest.fixture
def police_officer(world):
    return _persona(world, "police_officer", "police", Role.PRACTITIONER)


@pytest.fixture
def police_analyst(world):
    return _persona(world, "police_analyst", "police", Role.ANALYST)


@pytest.fixture
def police_chair(world):
    return _persona(world, "police_chair", "police", Role.CHAIR)


@pytest.fixture
def fire_officer(world):
    return _persona(world, "fire_officer", "fire", Role.PRACTITIONER)


@pytest.fixture
def health_analyst(world):
    return _persona(world, "health_analyst", "health", Role.ANALYST)


@pytest.fixture
def bid_analyst(world):
    return _persona(world, "bid_analyst", "bid", Role.ANALYST)


@pytest.fixture
def council_admin(world):
    return _persona(world, "council_admin", "council", Role.ADMINISTRATOR)


@pytest.fixture
def council_volunteer(world):
    return _persona(world, "council_volunteer", "council", Role.VOLUNTEER)


@pytest.fixture
def council_auditor(world):
    return _persona(world, "council_auditor", "council", Role.AUDITOR)


# data category → a taxonomy category of that kind
TEST_CATEGORIES = {
    "asb": "anti-social-behaviour",
    "crime": "burglary",
    "environmental": "fly-tipping",
    "fire": "deliberate-secondary-fire",
    "safeguarding": "child-concern",
}


def make_location(
    latitude: float | None = None,
    longitude: float | None = None,
    *,
    precision: str = LocationPrecision.EXACT,
    description: str = "",
    h3_cell: str = "",
) -> Location:
    """The shared location row for these values, as an importer would store it (a point's H3
    cell worked out unless given)."""
    precision = str(precision)
    if not h3_cell and latitude is not None and longitude is not None:
        h3_cell = geometry.h3_cell(latitude, longitude)
    location, _ = Location.objects.get_or_create(
        key=location_key(precision, latitude, longitude, description),
        defaults={
            "latitude": latitude, "longitude": longitude, "precision": precision, "description": description,
            "h3_cell": h3_cell,
        },
    )
    return location


def make_incident(world, *, owner: str, category: str, external_id: str, **extra) -> Incident:
    """An incident written straight to the table (not through an importer), its counts kept."""
    incident = Incident.objects.create(
        source="test",
        owning_organisation=world["organisations"][owner],
        data_category=world["categories"][category],
        external_id=external_id,
        occurred_on=extra.pop("occurred_on", date(2026, 6, 1)),
        category_id=extra.pop("incident_category", TEST_CATEGORIES[category]),
        location=extra.pop("location", None) or make_location(52.45, -0.95, precision=LocationPrecision.EXACT),
        **extra,
    )
    counts_refresh([incident.partition_id])
    return incident


@pytest.fixture
def records(world):
    """One record per (owner, category) that matters to the policy."""
    return {
        "police_asb": make_incident(world, owner="police", category="asb", external_id="POL-ASB-1"),
        "police_crime": make_incident(world, owner="police", category="crime", external_id="POL-CRIME-1"),
        "police_safeguarding": make_incident(world, owner="police", category="safeguarding", external_id="POL-SAFE-1"),
        "council_environmental": make_incident(world, owner="council", category="environmental", external_id="CC-ENV-1"),
        "fire_fire": make_incident(world, owner="fire", category="fire", external_id="FRS-FIRE-1"),
        "bid_asb": make_incident(world, owner="bid", category="asb", external_id="BID-ASB-1"),
    }


def sign_in(client, user):
    """Sign `client` in as `user` with two-factor sign-in completed."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Close each connection at the end of its request in tests: the live server's request
    threads would otherwise keep theirs open (CONN_MAX_AGE) and stop the test database being
    dropped at the end of the run on PostgreSQL."""
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session", autouse=True)
def _no_session_left_on_the_test_database(django_db_setup, django_db_blocker):
    """At the end of the run, before the test database is dropped, end every other session on it
    (a worker process a test killed, a thread's connection): PostgreSQL will not drop a database
    someone is connected to, and would leave it behind."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        connection = connections["default"]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        connections.close_all()


@pytest.fixture
def stored_uploads(settings):
    """Uploads kept by Django's InMemoryStorage: a storage with no files on this machine's disk,
    like object storage, so a test shows the upload works through the storage API alone.
    Returns the storage."""
    from django.core.files.storage import default_storage

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    return default_storage
