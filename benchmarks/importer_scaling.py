"""Importer scaling: is every importer linear? Each importer imports synthetic files of 10,000,
100,000 and 1,000,000 rows, and the time per row should stay flat; plus the population file at
its real size (34,753 rows: one population per LSOA).

    .venv/bin/python benchmarks/importer_scaling.py [--sizes 10000,100000,1000000]
        [--importers population,profile] [--database sqlite|postgres --database-url postgres://…]

Each (importer, size) runs in its own child process (as `police_uk_import.py` does) on a fresh
database: a copy of a template made once (migrations, the demo city's geography, the
organisations, a mapping profile; for the profile importer also a postcode lookup of 1,000,000
postcodes), on SQLite a copy of the file, on PostgreSQL `CREATE DATABASE … TEMPLATE …` (the
URL's user must be allowed to create databases). What the import needs first (the crimes an
outcomes file updates, the places a population file fills) is loaded untimed; then
`import_run_create` + `import_file` (what `saferplace import IMPORTER FILE` runs) is timed:
reading, checking, writing, the events and the audit entry, one transaction.

The files:
  police-uk-outcomes  an outcomes file giving N crimes (imported first, from
                      `police_uk_import.generate`'s street-level file) a new outcome: an update
                      and an outcome event for each incident with the Crime ID (about 2% more
                      than N, as 2% of that file's rows are duplicates);
  stats19             N collisions over five years at exact points in Riverford, with their LSOA;
  profile             a council's CSV (reference, date, type, postcode, outcome) located by
                      postcode against the 1,000,000 loaded postcodes; 1% of postcodes unknown;
  place-lookup        N LSOAs in N / 5 wards, N / 50 communities and N / 400 local authorities,
                      all new; then the same file with every name changed (N + N / 5 + … updates
                      and events), timed too;
  population          a population for each of N LSOAs (loaded first by the place lookup):
                      N updates and N events; 0.5% of rows with an unknown code;
  postcode-lookup     N new postcodes with their latitude and longitude (ONSPD columns).

Results are printed and written to benchmarks/results/importer_scaling.md."""

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

from police_uk_import import FORCE, OUTCOMES, django_setup
from police_uk_import import generate as police_uk_generate

ROOT = Path(__file__).resolve().parent.parent
IMPORTERS = ["police-uk-outcomes", "stats19", "profile", "place-lookup", "population", "postcode-lookup"]
ONS_LSOAS = 34_753  # the real population file's rows
POSTCODES_LOADED = 1_000_000
COUNCIL = "Riverford City Council"
PROFILE = "council-environment"
PROFILE_TYPES = {"Fly tip": "fly-tipping", "Graffiti": "graffiti", "Needles": "drug-litter", "Litter": "litter",
                 "Abandoned car": "abandoned-vehicle"}
LOOKUP_HEADER = ["LSOA21CD", "LSOA21NM", "WD24CD", "WD24NM", "community_code", "community_name", "LAD24CD", "LAD24NM"]


# Synthetic files ----------------------------------------------------------------------------


def _points_in_lsoas(generator, count: int):
    """`count` random points inside Riverford's LSOAs: latitudes, longitudes, LSOA codes."""
    import numpy as np
    import shapely

    from saferplace.demo.geography import city_plan

    plan = city_plan()
    min_lon, min_lat, max_lon, max_lat = plan.bounds
    tree = shapely.STRtree([lsoa.geometry for lsoa in plan.lsoas])
    latitudes, longitudes, codes = [], [], []
    found = 0
    while found < count:
        lat = generator.uniform(min_lat, max_lat, count)
        lon = generator.uniform(min_lon, max_lon, count)
        point, lsoa = tree.query(shapely.points(lon, lat), predicate="intersects")
        first = np.unique(point, return_index=True)[1]
        point, lsoa = point[first], lsoa[first]
        latitudes.append(lat[point])
        longitudes.append(lon[point])
        codes.append(np.array([area.code for area in plan.lsoas], dtype=object)[lsoa])
        found += len(point)
    return (np.concatenate(latitudes)[:count], np.concatenate(longitudes)[:count], np.concatenate(codes)[:count])


def postcodes(count: int, *, prefixes: str = "RF RV RW RX") -> list[str]:
    """`count` distinct postcodes like "RF12 3AB", in a fixed order."""
    letters = [a + b for a in "ABDEFGHJLNPQRSTUWXYZ" for b in "ABDEFGHJLNPQRSTUWXYZ"]
    made = []
    for area in prefixes.split():
        for district in range(1, 100):
            for sector in range(10):
                made += [f"{area}{district} {sector}{unit}" for unit in letters]
                if len(made) >= count:
                    return made[:count]
    raise ValueError(f"only {len(made)} postcodes with the prefixes {prefixes}")


def write_stats19(path: Path, rows: int, generator) -> None:
    import numpy as np
    import pandas as pd

    latitudes, longitudes, codes = _points_in_lsoas(generator, rows)
    years = generator.integers(2020, 2025, rows)
    days = generator.integers(0, 365, rows)
    dates = pd.to_datetime(years.astype(str), format="%Y") + pd.to_timedelta(days, unit="D")
    minutes = generator.integers(0, 24 * 60, rows)
    pd.DataFrame({
        "collision_index": [f"{year}{number:09d}" for year, number in zip(years.tolist(), range(rows), strict=True)],
        "collision_year": years,
        "collision_ref_no": [f"{number:09d}" for number in range(rows)],
        "longitude": np.char.mod("%.6f", longitudes),
        "latitude": np.char.mod("%.6f", latitudes),
        "police_force": 99,
        "collision_severity": generator.choice([1, 2, 3], rows, p=[0.01, 0.2, 0.79]),
        "number_of_vehicles": generator.integers(1, 4, rows),
        "number_of_casualties": generator.integers(1, 3, rows),
        "date": dates.strftime("%d/%m/%Y"),
        "day_of_week": dates.dayofweek + 1,
        "time": [f"{minute // 60:02d}:{minute % 60:02d}" for minute in minutes.tolist()],
        "speed_limit": generator.choice([20, 30, 40, 60], rows),
        "lsoa_of_collision_location": codes,
    }).to_csv(path, index=False)


def write_profile_file(path: Path, rows: int, generator) -> None:
    import numpy as np
    import pandas as pd

    loaded = np.array(postcodes(POSTCODES_LOADED), dtype=object)
    chosen = loaded[generator.integers(0, len(loaded), rows)]
    unknown = generator.random(rows) < 0.01
    chosen[unknown] = np.array(postcodes(int(unknown.sum()), prefixes="ZA ZB ZC ZD"), dtype=object)
    days = generator.integers(0, 365, rows)
    dates = pd.Timestamp("2025-06-01") + pd.to_timedelta(days, unit="D")
    pd.DataFrame({
        "Reference": [f"ENV-{number:08d}" for number in range(rows)],
        "Reported": dates.strftime("%d/%m/%Y"),
        "Type": np.array(list(PROFILE_TYPES), dtype=object)[generator.integers(0, len(PROFILE_TYPES), rows)],
        "Postcode": chosen,
        "Status": np.array(["Cleared", "Referred", "No further action"], dtype=object)[generator.integers(0, 3, rows)],
    }).to_csv(path, index=False)


def write_place_lookup(path: Path, rows: int, *, renamed: bool = False) -> None:
    """N LSOAs, five to a ward, ten wards to a community, eight communities to an authority."""
    import pandas as pd

    numbers = range(rows)
    suffix = " (renamed)" if renamed else ""
    pd.DataFrame({
        "LSOA21CD": [f"W01{number:06d}" for number in numbers],
        "LSOA21NM": [f"Synthetic {number // 400:04d} {number:06d}{suffix}" for number in numbers],
        "WD24CD": [f"W05{number // 5:06d}" for number in numbers],
        "WD24NM": [f"Ward {number // 5}{suffix}" for number in numbers],
        "community_code": [f"SYN-C{number // 50}" for number in numbers],
        "community_name": [f"Community {number // 50}{suffix}" for number in numbers],
        "LAD24CD": [f"W06{number // 400:06d}" for number in numbers],
        "LAD24NM": [f"Authority {number // 400}{suffix}" for number in numbers],
    })[LOOKUP_HEADER].to_csv(path, index=False)


def write_population(path: Path, rows: int, generator) -> None:
    """As ONS publishes mid-year estimates: codes, names and the total with a thousands comma."""
    import pandas as pd

    counts = generator.integers(1000, 3000, rows)
    codes = [f"W01{number:06d}" for number in range(rows)]
    for position in range(0, rows, 200):  # 0.5% of rows name no loaded place
        codes[position] = f"W01X{position:08d}"
    pd.DataFrame({
        "LAD 2023 Code": [f"W06{number // 400:06d}" for number in range(rows)],
        "LSOA 2021 Code": codes,
        "LSOA 2021 Name": [f"Synthetic {number:06d}" for number in range(rows)],
        "Total": [f"{count:,}" for count in counts.tolist()],
    }).to_csv(path, index=False)


def write_postcode_lookup(path: Path, rows: int, generator) -> None:
    import numpy as np
    import pandas as pd

    from saferplace.demo.geography import city_plan

    min_lon, min_lat, max_lon, max_lat = city_plan().bounds
    made = postcodes(rows)
    pd.DataFrame({
        "pcd": [code.replace(" ", "").ljust(7) for code in made],
        "pcds": made,
        "dointr": "199801",
        "doterm": "",
        "lat": np.char.mod("%.6f", generator.uniform(min_lat, max_lat, rows)),
        "long": np.char.mod("%.6f", generator.uniform(min_lon, max_lon, rows)),
    }).to_csv(path, index=False)


def write_outcomes(street: Path, path: Path, rows: int) -> None:
    """An outcomes file for `rows` of the street-level file's crimes, each with an outcome other
    than the one it has."""
    import numpy as np
    import pandas as pd

    frame = pd.read_csv(street, dtype=str, keep_default_na=False)
    frame = frame[frame["Crime ID"] != ""].drop_duplicates("Crime ID").iloc[:rows]
    position = {outcome: number for number, outcome in enumerate(OUTCOMES)}
    now = frame["Last outcome category"].map(position).to_numpy()
    frame["Outcome type"] = np.array(OUTCOMES, dtype=object)[(now + 1) % len(OUTCOMES)]
    columns = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
               "LSOA code", "LSOA name", "Outcome type"]
    frame[columns].to_csv(path, index=False)


# Child processes ----------------------------------------------------------------------------


def setup(directory: Path, database_url: str) -> None:
    """Django on the run's database: SQLite in `directory`, or the PostgreSQL database named."""
    django_setup(database_url or f"sqlite:///{directory}/saferplace.sqlite3", directory)


def child_template(kind: str) -> dict:
    """The city (migrations, geography, organisations, the council's mapping profile), or, on a
    copy of it, the postcode lookup the profile importer locates against."""
    from saferplace.partners.viewer import operator_viewer

    viewer = operator_viewer("benchmark")
    start = time.perf_counter()
    if kind == "postcodes":
        import numpy as np

        from saferplace.demo.geography import city_plan
        from saferplace.incidents.models import PostcodeCentroid

        made = postcodes(POSTCODES_LOADED)
        generator = np.random.default_rng(7)
        min_lon, min_lat, max_lon, max_lat = city_plan().bounds
        latitudes = generator.uniform(min_lat, max_lat, len(made)).tolist()
        longitudes = generator.uniform(min_lon, max_lon, len(made)).tolist()
        for at in range(0, len(made), 5000):
            PostcodeCentroid.objects.bulk_create(
                PostcodeCentroid(postcode=code.replace(" ", ""), latitude=latitude, longitude=longitude)
                for code, latitude, longitude in zip(made[at : at + 5000], latitudes[at : at + 5000],
                                                     longitudes[at : at + 5000], strict=True)
            )
        return {"seconds": time.perf_counter() - start}
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from saferplace.demo.services import geography_create
    from saferplace.incidents.profiles import mapping_profile_save
    from saferplace.partners.models import OrganisationKind
    from saferplace.partners.services import data_category_ensure, organisation_save

    geography_create(viewer=viewer)
    organisation_save(viewer=viewer, name=FORCE, kind=OrganisationKind.POLICE)
    council = organisation_save(viewer=viewer, name=COUNCIL, kind=OrganisationKind.COUNCIL)
    category = data_category_ensure(viewer=viewer, code="environmental", name="Environmental")
    mapping_profile_save(
        viewer=viewer, header=["Reference", "Reported", "Type", "Postcode", "Status"], name=PROFILE,
        data_category=category, source="council-environmental", date_column="Reported", date_format="%d/%m/%Y",
        category_column="Type", category_map=PROFILE_TYPES, location_kind="postcode", postcode_column="Postcode",
        external_id_column="Reference", outcome_column="Status", owning_organisation=council,
    )
    return {"seconds": time.perf_counter() - start}


def _import(importer: str, path: Path, **options) -> tuple[float, object]:
    """Run one import as `saferplace import` does (the operator); returns (seconds, run)."""
    from saferplace.incidents.importers import import_file, import_run_create
    from saferplace.incidents.models import MappingProfile
    from saferplace.partners.viewer import operator_viewer

    viewer = operator_viewer("benchmark")
    profile = MappingProfile.objects.get(name=PROFILE) if importer == "profile" else None
    start = time.perf_counter()
    run = import_run_create(viewer=viewer, importer=importer, file_name=path.name, profile=profile, options=options)
    run = import_file(viewer=viewer, run=run, path=path)
    seconds = time.perf_counter() - start
    if run.status != "succeeded":
        raise SystemExit(f"{importer} import of {path.name} {run.status}: {run.message}")
    return seconds, run


def _counts(run, events: int) -> dict:
    return {"read": run.rows_read, "imported": run.rows_imported, "updated": run.rows_updated,
            "rejected": run.rows_rejected, "events": events}


def child_run(importer: str, rows: int, directory: Path, seed: int) -> dict:
    """Make the files, load what the import needs (untimed), then time the import."""
    import numpy as np

    from saferplace.incidents.models import IncidentEvent
    from saferplace.places.events import PlaceEvent

    generator = np.random.default_rng(seed)
    file = directory / f"{importer}-{rows}.csv"
    options: dict = {}
    events = PlaceEvent if importer in ("place-lookup", "population") else IncidentEvent
    if importer == "police-uk-outcomes":
        street = directory / "street.csv"
        police_uk_generate(street, int(rows / 0.66) + 1000, seed)
        _import("police-uk", street, organisation=FORCE)
        write_outcomes(street, file, rows)
        options = {"organisation": FORCE}
    elif importer == "stats19":
        write_stats19(file, rows, generator)
        options = {"organisation": COUNCIL}
    elif importer == "profile":
        write_profile_file(file, rows, generator)
    elif importer == "place-lookup":
        write_place_lookup(file, rows)
        write_place_lookup(directory / "renamed.csv", rows, renamed=True)
    elif importer == "population":
        write_place_lookup(directory / "lookup.csv", rows)
        _import("place-lookup", directory / "lookup.csv")
        write_population(file, rows, generator)
    elif importer == "postcode-lookup":
        write_postcode_lookup(file, rows, generator)
    before = events.objects.count()
    seconds, run = _import(importer, file, **options)
    result = {"seconds": seconds, **_counts(run, events.objects.count() - before), "size_mib": file.stat().st_size / 2**20}
    if importer == "place-lookup":  # the same places again, every name changed: updates and events
        before = events.objects.count()
        again_seconds, again = _import(importer, directory / "renamed.csv")
        result["renamed"] = {"seconds": again_seconds, **_counts(again, events.objects.count() - before)}
    return result


# The parent: fresh databases, one child per run ------------------------------------------


class Databases:
    """Fresh databases copied from templates: SQLite files, or PostgreSQL databases."""

    def __init__(self, directory: Path, database_url: str):
        self.directory = directory
        self.url = database_url

    def _pg_url(self, name: str) -> str:
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def _pg(self, *statements: str) -> None:
        """Run statements on the server's maintenance database (the URL's need not exist)."""
        import psycopg

        with psycopg.connect(self._pg_url("postgres"), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def _pg_name(self, name: str) -> str:
        from urllib.parse import urlsplit

        return f"{urlsplit(self.url).path.lstrip('/')}_{name}".replace("-", "_")

    def template(self, name: str, *, copy_of: str = "") -> tuple[Path, str]:
        """A new template database (a copy of `copy_of`, if given): its directory and URL."""
        if copy_of:
            return self.fresh(name, template=copy_of)
        here = self.directory / name
        here.mkdir()
        if not self.url:
            return here, ""
        database = self._pg_name(name)
        self._pg(f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}")
        return here, self._pg_url(database)

    def fresh(self, name: str, *, template: str) -> tuple[Path, str]:
        here = self.directory / name
        here.mkdir()
        if not self.url:
            for suffix in ("", "-wal", "-shm"):
                source = self.directory / template / f"saferplace.sqlite3{suffix}"
                if source.exists():
                    shutil.copyfile(source, here / source.name)
            return here, ""
        database = self._pg_name(name)
        self._pg(f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database} TEMPLATE {self._pg_name(template)}")
        return here, self._pg_url(database)

    def drop(self, name: str) -> None:
        shutil.rmtree(self.directory / name, ignore_errors=True)
        if self.url:
            self._pg(f"DROP DATABASE IF EXISTS {self._pg_name(name)}")


def run_child(kind: str, directory: Path, database_url: str, *extra: str, timeout: float | None = None) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--directory", str(directory),
               "--database-url", database_url, *extra]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if completed.returncode:
        raise SystemExit(f"The {kind} step {' '.join(extra)} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _line(name: str, rows: int, result: dict) -> str:
    if "timeout" in result:
        return f"| {name} | {rows:,} | > {result['timeout']:.0f} (stopped) | | | | | | |"
    return (f"| {name} | {rows:,} | {result['seconds']:.2f} | {result['seconds'] / rows * 1e6:.1f} | "
            f"{result['read']:,} | {result['imported']:,} | {result['updated']:,} | {result['rejected']:,} | "
            f"{result['events']:,} |")


def report(results: dict, sizes: list[int], arguments, ons: dict | None, machine: str) -> list[str]:
    """The results in Markdown: every run, then time per row by size and the ratio 1M/10k."""
    lines = [
        f"# Importer scaling ({datetime.now(UTC):%d %B %Y})",
        "",
        f"Machine: {machine}. Database: {arguments.database}. Sizes: {', '.join(f'{size:,}' for size in sizes)} rows "
        f"(seed {arguments.seed}); each run in a fresh process and database.",
        "",
        "| importer | rows | seconds | µs per row | read | imported | updated | rejected | events |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, by_size in results.items():
        lines += [_line(name, size, result) for size, result in by_size.items()]
    if ons is not None:
        lines.append(_line("population (the ONS file's size)", ONS_LSOAS, ons))
    lines += ["", "Time per row (µs) by file size, and the ratio of the largest to the smallest:", "",
              "| importer | " + " | ".join(f"{size:,}" for size in sizes) + f" | {sizes[-1]:,} / {sizes[0]:,} |",
              "|---|" + "---:|" * (len(sizes) + 1)]
    for name, by_size in results.items():
        per_row = [by_size[size]["seconds"] / size * 1e6 if "seconds" in by_size.get(size, {}) else None
                   for size in sizes]
        cells = [f"{value:.1f}" if value is not None else "n/a" for value in per_row]
        ratio = f"{per_row[-1] / per_row[0]:.2f}" if per_row[0] and per_row[-1] else "n/a"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio} |")
    if ons is not None and "seconds" in ons:
        lines += ["", f"The population file at the ONS file's size ({ONS_LSOAS:,} rows) loaded in {ons['seconds']:.2f} s."]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="rows per file, comma-separated")
    parser.add_argument("--importers", default=",".join(IMPORTERS), help="comma-separated; default all")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", default="", help="with --database postgres: postgres://user:password@host/name "
                        "(databases named after it are created from templates and dropped)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds a run may take before it is stopped")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "importer_scaling.md")
    parser.add_argument("--child", choices=["template", "run"], help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--importer", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--directory", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        setup(arguments.directory, arguments.database_url)
        if arguments.child == "template":
            print(json.dumps(child_template(arguments.kind)))
        else:
            print(json.dumps(child_run(arguments.importer, arguments.rows, arguments.directory, arguments.seed)))
        return 0
    if arguments.database == "postgres" and not arguments.database_url.startswith("postgres"):
        parser.error("--database postgres needs --database-url postgres://…")
    url = arguments.database_url if arguments.database == "postgres" else ""
    sizes = sorted(int(size) for size in arguments.sizes.split(","))
    importers = [name for name in arguments.importers.split(",") if name]
    unknown = set(importers) - set(IMPORTERS)
    if unknown:
        parser.error(f"no importer {', '.join(sorted(unknown))}; the importers are {', '.join(IMPORTERS)}")
    results: dict[str, dict[int, dict]] = {}
    ons = None
    with tempfile.TemporaryDirectory(prefix="saferplace-scaling-") as directory:
        databases = Databases(Path(directory), url)
        here, template_url = databases.template("city")
        made = run_child("template", here, template_url, "--kind", "city")
        print(f"Template database (migrations, geography, organisations, profile): {made['seconds']:.1f} s")
        if "profile" in importers:
            here, template_url = databases.template("postcodes", copy_of="city")
            made = run_child("template", here, template_url, "--kind", "postcodes")
            print(f"Template with {POSTCODES_LOADED:,} postcodes: {made['seconds']:.1f} s")
        runs = [(importer, size) for importer in importers for size in sizes]
        if "population" in importers:
            runs.append(("population", ONS_LSOAS))
        for importer, size in runs:
            name = f"run-{importer}-{size}"
            here, run_url = databases.fresh(name, template="postcodes" if importer == "profile" else "city")
            os.sync()
            result = run_child("run", here, run_url, "--importer", importer, "--rows", str(size),
                               "--seed", str(arguments.seed), timeout=arguments.timeout)
            databases.drop(name)
            if importer == "population" and size == ONS_LSOAS:
                ons = result
            else:
                results.setdefault(importer, {})[size] = result
                if "renamed" in result:
                    results.setdefault(f"{importer} (every place renamed)", {})[size] = result["renamed"]
            shown = f"{result['seconds']:.2f} s, {result['seconds'] / size * 1e6:.1f} µs per row" \
                if "seconds" in result else f"stopped after {result['timeout']:.0f} s"
            print(f"{importer}, {size:,} rows: {shown}" + (
                f"; renamed {result['renamed']['seconds']:.2f} s" if "renamed" in result else ""), flush=True)
        for name in ("postcodes", "city"):
            databases.drop(name)
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
               f"{platform.platform()}")
    lines = report(results, sizes, arguments, ons, machine)
    print("\n".join(lines))
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Written to {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
