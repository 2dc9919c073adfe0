"""`saferplace import IMPORTER FILE…`: bring partner files into the incident store, with a
progress bar (rows done, rate, time left) and a one-line result per file.

    saferplace import police-uk FILE… --organisation "Fenshire Police"
    saferplace import police-uk-outcomes FILE… --organisation "Fenshire Police"
    saferplace import stats19 FILE… --organisation "Riverford City Council"
    saferplace import profile NAME FILE… [--organisation NAME] [--sheet NAME]
    saferplace import place-lookup FILE [--lsoa-code-column LSOA21CD …]
    saferplace import population FILE [--code-column code --population-column population]
    saferplace import postcode-lookup FILE [--postcode-column pcds --latitude-column lat --longitude-column long]
    saferplace import retry RUN_ID
    saferplace import rejections RUN_ID > rejected.csv

The command line acts as the operator (docs/data-sharing.md): it names the organisation whose
records a file brings in, and every run is audited under the operator's name. Exits non-zero if
any file was refused or failed."""

from pathlib import Path

from django.core.exceptions import ValidationError
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

from saferplace.errors import NotAllowed, NotFound
from saferplace.incidents.importers import (
    IMPORTERS,
    ImportOptionError,
    import_file,
    import_run_create,
    import_run_get,
    import_run_retry,
    rejections_csv,
)
from saferplace.incidents.importers.base import organisation_from_option
from saferplace.incidents.models import ImportRun, ImportStatus
from saferplace.incidents.profiles import mapping_profile_get
from saferplace.partners.viewer import operator_viewer

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
        for name in ("police-uk", "stats19", "police-uk-outcomes"):
            sub = importers.add_parser(name, help=IMPORTERS[name].description)
            sub.add_argument("files", nargs="+", type=Path, metavar="FILE")
            sub.add_argument("--organisation", required=True,
                             help="the organisation whose records these are (name or id); only its records change")
        profile = importers.add_parser("profile", help=IMPORTERS["profile"].description)
        profile.add_argument("profile", metavar="NAME", help="the mapping profile's name")
        profile.add_argument("files", nargs="+", type=Path, metavar="FILE")
        profile.add_argument("--organisation", help="the profile's organisation, when several have a profile of that name")
        profile.add_argument("--sheet", help="for a workbook: the sheet to read (default the first)")
        for name, options in COLUMN_OPTIONS.items():
            sub = importers.add_parser(name, help=IMPORTERS[name].description)
            sub.add_argument("files", nargs="+", type=Path, metavar="FILE")
            for option in options:
                sub.add_argument(f"--{option.replace('_', '-')}", dest=option, metavar="COLUMN")
        rejections = importers.add_parser("rejections", help="print a run's rejected rows as CSV")
        rejections.add_argument("run_id", type=int, metavar="RUN_ID")
        retry = importers.add_parser("retry", help="import a failed run's file again (a run that stopped part-way too)")
        retry.add_argument("run_id", type=int, metavar="RUN_ID")

    def handle(self, *args, importer, **options):
        viewer = operator_viewer()
        try:
            if importer == "rejections":
                return self.print_rejections(viewer, options["run_id"])
            if importer == "retry":
                return self.retry(viewer, options["run_id"])
            return self.import_files(viewer, importer, options)
        except (ImportOptionError, NotAllowed, NotFound, ValidationError) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(message) from error

    def import_files(self, viewer, importer: str, options: dict) -> None:
        profile = None
        if importer == "profile":
            organisation = organisation_from_option(options["organisation"]) if options.get("organisation") else None
            try:
                profile = mapping_profile_get(viewer=viewer, name=options["profile"], organisation=organisation)
            except NotFound:
                raise CommandError(f"No mapping profile called {options['profile']!r}.") from None
        import_options = {key: options[key] for key in ("sheet", *COLUMN_OPTIONS.get(importer, [])) if options.get(key)}
        if importer != "profile" and options.get("organisation"):
            import_options["organisation"] = options["organisation"]
        problems = 0
        console = Console(file=self.stdout, highlight=False)
        for path in options["files"]:
            if not path.is_file():
                self.stderr.write(f"{path}: no such file")
                problems += 1
                continue
            run = import_run_create(viewer=viewer, importer=importer, file_name=path.name, profile=profile,
                                    options=import_options, upload_path=path.resolve())
            run = self.run_with_progress(console, viewer, run)
            problems += run.status in (ImportStatus.REFUSED, ImportStatus.FAILED)
            self.report(path, run)
        if problems:
            raise CommandError(f"{problems} of {len(options['files'])} files were refused or failed.")

    def run_with_progress(self, console: Console, viewer, run: ImportRun) -> ImportRun:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
            RateColumn(), TimeRemainingColumn(), console=console, transient=True,
        ) as progress:
            task = progress.add_task(run.file_name, total=None)

            def update(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total or None)

            return import_file(viewer=viewer, run=run, progress=update, worker=f"saferplace import by {viewer.name}")

    def retry(self, viewer, run_id: int) -> None:
        run = import_run_retry(viewer=viewer, run=import_run_get(viewer=viewer, run_id=run_id))
        run = self.run_with_progress(Console(file=self.stdout, highlight=False), viewer, run)
        self.report(Path(run.upload_path), run)
        if run.status in (ImportStatus.REFUSED, ImportStatus.FAILED):
            raise CommandError(f"Run {run.pk} {run.get_status_display().lower()} again.")

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

    def print_rejections(self, viewer, run_id: int) -> None:
        try:
            run = import_run_get(viewer=viewer, run_id=run_id)
        except NotFound:
            raise CommandError(f"No import run {run_id}.") from None
        # The rows leave SaferPlace here as they do from the web: recorded first.
        for line in rejections_csv(viewer=viewer, run=run):
            self.stdout.write(line, ending="")
