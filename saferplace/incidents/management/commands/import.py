"""`saferplace import IMPORTER FILE…`: bring partner files into the incident store, with a
progress bar (rows done, rate, time left) and a one-line result per file.

    saferplace import police-uk FILE… [--organisation "Fenshire Police"]
    saferplace import police-uk-outcomes FILE… --organisation "Fenshire Police"
    saferplace import stats19 FILE… --organisation "Riverford City Council"
    saferplace import profile NAME FILE… [--organisation NAME] [--sheet NAME]
    saferplace import place-lookup FILE [--lsoa-code-column LSOA21CD …]
    saferplace import population FILE [--code-column code --population-column population]
    saferplace import postcode-lookup FILE [--postcode-column pcds --latitude-column lat --longitude-column long]
    saferplace import retry RUN_ID
    saferplace import rejections RUN_ID > rejected.csv

Each importer's arguments come from its declaration (`Importer.options`, importers/options.py),
as the web upload form's do. The command line acts as the operator (docs/data-sharing.md): it
names the organisation whose records a file brings in, and every run is audited under the
operator's name. A file is read where it is: no copy is stored, so a failed run from the
command line is retried by importing the file again. Exits non-zero if any file was refused or
failed."""

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
    Importer,
    ImportOptionError,
    import_file,
    import_run_create,
    import_run_get,
    import_run_retry,
    rejections_csv,
)
from saferplace.incidents.importers.base import organisation_from_option
from saferplace.incidents.importers.options import ORGANISATION, PROFILE
from saferplace.incidents.models import ImportRun, ImportStatus
from saferplace.incidents.profiles import mapping_profile_get
from saferplace.partners.viewer import operator_viewer

SHOWN_REJECTIONS = 10


class RateColumn(ProgressColumn):
    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")


class Command(BaseCommand):
    help = "Import partner files: police.uk, STATS19, mapping profiles, place and postcode lookups."
    # Django's system checks load the web and API URL modules (django-ninja, pydantic): a third
    # of a second an import waits for and never uses (`saferplace serve` and the worker check).
    requires_system_checks = []

    def add_arguments(self, parser):
        importers = parser.add_subparsers(dest="importer", required=True, metavar="IMPORTER")
        for importer in IMPORTERS.values():
            add_importer_arguments(importers, importer)
        rejections = importers.add_parser("rejections", help="print a run's rejected rows as CSV")
        rejections.add_argument("run_id", type=int, metavar="RUN_ID")
        retry = importers.add_parser("retry", help="import a failed run's stored upload again (a run that stopped part-way too)")
        retry.add_argument("run_id", type=int, metavar="RUN_ID")

    def handle(self, *args, importer, **options):
        viewer = operator_viewer()
        try:
            if importer == "rejections":
                return self.print_rejections(viewer, options["run_id"])
            if importer == "retry":
                return self.retry(viewer, options["run_id"])
            return self.import_files(viewer, IMPORTERS[importer], options)
        except (ImportOptionError, NotAllowed, NotFound, ValidationError) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(message) from error

    def import_files(self, viewer, importer: Importer, options: dict) -> None:
        """Each file is read where it is (the command line keeps no copy of it)."""
        import_options = {option.name: options[option.name] for option in importer.options
                          if options.get(option.name) not in (None, "")}
        profile = None
        if importer.needs_profile:
            name = import_options.pop(PROFILE)
            named = import_options.get(ORGANISATION)
            organisation = organisation_from_option(named) if named else None
            try:
                profile = mapping_profile_get(viewer=viewer, name=name, organisation=organisation)
            except NotFound:
                raise CommandError(f"No mapping profile called {name!r}.") from None
        problems = 0
        console = Console(file=self.stdout._out, highlight=False)
        for path in options["files"]:
            if not path.is_file():
                self.stderr.write(f"{path}: no such file")
                problems += 1
                continue
            run = import_run_create(viewer=viewer, importer=importer.name, file_name=path.name, profile=profile,
                                    options=import_options)
            run = self.run_with_progress(console, viewer, run, path=path.resolve())
            problems += run.status in (ImportStatus.REFUSED, ImportStatus.FAILED)
            self.report(path, run)
        if problems:
            raise CommandError(f"{problems} of {len(options['files'])} files were refused or failed.")

    def run_with_progress(self, console: Console, viewer, run: ImportRun, *, path: Path | None = None) -> ImportRun:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
            RateColumn(), TimeRemainingColumn(), console=console, transient=True,
            disable=not console.is_terminal,  # no bar, and no blank line in its place, in a log or a pipe
        ) as progress:
            task = progress.add_task(run.file_name, total=None)

            def update(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total or None)

            return import_file(viewer=viewer, run=run, path=path, progress=update,
                               worker=f"saferplace import by {viewer.name}")

    def retry(self, viewer, run_id: int) -> None:
        run = import_run_retry(viewer=viewer, run=import_run_get(viewer=viewer, run_id=run_id))
        run = self.run_with_progress(Console(file=self.stdout._out, highlight=False), viewer, run)
        self.report(Path(run.file_name), run)
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


def add_importer_arguments(importers, importer: Importer) -> None:
    """`saferplace import NAME [POSITIONAL…] FILE… [--option VALUE…]`, from the importer's declaration."""
    sub = importers.add_parser(importer.name, help=importer.hint, description=(
        f"{importer.hint} Files: {importer.accepts}. See docs/importers/{importer.documentation}."
    ))
    for option in importer.options:
        if option.positional:
            sub.add_argument(option.name, metavar=option.placeholder, type=option.type, help=option.help)
    sub.add_argument("files", nargs="+", type=Path, metavar="FILE")
    for option in importer.options:
        if not option.positional:
            sub.add_argument(option.flag, dest=option.name, metavar=option.placeholder, type=option.type,
                             choices=option.choices or None, required=option.required, help=option.help)
