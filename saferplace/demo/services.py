"""Building (and replacing) the demo city of Riverford through the domain services."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, ProtectedError, Q
from django.utils import timezone
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from saferplace.demo.geography import LOCAL_AUTHORITY, CityPlan, city_plan
from saferplace.demo.incident_data import incident_rows, period_bounds
from saferplace.demo.partnership import ORGANISATIONS, POLICE, partnership_create
from saferplace.demo.personas import personas_create
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


def _import(files: list[SourceFile], *, viewer, partnership, progress: bool) -> list[ImportRun]:
    """Bring every file in through its importer; a run that does not succeed stops the build."""
    runs = []
    with Progress(
        TextColumn("Importing {task.fields[file]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        disable=not progress,
        transient=False,
    ) as bar:
        task = bar.add_task("files", total=len(files), file="")
        for source_file in files:
            bar.update(task, file=source_file.path.name)
            profile = _profile(source_file.profile, viewer=viewer, partnership=partnership,
                               header=source_file.profile.header()) \
                if source_file.profile else None
            run = import_run_create(viewer=viewer, importer=source_file.importer, file_name=source_file.path.name,
                                    profile=profile, options=source_file.options)
            run = import_file(viewer=viewer, run=run, path=source_file.path)
            if run.status != ImportStatus.SUCCEEDED or run.rows_rejected:
                raise ValidationError(
                    f"The demo file {source_file.path.name} did not import cleanly ({run.get_status_display()}, "
                    f"{run.rows_rejected} rows rejected): {run.message}"
                )
            runs.append(run)
            bar.advance(task)
    return runs


def demo_city_build(
    *,
    size: float = 1,
    seed: int = 2026,
    end: date | None = None,
    progress: bool = True,
    replace: bool = False,
    directory: Path | None = None,
) -> DemoCitySummary:
    """Build Riverford: places, partnership, personas and 12 months of incidents ending with the
    last complete month before `end` (default: today). `size` scales the incidents only. The
    incidents are written as each partner's files into `directory` (default
    DATA_DIR/demo-sources) and brought in by the importers, as an analyst would. Everything is
    done as the operator, and audited as such."""
    if size <= 0:
        raise ValidationError(f"The size must be more than 0, not {size}.")
    today = timezone.localdate()
    end = end or today
    period_start, period_end = period_bounds(end)
    plan = city_plan()
    viewer = operator_viewer("saferplace demo")
    with transaction.atomic():
        if replace:
            demo_city_delete()
        else:
            _refuse_if_not_empty()
        places = geography_create(viewer=viewer, plan=plan)
        streets = streets_create(viewer=viewer)
        partnership = partnership_create(viewer=viewer, today=today, period_start=period_start)
        personas = personas_create(viewer=viewer, partnership=partnership)
        rows = incident_rows(plan=plan, size=size, seed=seed, end=end)
        files = source_files_write(
            rows=rows, directory=directory or settings.DATA_DIR / "demo-sources", force=POLICE,
            district=LOCAL_AUTHORITY[0],
        )
        runs = _import(files, viewer=viewer, partnership=partnership, progress=progress)
        imported = Incident.objects.filter(import_run__in=runs)
        by_source = dict(imported.order_by().values_list("source").annotate(total=Count("id")))
    return DemoCitySummary(
        places=dict(Counter(PlaceKind(place.kind).value for place in places.values())),
        streets=streets,
        population=plan.local_authority.population,
        organisations=len(partnership.organisations),
        agreements=partnership.agreement_count,
        personas=[user.username for user in personas],
        incidents=sum(by_source.values()),
        incidents_by_source=by_source,
        period_start=period_start,
        period_end=period_end,
        hotspot_lsoas=dict(plan.hotspot_lsoas),
    )
