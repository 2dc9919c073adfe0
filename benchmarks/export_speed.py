"""Exports: SaferPlace's CSV and GeoJSON exports of a million records, as an analyst waits for
them, against the baseline `pandas.DataFrame.to_csv` of the same rows, side by side in one run.

    .venv/bin/python benchmarks/export_speed.py [--rows 1000000] [--repeat 3] [--database-url postgres://…]

The store is built the way a real one is: the demo geography of Riverford, and a synthetic
police.uk street-level file of `--rows` rows (the generator of `benchmarks/police_uk_import.py`:
a few thousand map points, 1% with no location) imported by `import_file` for "Fenshire Police",
whose analyst then sees every record. Each step runs in its own child
process, so the memory figures are separate:

  (a) baseline: the same rows (the export's 25 columns, with the names joined in SQL) read into
      a `pandas.DataFrame`, then `DataFrame.to_csv` to a file: only `to_csv` is timed;
  (b) SaferPlace's CSV export, as a person waits for it: a signed-in GET of
      /incidents/export.csv through Django's whole stack (the test `Client`, every middleware,
      the view, the access policy, the audit entry), the streamed body written to a file; timed
      from the request to the last byte, with the time to the first byte and the growth of the
      process's resident memory (RSS, sampled at every chunk) over what it was before the request;
  (c) the same for the GeoJSON export (/incidents/export.geojson).

The three run in turn, `--repeat` times (3 by default: the machine may be shared), and the
medians are compared; the CPU time of each process is given beside its wall-clock time.
On SQLite the database is a file in a temporary directory; with `--database-url` (PostgreSQL)
the benchmark creates a database of its own beside the one named (`<name>_export_bench`), and
drops it at the end. Results are printed and written to benchmarks/results/export_speed.md."""

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import police_uk_import  # noqa: E402 - the police.uk file generator and its force

ANALYST = "export_bench_analyst"
CHUNK_SAMPLE = 16  # sample the RSS every this many chunks (a chunk is ~64 KB)


def django_setup(directory: Path, database_url: str | None) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{directory}/saferplace.sqlite3"
    os.environ["SAFERPLACE_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplace.settings")
    import django

    django.setup()


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child_build(directory: Path, database_url: str | None, rows: int, seed: int) -> dict:
    """Migrate, load the geography, import a police.uk file of `rows` rows and add the analyst."""
    django_setup(directory, database_url)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from saferplace.demo.services import geography_create
    from saferplace.incidents.importers import import_file, import_run_create
    from saferplace.incidents.models import Incident
    from saferplace.partners.models import OrganisationKind, Role
    from saferplace.partners.services import organisation_save, user_create
    from saferplace.partners.viewer import operator_viewer

    viewer = operator_viewer("benchmark")
    geography_create(viewer=viewer)
    force = organisation_save(viewer=viewer, name=police_uk_import.FORCE, kind=OrganisationKind.POLICE)
    user = user_create(viewer=viewer, username=ANALYST, password="export-benchmark-only", organisation=force,
                       role=Role.ANALYST, validate=False, must_change_password=False)
    TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
    file = directory / "police-uk-street.csv"
    start = time.perf_counter()
    police_uk_import.generate(file, rows, seed)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    run = import_run_create(viewer=viewer, importer="police-uk", file_name=file.name,
                            options={"organisation": police_uk_import.FORCE})
    run = import_file(viewer=viewer, run=run, path=file)
    if run.status != "succeeded":
        raise SystemExit(f"import {run.status}: {run.message}")
    imported = time.perf_counter() - start
    file.unlink()
    return {"generate_seconds": generated, "import_seconds": imported, "stored": Incident.objects.count(),
            "located": Incident.objects.exclude(location__latitude=None).count()}


# The export's columns, with the names joined in SQL: the rows the baseline writes.
BASELINE_SQL = """
SELECT i.id, i.source, o.name AS owning_organisation, d.code AS data_category, i.external_id,
       i.occurred_on, i.occurred_precision, i.category AS category, sc.text AS source_category,
       l.latitude, l.longitude, COALESCE(l.precision, 'none') AS location_precision,
       lsoa.code AS lsoa, ward.code AS ward, community.code AS community, l.h3_cell, oc.text AS outcome,
       i.source AS source_name, c.name AS category_name, d.name AS data_category_name,
       i.occurred_time, l.description AS location_description,
       lsoa.name AS lsoa_name, ward.name AS ward_name, community.name AS community_name
FROM incidents_incident i
JOIN partners_organisation o ON o.id = i.owning_organisation_id
JOIN partners_datacategory d ON d.id = i.data_category_id
JOIN incidents_incidentcategory c ON c.code = i.category
LEFT JOIN incidents_sourcelabel sc ON sc.id = i.source_category_id
LEFT JOIN incidents_sourcelabel oc ON oc.id = i.outcome_id
LEFT JOIN incidents_location l ON l.id = i.location_id
LEFT JOIN places_place lsoa ON lsoa.id = i.lsoa_id
LEFT JOIN places_place ward ON ward.id = i.ward_id
LEFT JOIN places_place community ON community.id = i.community_id
ORDER BY i.occurred_on DESC, i.id DESC
"""


def child_baseline(directory: Path, database_url: str | None) -> dict:
    """The same rows in a DataFrame (read untimed), then `to_csv` to a file, timed."""
    django_setup(directory, database_url)
    import pandas as pd
    from django.db import connection

    from saferplace.incidents.sources import source_name

    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL)
        columns = [column[0] for column in cursor.description]
        frame = pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
    frame["source_name"] = frame["source_name"].map(source_name)
    frame["occurred_on"] = frame["occurred_on"].astype(str)
    frame["occurred_time"] = frame["occurred_time"].map(lambda value: str(value)[:5] if value else "")
    before = rss_mib()
    path = directory / "baseline.csv"
    start, cpu = time.perf_counter(), time.process_time()
    frame.to_csv(path, index=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": len(frame), "bytes": path.stat().st_size,
            "rss_before_mib": before}


def child_export(directory: Path, database_url: str | None, kind: str) -> dict:
    """One signed-in GET of an export through Django, its body written to a file as it comes."""
    django_setup(directory, database_url)
    from django.test import Client
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from saferplace.audit.models import AuditEntry
    from saferplace.partners.models import User

    user = User.objects.get(username=ANALYST)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    url = reverse("web:incident-export" if kind == "csv" else "web:incident-export-geojson")
    # Warm up (the first request loads the code, the policy's tables): the same export, of nothing.
    b"".join(client.get(url + "?date_from=1900-01-01&date_to=1900-01-01").streaming_content)
    path = directory / f"export.{kind}"
    before = rss_mib()
    highest = before
    first_byte = first_rows = None
    written = 0
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    with open(path, "wb") as file:
        for number, chunk in enumerate(response.streaming_content):
            if number == 0:
                first_byte = time.perf_counter() - start
            elif number == 1:
                first_rows = time.perf_counter() - start
            file.write(chunk)
            written += len(chunk)
            if number % CHUNK_SAMPLE == 0:
                highest = max(highest, rss_mib())
    response.close()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    highest = max(highest, rss_mib())
    if response.status_code != 200:
        raise SystemExit(f"The {kind} export answered {response.status_code}")
    entry = AuditEntry.objects.filter(action="export", actor_username=ANALYST).order_by("-sequence").first()
    return {"seconds": seconds, "cpu_seconds": cpu, "first_byte_seconds": first_byte, "first_rows_seconds": first_rows,
            "bytes": written, "audited_rows": entry.details["rows"], "rows": _rows(path, kind), "rss_before_mib": before,
            "rss_growth_mib": highest - before}


def _rows(path: Path, kind: str) -> int:
    """The records in the file: its CSV rows less the header, or its GeoJSON features (one a
    line; the tests check the text is the GeoJSON `json.dumps` writes)."""
    with open(path, newline="", encoding="utf-8") as file:
        if kind == "csv":
            return sum(1 for _ in csv.reader(file)) - 1
        return sum(1 for line in file if line.startswith('{"type": "Feature", '))


def run_child(kind: str, directory: Path, database_url: str | None, *extra: str) -> dict:
    """Each step in its own process (Linux carries a process's peak memory into its child's
    `ru_maxrss`, so the parent stays small: no pandas, no Django)."""
    command = [sys.executable, __file__, "--child", kind, "--directory", str(directory), *extra]
    if database_url:
        command += ["--database-url", database_url]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode:
        raise SystemExit(f"The {kind} step failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def bench_database(url: str, action: str) -> str:
    """Create (or drop) the benchmark's own PostgreSQL database beside the one `url` names."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_export_bench"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if action == "create":
            connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def database_label(database_url: str | None) -> str:
    if not database_url:
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    with psycopg.connect(database_url) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
    return f"PostgreSQL {version.split()[0]}"


def median_run(runs: list[dict]) -> dict:
    """The run with the median time (the middle one of an odd number)."""
    return sorted(runs, key=lambda run: run["seconds"])[(len(runs) - 1) // 2]


def report(arguments, database: str, built: dict, runs: dict[str, list[dict]]) -> list[str]:
    baseline = median_run(runs["baseline"])
    rows = baseline["rows"]
    lines = [
        f"# Export benchmark ({datetime.now(UTC):%d %B %Y}, {database})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}.",
        f"Store: {built['stored']:,} police.uk incidents ({built['located']:,} with a location) imported for "
        f"{police_uk_import.FORCE} in {built['import_seconds']:.1f} s, all visible to its analyst (seed {arguments.seed}).",
        f"Each of the three ran {arguments.repeat} times, in turn, each in a fresh process; the medians are compared.",
        "",
        "| method | rows | MB | seconds (median) | CPU seconds | first byte (s) | first rows (s) | rows per second "
        "| memory growth (MiB) | × baseline |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| Baseline: `DataFrame.to_csv` of the same rows | {rows:,} | {baseline['bytes'] / 1e6:.0f} | "
        f"{baseline['seconds']:.2f} | {baseline['cpu_seconds']:.2f} | n/a | n/a | {rows / baseline['seconds']:,.0f} | "
        f"n/a (the frame: {baseline['rss_before_mib']:.0f} MiB resident) | 1.00 |",
    ]
    for kind, label in (("csv", "CSV"), ("geojson", "GeoJSON")):
        run = median_run(runs[kind])
        growth = max(each["rss_growth_mib"] for each in runs[kind])
        lines.append(
            f"| SaferPlace {label} export (signed-in GET, whole request) | {run['rows']:,} | {run['bytes'] / 1e6:.0f} | "
            f"{run['seconds']:.2f} | {run['cpu_seconds']:.2f} | {run['first_byte_seconds']:.2f} | "
            f"{run['first_rows_seconds']:.2f} | {run['rows'] / run['seconds']:,.0f} | {growth:.1f} | "
            f"{run['seconds'] / baseline['seconds']:.2f} |"
        )
    each_run = "; ".join(
        " / ".join(f"{runs[kind][number]['seconds']:.2f}" for kind in ("baseline", "csv", "geojson"))
        for number in range(arguments.repeat)
    )
    lines += [
        "",
        f"Runs (baseline / CSV / GeoJSON seconds): {each_run}. "
        "CPU seconds: the process's own (SQLite runs inside it; PostgreSQL's server does not count). "
        "First byte: the header (CSV) or the collection's metadata (GeoJSON), sent once the export is "
        "counted and audited; first rows: the first piece of rows, once the database has sorted them. "
        "Memory growth (the most of any run): how far the export process's resident memory (sampled every "
        f"{CHUNK_SAMPLE} chunks of the response) rose above what it was just before the request "
        f"(about {statistics.median(run['rss_before_mib'] for run in runs['csv']):.0f} MiB: Django loaded and the "
        "same export of nothing served once). The GeoJSON export leaves out the incidents with no location. "
        f"Audited rows: CSV {runs['csv'][0]['audited_rows']:,}, GeoJSON {runs['geojson'][0]['audited_rows']:,}.",
    ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the medians are compared")
    parser.add_argument("--database-url", help="a PostgreSQL database URL: the benchmark uses its own database beside it")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "export_speed.md")
    parser.add_argument("--child", choices=["build", "baseline", "csv", "geojson"], help=argparse.SUPPRESS)
    parser.add_argument("--directory", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        directory, url = arguments.directory, arguments.database_url
        if arguments.child == "build":
            result = child_build(directory, url, arguments.rows, arguments.seed)
        elif arguments.child == "baseline":
            result = child_baseline(directory, url)
        else:
            result = child_export(directory, url, arguments.child)
        print(json.dumps(result))
        return 0

    url = bench_database(arguments.database_url, "create") if arguments.database_url else None
    runs: dict[str, list[dict]] = {"baseline": [], "csv": [], "geojson": []}
    try:
        with tempfile.TemporaryDirectory(prefix="saferplace-export-bench-") as directory:
            directory = Path(directory)
            built = run_child("build", directory, url, "--rows", str(arguments.rows), "--seed", str(arguments.seed))
            print(f"Built {built['stored']:,} incidents (generated in {built['generate_seconds']:.1f} s, "
                  f"imported in {built['import_seconds']:.1f} s)")
            database = database_label(url)
            for number in range(1, arguments.repeat + 1):
                for kind in runs:
                    os.sync()
                    runs[kind].append(run_child(kind, directory, url))
                baseline, csv_run, geojson_run = (runs[kind][-1] for kind in runs)
                print(f"Run {number}: baseline to_csv {baseline['seconds']:.2f} s; "
                      + "; ".join(f"{kind} {run['seconds']:.2f} s ({run['seconds'] / baseline['seconds']:.2f}×, first "
                                  f"byte {run['first_byte_seconds']:.2f} s, first rows {run['first_rows_seconds']:.2f} s, "
                                  f"memory growth {run['rss_growth_mib']:.1f} MiB)"
                                  for kind, run in (("CSV", csv_run), ("GeoJSON", geojson_run))))
    finally:
        if url:
            bench_database(arguments.database_url, "drop")
    if any(run["rows"] != built["stored"] or run["audited_rows"] != built["stored"] for run in runs["csv"]):
        print(f"A CSV export did not write the {built['stored']:,} rows: {[run['rows'] for run in runs['csv']]}")
        return 1
    if any(run["rows"] != built["located"] for run in runs["geojson"]):
        print(f"A GeoJSON export did not write the {built['located']:,} located: {[run['rows'] for run in runs['geojson']]}")
        return 1
    lines = report(arguments, database, built, runs)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[-7:]))
    print(f"Written to {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
