"""`saferplace import IMPORTER FILE…`: bring partner files into the incident store, with a
progress bar (rows done, rate, time left) and a one-line result per file.

    saferplace import police-uk FILE… --organisation "Fenshire Police"
    saferplace import police-uk-outcomes FILE…
    saferplace import stats19 FILE… --organisation "Riverford City Council"
    saferplace import profile NAME FILE… [--sheet NAME]
    saferplace import place-lookup FILE [--lsoa-code-column LSOA21CD …]
    saferplace import population FILE [--code-column code --population-column population]
    saferplace import postcode-lookup FILE [--postcode-column pcds --latitude-column lat --longitude-column long]
    saferplace import rejections RUN_ID > rejected.csv

Exits non-zero if any file was refused or failed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.incidents.importers import (
    IMPORTERS,
    ImportOptionError,
    import_file,
    import_run_create,
    rejections_csv,
)
from saferplace.incidents.models import ImportRun, ImportStatus, MappingProfile

SHOWN_REJECTIONS = 10
COLUMN_OPTIONS = {
    "place-lookup": [
        f"{level}_{part}_column"
        for level in ("lsoa", "ward", "community", "local_authority")
        for part in ("code", "name")
    ],
    "population": ["code_column", "population_column"],
    "postcode-lookup": ["postcode_column", "latitude_column", "longitude_column"],
}


class RateColumn(ProgressColumn):
    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")


class Command(BaseCommand):
    help = "Import partner files: police.uk, STATS19, mapping profiles, place and postcode lookups."

    def add_arguments(self, parser):
        importers = parser.add_subparsers(dest="importer", required=True, metavar="IMPORTER")
        for name in ("police-uk", "stats19"):
            sub = importers.add_parser(name, help=IMPORTERS[name].description)
            sub.add_argument("files", nargs="+", type=Path, metavar="FILE")
            sub.add_argument("--organisation", required=True, help="the organisation that owns these records (name or id)")
        outcomes = importers.add_parser("police-uk-outcomes", help=IMPORTERS["police-uk-outcomes"].description)
        outcomes.add_argument("files", nargs="+", type=Path, metavar="FILE")
        profile = importers.add_parser("profile", help=IMPORTERS["profile"].description)
        profile.add_argument("profile", metavar="NAME", help="the mapping profile's name")
        profile.add_argument("files", nargs="+", type=Path, metavar="FILE")
        profile.add_argument("--sheet", help="for a workbook: the sheet to read (default the first)")
        for name, options in COLUMN_OPTIONS.items():
            sub = importers.add_parser(name, help=IMPORTERS[name].description)
            sub.add_argument("files", nargs="+", type=Path, metavar="FILE")
            for option in options:
                sub.add_argument(f"--{option.replace('_', '-')}", dest=option, metavar="COLUMN")
        rejections = importers.add_parser("rejections", help="print a run's rejected rows as CSV")
        rejections.add_argument("run_id", type=int, metavar="RUN_ID")

    def handle(self, *args, importer, **options):
        if importer == "rejections":
            return self.print_rejections(options["run_id"])
        profile = None
        if importer == "profile":
            profile = MappingProfile.objects.filter(name=options["profile"]).first()
            if profile is None:
                known = ", ".join(MappingProfile.objects.values_list("name", flat=True)) or "none yet"
                raise CommandError(f"No mapping profile called {options['profile']!r} (profiles: {known}).")
        import_options = {key: options[key] for key in ("organisation", "sheet", *COLUMN_OPTIONS.get(importer, [])) if options.get(key)}
        problems = 0
        console = Console(file=self.stdout, highlight=False)
        for path in options["files"]:
            if not path.is_file():
                self.stderr.write(f"{path}: no such file")
                problems += 1
                continue
            try:
                run = import_run_create(importer=importer, file_name=path.name, actor=None, profile=profile, options=import_options)
            except ImportOptionError as error:
                raise CommandError(str(error)) from error
            run = self.run_with_progress(console, run, path, import_options)
            problems += run.status in (ImportStatus.REFUSED, ImportStatus.FAILED)
            self.report(path, run)
        if problems:
            raise CommandError(f"{problems} of {len(options['files'])} files were refused or failed.")

    def run_with_progress(self, console: Console, run: ImportRun, path: Path, options: dict) -> ImportRun:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
            RateColumn(), TimeRemainingColumn(), console=console, transient=True,
        ) as progress:
            task = progress.add_task(path.name, total=None)

            def update(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total or None)

            return import_file(run=run, path=path, options=options, progress=update)

    def report(self, path: Path, run: ImportRun) -> None:
        if run.status == ImportStatus.SUCCEEDED:
            self.stdout.write(self.style.SUCCESS(
                f"{path}: {run.rows_read:,} read, {run.rows_imported:,} imported, {run.rows_replaced:,} replaced, "
                f"{run.rows_updated:,} updated, {run.rows_rejected:,} rejected (run {run.pk})."
            ))
        elif run.status == ImportStatus.UNCHANGED:
            self.stdout.write(f"{path}: unchanged. {run.message} (run {run.pk})")
        else:
            self.stderr.write(self.style.ERROR(f"{path}: {run.get_status_display().lower()}. {run.message} (run {run.pk})"))
            return
        rejections = list(run.rejections.order_by("row_number", "id")[:SHOWN_REJECTIONS])
        for rejection in rejections:
            self.stdout.write(f"  row {rejection.row_number}, {rejection.field}: {rejection.reason}")
        if run.rows_rejected:
            more = run.rejections.count() - len(rejections)
            self.stdout.write(
                (f"  … and {more:,} more. " if more > 0 else "  ")
                + f"All rejected rows: saferplace import rejections {run.pk} > rejected-{run.pk}.csv"
            )

    def print_rejections(self, run_id: int) -> None:
        run = ImportRun.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"No import run {run_id}.")
        # The rows leave SaferPlace here as they do from the web: recorded first.
        audit_record(action=AuditAction.EXPORT, obj=run, object_repr=f"rejected rows of {run.file_name}"[:300],
                     details={"rows": run.rows_rejected, "format": "csv", "via": "command line"})
        for line in rejections_csv(run=run):
            self.stdout.write(line, ending="")
