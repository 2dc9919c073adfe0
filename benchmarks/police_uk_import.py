"""police.uk import: SaferPlace's full import against the baseline `pandas.read_csv` +
`DataFrame.to_sql` into SQLite, side by side in one run, on the same synthetic file.

    .venv/bin/python benchmarks/police_uk_import.py [--rows 1000000] [--repeat 5]

The file is a realistic police.uk street-level crime CSV for one force and twelve months:
points snapped to a ~100 m grid over the demo city of Riverford (so a few thousand distinct
map points), ~30% anti-social behaviour with blank Crime IDs, 1% of rows with no location,
2% exact duplicate rows. Each side runs in its own child process, into a fresh SQLite file,
so the peak memory figures (`ru_maxrss`) are separate:

  (a) baseline: `pandas.read_csv(file)` then `DataFrame.to_sql` into a fresh SQLite table;
  (b) SaferPlace: `import_file` (what `saferplace import police-uk` runs) into a fresh
      database with migrations applied and the demo geography loaded: hashing, header and
      row validation, taxonomy, LSOA/ward/community and H3 assignment, partition replacement,
      one transaction; then the same file again (recorded as unchanged).

Only the import itself is timed (not Django start-up, migrations or the geography). The two
sides alternate, `--repeat` times, with the disk flushed (`sync`) before each, and the medians
are compared. Results are printed and written to benchmarks/results/police_uk_import.md."""

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

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


def django_setup(directory: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/saferplace.sqlite3"
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


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child_baseline(file: Path, directory: Path) -> dict:
    import sqlite3

    import pandas as pd

    start = time.perf_counter()
    frame = pd.read_csv(file)
    connection = sqlite3.connect(directory / "baseline.sqlite3")
    frame.to_sql("crimes", connection, index=False)
    connection.commit()
    connection.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(frame), "peak_mib": peak_memory_mib()}


def child_saferplace(file: Path, directory: Path) -> dict:
    django_setup(directory)
    from django.core.management import call_command
    from django.db.models import Count

    call_command("migrate", interactive=False, verbosity=0)
    from saferplace.demo.services import geography_create
    from saferplace.incidents.importers import import_file, import_run_create
    from saferplace.incidents.models import Incident
    from saferplace.partners.models import OrganisationKind
    from saferplace.partners.services import organisation_save
    from saferplace.partners.viewer import operator_viewer

    # As `saferplace import police-uk FILE --organisation "Fenshire Police"` runs it: the operator,
    # naming the organisation whose records the file brings in.
    viewer = operator_viewer("benchmark")
    geography_create(viewer=viewer)
    organisation_save(viewer=viewer, name=FORCE, kind=OrganisationKind.POLICE)
    options = {"organisation": FORCE}
    setup_peak = peak_memory_mib()

    def import_once():
        run = import_run_create(viewer=viewer, importer="police-uk", file_name=file.name, options=options)
        return import_file(viewer=viewer, run=run, path=file)

    start = time.perf_counter()
    run = import_once()
    seconds = time.perf_counter() - start
    if run.status != "succeeded":
        raise SystemExit(f"import {run.status}: {run.message}")
    start = time.perf_counter()
    again = import_once()
    again_seconds = time.perf_counter() - start
    by_type = dict(Incident.objects.values_list("source_category__text").annotate(count=Count("id")).order_by())
    return {
        "seconds": seconds,
        "again_seconds": again_seconds,
        "again_status": again.status,
        "rows_read": run.rows_read,
        "rows_imported": run.rows_imported,
        "rows_rejected": run.rows_rejected,
        "stored": Incident.objects.count(),
        "by_type": by_type,
        "with_lsoa": Incident.objects.filter(lsoa__isnull=False).count(),
        "with_h3": Incident.objects.exclude(location__h3_cell="").exclude(location=None).count(),
        "setup_peak_mib": setup_peak,
        "peak_mib": peak_memory_mib(),
    }


def child_generate(file: Path, directory: Path, rows: int, seed: int) -> dict:
    import pandas as pd

    django_setup(directory / "generator")
    start = time.perf_counter()
    generate(file, rows, seed)
    seconds = time.perf_counter() - start
    expected = pd.read_csv(file, dtype=str, keep_default_na=False)["Crime type"].value_counts().to_dict()
    return {"seconds": seconds, "by_type": expected}


def median_run(runs: list[dict]) -> dict:
    """The run with the median time (the middle one of an odd number)."""
    return sorted(runs, key=lambda run: run["seconds"])[(len(runs) - 1) // 2]


def run_child(kind: str, file: Path, directory: Path, *extra: str) -> dict:
    """Each step in its own process. The parent stays small (no pandas, no Django) because Linux
    carries a process's peak memory across exec into its child's `ru_maxrss`."""
    completed = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--file", str(file), "--directory", str(directory), *extra],
        capture_output=True, text=True,
    )
    if completed.returncode:
        raise SystemExit(f"The {kind} step failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each side; the medians are compared")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "police_uk_import.md")
    parser.add_argument("--child", choices=["generate", "baseline", "saferplace"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--directory", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child == "generate":
        print(json.dumps(child_generate(arguments.file, arguments.directory, arguments.rows, arguments.seed)))
        return 0
    if arguments.child:
        child = child_baseline if arguments.child == "baseline" else child_saferplace
        print(json.dumps(child(arguments.file, arguments.directory)))
        return 0

    with tempfile.TemporaryDirectory(prefix="saferplace-bench-") as directory:
        directory = Path(directory)
        file = directory / "police-uk-street.csv"
        generated = run_child("generate", file, directory, "--rows", str(arguments.rows), "--seed", str(arguments.seed))
        expected = generated["by_type"]
        print(f"Generated {arguments.rows:,} rows ({file.stat().st_size / 2**20:.0f} MiB) in {generated['seconds']:.1f} s")
        baselines, saferplaces = [], []
        for repeat in range(1, arguments.repeat + 1):
            # Each side starts with the disk idle: the other side's writes are flushed first.
            here = directory / f"run-{repeat}"
            here.mkdir()
            os.sync()
            baselines.append(run_child("baseline", file, here))
            os.sync()
            saferplaces.append(run_child("saferplace", file, here))
            shutil.rmtree(here)
            print(f"Run {repeat}: baseline read_csv + to_sql {baselines[-1]['seconds']:.2f} s "
                  f"(peak {baselines[-1]['peak_mib']:.0f} MiB); SaferPlace import {saferplaces[-1]['seconds']:.2f} s "
                  f"(peak {saferplaces[-1]['peak_mib']:.0f} MiB), again (unchanged) {saferplaces[-1]['again_seconds']:.2f} s")
        baseline = median_run(baselines)
        saferplace = median_run(saferplaces)
        size_mib = file.stat().st_size / 2**20
    if any(run["by_type"] != expected or run["stored"] != arguments.rows for run in saferplaces):
        print(f"Counts differ from the file: {saferplace['by_type']} vs {expected}")
        return 1
    if any(run["again_status"] != "unchanged" for run in saferplaces):
        print(f"The same file again was not recorded as unchanged: {[run['again_status'] for run in saferplaces]}")
        return 1
    ratio = saferplace["seconds"] / baseline["seconds"]
    print(f"Ratio: {ratio:.2f}× the baseline")
    lines = [
        f"# police.uk import benchmark ({datetime.now(UTC):%d %B %Y})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}.",
        f"File: {arguments.rows:,} rows, {size_mib:.0f} MiB (seed {arguments.seed}).",
        "",
        f"Each side ran {arguments.repeat} times, alternately, each in a fresh process and database; the "
        "medians are compared. Runs (baseline / SaferPlace seconds): "
        + "; ".join(f"{b['seconds']:.2f} / {s['seconds']:.2f}" for b, s in zip(baselines, saferplaces, strict=True)) + ".",
        "",
        "| method | seconds (median) | rows per second | peak memory (MiB) | × baseline |",
        "|---|---:|---:|---:|---:|",
        f"| Baseline: `pandas.read_csv` + `DataFrame.to_sql` (SQLite) | {baseline['seconds']:.2f} | "
        f"{arguments.rows / baseline['seconds']:,.0f} | {baseline['peak_mib']:.0f} | 1.00 |",
        f"| SaferPlace `import_file` (police-uk, SQLite) | {saferplace['seconds']:.2f} | "
        f"{arguments.rows / saferplace['seconds']:,.0f} | {saferplace['peak_mib']:.0f} | {ratio:.2f} |",
        f"| SaferPlace, the same file again (unchanged) | {saferplace['again_seconds']:.2f} | n/a | n/a | n/a |",
        "",
        f"Stored {saferplace['stored']:,} incidents ({saferplace['rows_rejected']} rejected); "
        f"{saferplace['with_lsoa']:,} with an LSOA, {saferplace['with_h3']:,} with an H3 cell. "
        f"Counts by crime type equal the file's. Peak memory of the SaferPlace process before the import "
        f"(Django, migrations, geography): {saferplace['setup_peak_mib']:.0f} MiB.",
    ]
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Written to {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
