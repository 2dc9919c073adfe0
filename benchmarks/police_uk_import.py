"""police.uk import: SaferPlace's whole `saferplace import police-uk` command against a baseline
that loads the same synthetic file, side by side in one run, on SQLite or PostgreSQL.

    .venv/bin/python benchmarks/police_uk_import.py [--rows 1000000] [--repeat 5]
    .venv/bin/python benchmarks/police_uk_import.py --database-url postgres://USER:PASSWORD@HOST:5432/NAME

The file is a realistic police.uk street-level crime CSV for one force and twelve months:
points snapped to a ~100 m grid over the demo city of Riverford (so a few thousand distinct
map points), ~30% anti-social behaviour with blank Crime IDs, 1% of rows with no location,
2% exact duplicate rows. Each side is a process of its own, timed from its start to its end
(what someone running it waits for), with its peak memory (`ru_maxrss`):

  baseline, SQLite: a Python process running `pandas.read_csv(file)` then `DataFrame.to_sql`
      into a fresh SQLite file (its own timing of those two calls is reported too);
  baseline, PostgreSQL: `psql -c "\\copy crimes FROM file (FORMAT csv, HEADER)"` into an
      unindexed table of the file's twelve columns as text, in a fresh database;
  SaferPlace: `saferplace import police-uk FILE --organisation "Fenshire Police"` into a fresh
      database (a new SQLite file, or NAME dropped and created again) with migrations applied,
      the demo geography loaded and the force created beforehand (not timed): Django's start-up,
      hashing, header and row validation, taxonomy, LSOA/ward/community and H3 assignment,
      partition replacement, one transaction; the run's own start-to-finish time is reported
      too. Then the same command again (recorded as unchanged).

The sides alternate, `--repeat` times, with the disk flushed (`sync`) before each, and the
medians are compared. Results are printed and written to benchmarks/results/police_uk_import.md
(SQLite) or police_uk_import-postgresql.md."""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORCE = "Fenshire Police"
CRIME_TYPES = {  # police.uk crime type → share of rows (roughly a real force's mix)
    "Anti-social behaviour": 0.30, "Violence and sexual offences": 0.25, "Shoplifting": 0.07,
    "Criminal damage and arson": 0.07, "Other theft": 0.06, "Public order": 0.06,
    "Vehicle crime": 0.05, "Burglary": 0.04, "Drugs": 0.03, "Other crime": 0.02,
    "Theft from the person": 0.015, "Bicycle theft": 0.015, "Robbery": 0.01, "Possession of weapons": 0.01,
}
OUTCOMES = [
    "Investigation complete; no suspect identified", "Unable to prosecute suspect", "Under investigation",
    "Status update unavailable", "Awaiting court outcome", "Local resolution",
    "Offender given a caution", "Court result unavailable", "Further investigation is not in the public interest",
]
MONTHS = [f"2025-{month:02d}" for month in range(6, 13)] + [f"2026-{month:02d}" for month in range(1, 6)]
COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]


def django_setup(database_url: str, directory: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["SAFERPLACE_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplace.settings")
    import django

    django.setup()


def generate(path: Path, rows: int, seed: int) -> None:
    import numpy as np
    import pandas as pd
    import shapely

    from saferplace.demo.geography import city_plan
    from saferplace.demo.incident_data import SNAP_LATITUDE, SNAP_LONGITUDE, street_names

    generator = np.random.default_rng(seed)
    plan = city_plan()
    min_lon, min_lat, max_lon, max_lat = plan.bounds
    # The snapped map points: grid-square centres that fall inside an LSOA.
    latitudes = np.arange(min_lat, max_lat, SNAP_LATITUDE) + SNAP_LATITUDE / 2
    longitudes = np.arange(min_lon, max_lon, SNAP_LONGITUDE) + SNAP_LONGITUDE / 2
    grid_lat, grid_lon = (each.ravel() for each in np.meshgrid(latitudes, longitudes))
    geometries = [lsoa.geometry for lsoa in plan.lsoas]
    tree = shapely.STRtree(geometries)
    point_index, lsoa_index = tree.query(shapely.points(grid_lon, grid_lat), predicate="intersects")
    first = np.unique(point_index, return_index=True)[1]
    point_index, lsoa_index = point_index[first], lsoa_index[first]
    point_lat, point_lon = grid_lat[point_index], grid_lon[point_index]
    names = np.array(["On or near " + name for name in street_names(point_lat, point_lon)], dtype=object)
    codes = np.array([plan.lsoas[i].code for i in lsoa_index], dtype=object)
    lsoa_names = np.array([plan.lsoas[i].name for i in lsoa_index], dtype=object)

    unique_rows = rows - rows // 50
    chosen = generator.integers(0, len(point_lat), unique_rows)
    kinds = list(CRIME_TYPES)
    weights = np.array(list(CRIME_TYPES.values()))
    crime_types = np.array(kinds, dtype=object)[generator.choice(len(kinds), unique_rows, p=weights / weights.sum())]
    asb = crime_types == "Anti-social behaviour"
    identifiers = generator.bytes(32 * unique_rows).hex()
    crime_ids = np.array([identifiers[i * 64 : (i + 1) * 64] for i in range(unique_rows)], dtype=object)
    crime_ids[asb] = ""
    outcomes = np.array(OUTCOMES, dtype=object)[generator.integers(0, len(OUTCOMES), unique_rows)]
    outcomes[asb] = ""
    frame = pd.DataFrame({
        "Crime ID": crime_ids,
        "Month": np.array(MONTHS, dtype=object)[np.sort(generator.integers(0, len(MONTHS), unique_rows))],
        "Reported by": FORCE,
        "Falls within": FORCE,
        "Longitude": np.char.mod("%.6f", point_lon[chosen]).astype(object),
        "Latitude": np.char.mod("%.6f", point_lat[chosen]).astype(object),
        "Location": names[chosen],
        "LSOA code": codes[chosen],
        "LSOA name": lsoa_names[chosen],
        "Crime type": crime_types,
        "Last outcome category": outcomes,
        "Context": "",
    })
    no_location = generator.random(unique_rows) < 0.01
    frame.loc[no_location, ["Longitude", "Latitude", "LSOA code", "LSOA name"]] = ""
    frame.loc[no_location, "Location"] = "No location"
    duplicates = frame.iloc[generator.integers(0, unique_rows, rows - unique_rows)]
    frame = pd.concat([frame, duplicates]).sort_values("Month", kind="stable")
    frame.to_csv(path, index=False)


# The child steps: each in its own process, printing one line of JSON ------------------------------


def child_generate(file: Path, directory: Path, rows: int, seed: int) -> dict:
    import pandas as pd

    django_setup(f"sqlite:///{directory}/generator.sqlite3", directory)
    start = time.perf_counter()
    generate(file, rows, seed)
    seconds = time.perf_counter() - start
    expected = pd.read_csv(file, dtype=str, keep_default_na=False)["Crime type"].value_counts().to_dict()
    return {"seconds": seconds, "by_type": expected}


def child_baseline(file: Path, directory: Path) -> dict:
    """The SQLite baseline: read the file with pandas, write it with `to_sql`."""
    import sqlite3

    import pandas as pd

    start = time.perf_counter()
    frame = pd.read_csv(file)
    connection = sqlite3.connect(directory / "baseline.sqlite3")
    frame.to_sql("crimes", connection, index=False)
    connection.commit()
    connection.close()
    return {"seconds": time.perf_counter() - start, "rows": len(frame)}


def child_setup(database_url: str, directory: Path) -> dict:
    """What the database holds before the command runs: migrations, the demo geography, the force."""
    django_setup(database_url, directory)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from saferplace.demo.services import geography_create
    from saferplace.partners.models import OrganisationKind
    from saferplace.partners.services import organisation_save
    from saferplace.partners.viewer import operator_viewer

    viewer = operator_viewer("benchmark")
    geography_create(viewer=viewer)
    organisation_save(viewer=viewer, name=FORCE, kind=OrganisationKind.POLICE)
    return {}


def child_verify(database_url: str, directory: Path) -> dict:
    """What the command stored, and how long its runs took from start to finish."""
    django_setup(database_url, directory)
    from django.db.models import Count

    from saferplace.incidents.models import ImportRun, Incident

    runs = list(ImportRun.objects.order_by("id"))
    first = runs[0]
    return {
        "import_seconds": (first.finished_at - first.started_at).total_seconds(),
        "statuses": [run.status for run in runs],
        "rows_read": first.rows_read,
        "rows_imported": first.rows_imported,
        "rows_rejected": first.rows_rejected,
        "stored": Incident.objects.count(),
        "by_type": dict(Incident.objects.values_list("source_category__text").annotate(count=Count("id")).order_by()),
        "with_lsoa": Incident.objects.filter(lsoa__isnull=False).count(),
        "with_h3": Incident.objects.exclude(location__h3_cell="").exclude(location=None).count(),
    }


CHILDREN = {"generate": child_generate, "baseline": child_baseline, "setup": child_setup, "verify": child_verify}


# The parent: stays small (no pandas, no Django), runs and times the processes ---------------------


def timed(command: list[str], *, env: dict | None = None) -> tuple[dict, str]:
    """Run a process to its end: seconds from start to end, its CPU seconds (user and system)
    and peak memory in MiB (from the wait that reaps it); and its output."""
    os.sync()  # each side starts with the disk idle: the previous side's writes are flushed first
    with tempfile.TemporaryFile("w+") as output, tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=errors, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        errors.seek(0)
        if process.returncode:
            raise SystemExit(f"{' '.join(command[:4])}… failed:\n{errors.read()[-3000:]}")
        figures = {"whole_seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                   "peak_mib": usage.ru_maxrss / 1024}  # kilobytes on Linux
        return figures, output.read()


def run_child(kind: str, file: Path, directory: Path, *extra: str, env: dict | None = None) -> dict:
    _, output = timed([sys.executable, __file__, "--child", kind, "--file", str(file), "--directory", str(directory),
                          *extra], env=env)
    return json.loads(output.strip().splitlines()[-1])


class Postgres:
    """The PostgreSQL server of `--database-url`, reached with psql; fresh databases named after
    the URL's (NAME for SaferPlace, NAME_baseline for the baseline)."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.url, self.name = url, parts.path.lstrip("/")
        self.env = {**os.environ, "PGPASSWORD": unquote(parts.password or ""), "PGHOST": parts.hostname or "localhost",
                    "PGPORT": str(parts.port or 5432), "PGUSER": unquote(parts.username or "")}

    def psql(self, database: str, *commands: str) -> list[str]:
        command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database]
        for each in commands:
            command += ["-c", each]
        return command

    def fresh(self, database: str) -> None:
        subprocess.run(self.psql("postgres", f'DROP DATABASE IF EXISTS "{database}"', f'CREATE DATABASE "{database}"'),
                       env=self.env, check=True, capture_output=True)

    def drop(self, database: str) -> None:
        subprocess.run(self.psql("postgres", f'DROP DATABASE IF EXISTS "{database}"'), env=self.env, check=True,
                       capture_output=True)

    def baseline(self, file: Path) -> dict:
        database = f"{self.name}_baseline"
        self.fresh(database)
        columns = ", ".join(f'"{name}" text' for name in COLUMNS)
        subprocess.run(self.psql(database, f"CREATE TABLE crimes ({columns})"), env=self.env, check=True, capture_output=True)
        figures, _ = timed(self.psql(database, f"\\copy crimes FROM '{file}' WITH (FORMAT csv, HEADER true)"),
                           env=self.env)
        return figures


def saferplace_side(file: Path, here: Path, database_url: str) -> dict:
    """Prepare a fresh database, then time the whole command, twice (the second: unchanged)."""
    run_child("setup", file, here, "--database-url", database_url)
    command = [str(Path(sys.executable).with_name("saferplace")), "import", "police-uk", str(file), "--organisation", FORCE]
    env = {**os.environ, "DATABASE_URL": database_url, "SAFERPLACE_DATA_DIR": str(here)}
    figures, _ = timed(command, env=env)
    again, _ = timed(command, env=env)
    result = run_child("verify", file, here, "--database-url", database_url)
    return {**result, **figures, "again_seconds": again["whole_seconds"]}


def median_run(runs: list[dict]) -> dict:
    """The run with the median time (the middle one of an odd number)."""
    return sorted(runs, key=lambda run: run["whole_seconds"])[(len(runs) - 1) // 2]


def report(arguments, postgres: Postgres | None, baselines: list[dict], saferplaces: list[dict], size_mib: float) -> list[str]:
    baseline, saferplace = median_run(baselines), median_run(saferplaces)
    rows = arguments.rows
    ratio = saferplace["whole_seconds"] / baseline["whole_seconds"]
    database = "PostgreSQL" if postgres else "SQLite"
    if postgres:
        name = "Baseline: `psql \\copy` into an unindexed table of 12 text columns (PostgreSQL)"
        inner, cpu_ratio = "n/a", "n/a"
    else:
        name = "Baseline: a Python process, `pandas.read_csv` + `DataFrame.to_sql` (SQLite)"
        inner, cpu_ratio = f"{baseline['seconds']:.2f}", f"{saferplace['cpu_seconds'] / baseline['cpu_seconds']:.2f}"
    runs = "; ".join(f"{b['whole_seconds']:.2f} / {s['whole_seconds']:.2f}" for b, s in zip(baselines, saferplaces, strict=True))
    return [
        f"# police.uk import benchmark, {database} ({datetime.now(UTC):%d %B %Y})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}.",
        f"File: {rows:,} rows, {size_mib:.0f} MiB (seed {arguments.seed}).",
        "",
        f"Each side ran {arguments.repeat} times, alternately, each a process of its own into a fresh database; the "
        f"medians are compared. Whole processes (baseline / SaferPlace seconds): {runs}.",
        "",
        "| method | whole process, s (median) | the load itself, s | CPU s of the process | rows per second (whole) "
        "| peak memory (MiB) | × baseline (whole) | × baseline (CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| {name} | {baseline['whole_seconds']:.2f} | {inner} | {baseline['cpu_seconds']:.2f} | "
        f"{rows / baseline['whole_seconds']:,.0f} | {baseline['peak_mib']:.0f} | 1.00 | {'n/a' if postgres else '1.00'} |",
        f"| SaferPlace: `saferplace import police-uk FILE --organisation \"{FORCE}\"` ({database}) | "
        f"{saferplace['whole_seconds']:.2f} | {saferplace['import_seconds']:.2f} | {saferplace['cpu_seconds']:.2f} | "
        f"{rows / saferplace['whole_seconds']:,.0f} | {saferplace['peak_mib']:.0f} | {ratio:.2f} | {cpu_ratio} |",
        f"| SaferPlace, the same command again (unchanged) | {saferplace['again_seconds']:.2f} | n/a | n/a | n/a | n/a | n/a "
        "| n/a |",
        "",
        "\"The load itself\": " + ("" if postgres else "the baseline's own timing of `read_csv` + `to_sql`; ")
        + "SaferPlace's run, from its start to its finish (recorded on the run): the command less Django's start-up. "
        + ("CPU seconds are the client process's only (psql's, SaferPlace's): the server's work is not in them."
           if postgres else "CPU seconds: user and system time of the process, steadier than the clock on a busy machine."),
        "",
        f"Stored {saferplace['stored']:,} incidents ({saferplace['rows_rejected']} rejected); "
        f"{saferplace['with_lsoa']:,} with an LSOA, {saferplace['with_h3']:,} with an H3 cell. "
        "Counts by crime type equal the file's.",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each side; the medians are compared")
    parser.add_argument("--database-url", default="", help="postgres://…/NAME: measure on PostgreSQL (NAME is dropped "
                        "and created again for each run; the role must be able to create databases)")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--child", choices=list(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--directory", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        if arguments.child == "generate":
            result = child_generate(arguments.file, arguments.directory, arguments.rows, arguments.seed)
        elif arguments.child == "baseline":
            result = child_baseline(arguments.file, arguments.directory)
        else:
            result = CHILDREN[arguments.child](arguments.database_url, arguments.directory)
        print(json.dumps(result))
        return 0

    postgres = Postgres(arguments.database_url) if arguments.database_url else None
    output = arguments.output or ROOT / "benchmarks" / "results" / (
        "police_uk_import-postgresql.md" if postgres else "police_uk_import.md")
    with tempfile.TemporaryDirectory(prefix="saferplace-bench-") as directory:
        directory = Path(directory)
        file = directory / "police-uk-street.csv"
        generated = run_child("generate", file, directory, "--rows", str(arguments.rows), "--seed", str(arguments.seed))
        expected = generated["by_type"]
        size_mib = file.stat().st_size / 2**20
        print(f"Generated {arguments.rows:,} rows ({size_mib:.0f} MiB) in {generated['seconds']:.1f} s")
        baselines, saferplaces = [], []
        for repeat in range(1, arguments.repeat + 1):
            here = directory / f"run-{repeat}"
            here.mkdir()
            if postgres:
                baselines.append(postgres.baseline(file))
                postgres.drop(f"{postgres.name}_baseline")
                postgres.fresh(postgres.name)
                saferplaces.append(saferplace_side(file, here, postgres.url))
            else:
                figures, output_text = timed([sys.executable, __file__, "--child", "baseline", "--file", str(file),
                                              "--directory", str(here)])
                baselines.append({**json.loads(output_text.strip().splitlines()[-1]), **figures})
                saferplaces.append(saferplace_side(file, here, f"sqlite:///{here}/saferplace.sqlite3"))
            shutil.rmtree(here)
            print(f"Run {repeat}: baseline {baselines[-1]['whole_seconds']:.2f} s (peak {baselines[-1]['peak_mib']:.0f} MiB); "
                  f"saferplace import {saferplaces[-1]['whole_seconds']:.2f} s, the run {saferplaces[-1]['import_seconds']:.2f} s "
                  f"(peak {saferplaces[-1]['peak_mib']:.0f} MiB); again (unchanged) {saferplaces[-1]['again_seconds']:.2f} s")
        if postgres:
            postgres.drop(postgres.name)
    if any(run["by_type"] != expected or run["stored"] != arguments.rows for run in saferplaces):
        print(f"Counts differ from the file: {saferplaces[0]['by_type']} vs {expected}")
        return 1
    if any(run["statuses"] != ["succeeded", "unchanged"] for run in saferplaces):
        print(f"The runs were not succeeded, then unchanged: {[run['statuses'] for run in saferplaces]}")
        return 1
    lines = report(arguments, postgres, baselines, saferplaces, size_mib)
    print("\n".join(lines))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
