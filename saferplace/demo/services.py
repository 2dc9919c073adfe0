"""Building (and replacing) the demo city of Riverford through the domain services."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from saferplace.demo.geography import LOCAL_AUTHORITY, CityPlan, city_plan
from saferplace.demo.harm import demo_harm_install
from saferplace.demo.incident_data import IncidentGenerator, period_bounds
from saferplace.demo.meetings import demo_meetings_create, demo_meetings_delete
from saferplace.demo.partnership import ORGANISATIONS, POLICE, partnership_create
from saferplace.demo.personas import personas_create
from saferplace.demo.postcodes import demo_postcodes_create, demo_postcodes_delete
from saferplace.demo.reports import demo_reports_create, demo_reports_delete
from saferplace.demo.source_files import ProfileSpec, SourceFile, source_files_write
from saferplace.demo.streets import STREET_SOURCE, street_plan
from saferplace.incidents.importers import import_file, import_run_create
from saferplace.incidents.importers.store import incidents_delete
from saferplace.incidents.models import ImportRun, ImportStatus, Incident, MappingProfile
from saferplace.incidents.profiles import mapping_profile_save
from saferplace.partners.models import Organisation, SharingAgreement, Team, User
from saferplace.partners.viewer import operator_viewer
from saferplace.places.models import PLACE_HIERARCHY, Place, PlaceKind, Street
from saferplace.places.services import place_create_or_update, streets_load


@dataclass(frozen=True)
class DemoCitySummary:
    places: dict[str, int]  # kind → number of places
    streets: int
    population: int
    organisations: int
    agreements: int
    personas: list[str]
    incidents: int
    incidents_by_source: dict[str, int]
    period_start: date
    period_end: date
    hotspot_lsoas: dict[str, str] = field(default_factory=dict)  # hotspot → LSOA code


def demo_city_exists() -> bool:
    return Place.objects.filter(code=LOCAL_AUTHORITY[0]).exists() or User.objects.filter(is_demo_persona=True).exists()


def demo_city_unfinished() -> bool:
    """Whether a build of the demo city stopped part-way: its places are here but not its
    personas, which a build makes last."""
    return Place.objects.filter(code=LOCAL_AUTHORITY[0]).exists() and not User.objects.filter(is_demo_persona=True).exists()


def geography_create(*, viewer, plan: CityPlan | None = None) -> dict[str, Place]:
    """Store the city's places, largest first, through the places service."""
    plan = plan or city_plan()
    created: dict[str, Place] = {}
    for area in plan.areas():
        created[area.code] = place_create_or_update(
            viewer=viewer,
            kind=PlaceKind(area.kind),
            code=area.code,
            name=area.name,
            parent=created.get(area.parent_code) if area.parent_code else None,
            population=area.population,
            boundary=area.geometry.__geo_interface__,
        )
    return created


def streets_create(*, viewer) -> int:
    """Load the city's generated streets (`demo.streets`) through the places service."""
    return streets_load(viewer=viewer, source=STREET_SOURCE, streets=[street.as_load() for street in street_plan()]).loaded


DEMO_FILE_NAMES = r"^([0-9]{4}-[0-9]{2}-fenshire-(street|outcomes)\.csv|dft-road-casualty-statistics-collision-[0-9]{4}\.csv)$"


@transaction.atomic
def demo_city_delete() -> None:
    """Remove a previous demo city: the incidents of its organisations, their agreements, the
    demo personas, the organisations and the demo places (by their codes). Anything else in
    the database is left alone, and audit entries stay (the trail is append-only)."""
    names = [name for name, *_ in ORGANISATIONS]
    remaining = User.objects.filter(organisation__name__in=names, is_demo_persona=False)
    if remaining.exists():
        usernames = ", ".join(sorted(remaining.values_list("username", flat=True))[:5])
        raise ValidationError(
            f"Cannot replace the demo city: users who are not demo personas belong to its "
            f"organisations ({usernames}). Move or remove them first."
        )
    plan = city_plan()
    try:
        demo_reports_delete(names)
        demo_meetings_delete(names)
        incidents_delete(Incident.objects.filter(owning_organisation__name__in=names))
        demo_profiles = MappingProfile.objects.filter(owning_organisation__name__in=names)
        # The runs `saferplace demo` made (by nobody, of the files it writes); their rejections go with them.
        ImportRun.objects.filter(
            Q(profile__in=demo_profiles) | Q(file_name__regex=DEMO_FILE_NAMES), started_by__isnull=True
        ).delete()
        demo_profiles.delete()
        agreements = SharingAgreement.objects.filter(parties__name__in=names).values("pk")
        SharingAgreement.objects.filter(pk__in=agreements).delete()
        User.objects.filter(is_demo_persona=True).delete()
        Team.objects.filter(organisation__name__in=names).delete()
        Organisation.objects.filter(name__in=names).delete()
        Street.objects.filter(source=STREET_SOURCE).delete()
        demo_postcodes_delete()
        for kind in reversed(PLACE_HIERARCHY):  # children before their parents
            Place.objects.filter(kind=kind, code__in=[area.code for area in plan.areas()]).delete()
    except ProtectedError as error:
        blocking = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
        raise ValidationError(
            f"Cannot replace the demo city: other records still refer to it ({', '.join(blocking)})."
        ) from error


def _refuse_if_not_empty() -> None:
    counts = {"place": Place.objects.count(), "organisation": Organisation.objects.count()}
    found = [f"{count} {noun}{'' if count == 1 else 's'}" for noun, count in counts.items() if count]
    if found:
        raise ValidationError(
            f"The database already has {' and '.join(found)}; the demo city is only built into an empty "
            "database. Use replace=True (saferplace demo --replace) to delete the previous demo city "
            "and build it again."
        )


def _profile(spec: ProfileSpec, *, viewer, partnership, header: list[str]) -> MappingProfile:
    return mapping_profile_save(
        viewer=viewer, header=header, owning_organisation=partnership.organisations[spec.organisation],
        data_category=partnership.categories[spec.data_category], **spec.profile_fields(),
    )


class _BuildProgress:
    """One view of the whole build: the records written to the partners' files and the records
    imported from them, each out of all the city's records, with the file being imported."""

    def __init__(self, *, total: int, enabled: bool):
        console = Console()
        if not console.is_terminal:  # a log: wide enough for ten million and a file's name
            console.width = 140
        self.bar = Progress(
            TextColumn("{task.description:<16}"), BarColumn(bar_width=30), MofNCompleteColumn(), TimeElapsedColumn(),
            TimeRemainingColumn(), TextColumn("{task.fields[file]}"), console=console, disable=not enabled,
            transient=False,
        )
        self.writing = self.bar.add_task("Records written", total=total, file="")
        self.importing = self.bar.add_task("Records imported", total=total, file="")
        self.imported = 0

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __exit__(self, *exception):
        return self.bar.__exit__(*exception)

    def written(self, records: int) -> None:
        self.bar.advance(self.writing, records)

    def importer_progress(self, source_file: SourceFile):
        """A callback for `import_file`: how far it is through the file, as records imported."""
        self.bar.update(self.importing, file=source_file.path.name)

        def report(done: int, total: int) -> None:
            share = done / total if total else 0
            self.bar.update(self.importing, completed=self.imported + int(source_file.records * share))

        return report

    def file_done(self, source_file: SourceFile) -> None:
        self.imported += source_file.records
        self.bar.update(self.importing, completed=self.imported, file="")


def _import(source_file: SourceFile, *, viewer, partnership, profiles: dict[str, MappingProfile],
            progress: _BuildProgress) -> ImportRun:
    """Bring one file in through its importer (in its own transaction), with its mapping profile
    (saved with the first file that needs it); a run that does not succeed stops the build."""
    profile = None
    if source_file.profile:
        spec = source_file.profile
        if spec.name not in profiles:
            profiles[spec.name] = _profile(spec, viewer=viewer, partnership=partnership, header=spec.header())
        profile = profiles[spec.name]
    run = import_run_create(viewer=viewer, importer=source_file.importer, file_name=source_file.path.name,
                            profile=profile, options=source_file.options)
    run = import_file(viewer=viewer, run=run, path=source_file.path, progress=progress.importer_progress(source_file))
    if run.status != ImportStatus.SUCCEEDED or run.rows_rejected:
        raise ValidationError(
            f"The demo file {source_file.path.name} did not import cleanly ({run.get_status_display()}, "
            f"{run.rows_rejected} rows rejected): {run.message} The demo city is incomplete: "
            "build it again with saferplace demo --replace."
        )
    progress.file_done(source_file)
    return run


def demo_city_build(
    *,
    size: float = 1,
    seed: int = 2026,
    end: date | None = None,
    progress: bool = True,
    replace: bool = False,
    directory: Path | None = None,
    months: int = 12,
) -> DemoCitySummary:
    """Build Riverford: places, partnership, `months` months of incidents (default 12) ending
    with the last complete month before `end` (default: today), and the personas. `size` scales
    the incidents only (1: about 36,800 a year; 272: about ten million a year). The incidents are written as each partner's
    files into `directory` (default DATA_DIR/demo-sources) and brought in by the importers, as
    an analyst would, a file at a time: each file is imported (and committed, in its import's
    own transaction) before the next is written, so time and memory do not grow with the
    whole city but with one file. The places and the partnership are made in one transaction
    first and the personas in one last, so a build that stops part-way leaves a city without
    personas, which `demo_city_unfinished` finds and `replace=True` removes (see
    docs/decisions.md). Everything is done as the operator, and audited as such."""
    if size <= 0:
        raise ValidationError(f"The size must be more than 0, not {size}.")
    today = timezone.localdate()
    end = end or today
    if not 1 <= months <= 60:
        raise ValidationError(f"Choose from 1 to 60 months, not {months}.")
    period_start, period_end = period_bounds(end, months)
    plan = city_plan()
    viewer = operator_viewer("saferplace demo")
    with transaction.atomic():
        if replace:
            demo_city_delete()
        else:
            _refuse_if_not_empty()
        places = geography_create(viewer=viewer, plan=plan)
        streets = streets_create(viewer=viewer)
        demo_postcodes_create(viewer=viewer, plan=plan)
        partnership = partnership_create(viewer=viewer, today=today, period_start=period_start)
        demo_harm_install(viewer=viewer)  # before the incidents, whose counts keep their harm
    generator = IncidentGenerator(plan=plan, size=size, seed=seed, end=end, months=months)
    by_source: Counter[str] = Counter()
    with _BuildProgress(total=generator.count(), enabled=progress) as bar:
        files = source_files_write(
            generator=generator, directory=directory or settings.DATA_DIR / "demo-sources", force=POLICE,
            district=LOCAL_AUTHORITY[0], written=bar.written,
        )
        profiles: dict[str, MappingProfile] = {}
        for source_file in files:
            run = _import(source_file, viewer=viewer, partnership=partnership, profiles=profiles, progress=bar)
            by_source[source_file.source] += run.rows_imported
    with transaction.atomic():
        personas = personas_create(viewer=viewer, partnership=partnership)
        demo_meetings_create(viewer=viewer, personas=personas, plan=plan, today=today)
        demo_reports_create(viewer=viewer, personas=personas, plan=plan)
    return DemoCitySummary(
        places=dict(Counter(PlaceKind(place.kind).value for place in places.values())),
        streets=streets,
        population=plan.local_authority.population,
        organisations=len(partnership.organisations),
        agreements=partnership.agreement_count,
        personas=[user.username for user in personas],
        incidents=sum(by_source.values()),
        incidents_by_source={source: count for source, count in by_source.items() if count},
        period_start=period_start,
        period_end=period_end,
        hotspot_lsoas=dict(plan.hotspot_lsoas),
    )
