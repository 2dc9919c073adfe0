"""Point → place assignment: SaferPlace's vectorised `assign_places` against the obvious
per-point loops, in the same run, on the demo city of Riverford (125 LSOAs, 20 wards,
5 communities), plus the speed of H3 cell assignment.

    .venv/bin/python benchmarks/place_assignment.py [--points 1000000] [--baseline-points 20000]

The geography is built into a temporary SQLite database (nothing else is touched). The
baselines are slow, so they run on the first `--baseline-points` points only and their rate
is reported per point; both baselines must agree with `assign_places` on every one of those
points or the benchmark fails. Results are printed and written as a Markdown table to
benchmarks/results/place_assignment.md."""

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(directory: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/benchmark.sqlite3"
    os.environ["SAFERPLACE_DATA_DIR"] = directory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplace.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def per_point_bounding_box_loop(lats, lons, lsoas, parents):
    """For each point, test every LSOA: a bounding-box check, then shapely `contains`."""
    from shapely.geometry import Point

    results = []
    for lat, lon in zip(lats.tolist(), lons.tolist(), strict=True):
        found = -1
        point = Point(lon, lat)
        for place_id, (min_lon, min_lat, max_lon, max_lat), polygon in lsoas:
            if min_lon <= lon <= max_lon and min_lat <= lat <= max_lat and polygon.contains(point):
                found = place_id
                break
        ward = parents.get(found, -1)
        results.append((found, ward, parents.get(ward, -1)))
    return results


def per_point_tree_loop(lats, lons, tree, leaf_ids, parents):
    """For each point, one STRtree query (the index, without the vectorisation)."""
    from shapely.geometry import Point

    results = []
    for lat, lon in zip(lats.tolist(), lons.tolist(), strict=True):
        hits = tree.query(Point(lon, lat), predicate="intersects")
        found = int(leaf_ids[hits.min()]) if len(hits) else -1
        ward = parents.get(found, -1)
        results.append((found, ward, parents.get(ward, -1)))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--baseline-points", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "place_assignment.md")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="saferplace-benchmark-") as directory:
        setup_django(directory)
        import h3
        import numpy as np
        import shapely

        from saferplace.demo.geography import city_plan
        from saferplace.demo.services import geography_create
        from saferplace.partners.viewer import operator_viewer
        from saferplace.places.geometry import assign_places, h3_cells, place_index
        from saferplace.places.models import Place, PlaceKind

        plan = city_plan()
        geography_create(viewer=operator_viewer("benchmark"), plan=plan)
        min_lon, min_lat, max_lon, max_lat = plan.bounds
        generator = np.random.default_rng(arguments.seed)
        lats = generator.uniform(min_lat, max_lat, arguments.points)
        lons = generator.uniform(min_lon, max_lon, arguments.points)
        sample = min(arguments.baseline_points, arguments.points)

        _, index_seconds = timed(place_index)
        assigned, vector_seconds = timed(assign_places, lats, lons)
        inside = int((assigned[PlaceKind.LSOA] >= 0).sum())

        places = list(Place.objects.values("id", "kind", "parent_id", "boundary"))
        parents = {place["id"]: place["parent_id"] for place in places if place["kind"] in ("lsoa", "ward")}
        lsoas = []
        for place in places:
            if place["kind"] == "lsoa":
                polygon = shapely.geometry.shape(place["boundary"])
                lsoas.append((place["id"], polygon.bounds, polygon))
        loop_results, loop_seconds = timed(per_point_bounding_box_loop, lats[:sample], lons[:sample], lsoas, parents)
        tree = shapely.STRtree([polygon for _, _, polygon in lsoas])
        leaf_ids = np.array([place_id for place_id, _, _ in lsoas])
        tree_results, tree_seconds = timed(per_point_tree_loop, lats[:sample], lons[:sample], tree, leaf_ids, parents)

        vectorised = list(zip(
            assigned[PlaceKind.LSOA][:sample].tolist(),
            assigned[PlaceKind.WARD][:sample].tolist(),
            assigned[PlaceKind.COMMUNITY][:sample].tolist(),
            strict=True,
        ))
        disagreements = sum(a != b for a, b in zip(vectorised, loop_results, strict=True))
        disagreements += sum(a != b for a, b in zip(vectorised, tree_results, strict=True))

        cells, h3_seconds = timed(h3_cells, lats, lons)
        assert h3.get_resolution(cells[0]) == 9

    rate = {
        "vectorised": arguments.points / vector_seconds,
        "loop": sample / loop_seconds,
        "tree": sample / tree_seconds,
        "h3": arguments.points / h3_seconds,
    }
    rows = [
        ("`assign_places` (vectorised STRtree query + array walk up the hierarchy)", arguments.points, vector_seconds, rate["vectorised"], rate["vectorised"] / rate["loop"]),
        ("Baseline: per-point loop, bounding box then `contains` over 125 LSOAs", sample, loop_seconds, rate["loop"], 1.0),
        ("Baseline: per-point STRtree query", sample, tree_seconds, rate["tree"], rate["tree"] / rate["loop"]),
        ("`h3_cells` (H3 resolution 9, one call per point)", arguments.points, h3_seconds, rate["h3"], None),
    ]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}, Shapely {shapely.__version__} (GEOS {shapely.geos_version_string})"
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine}.",
        "",
        f"`.venv/bin/python benchmarks/place_assignment.py --points {arguments.points} --baseline-points {arguments.baseline_points}`: "
        f"{arguments.points:,} random points in the bounding box of Riverford ({inside:,} fall inside an LSOA); "
        f"the baselines ran on the first {sample:,} and agreed with `assign_places` on all of them"
        + ("." if disagreements == 0 else f" EXCEPT {disagreements} (FAILED)."),
        f"Building the STRtree index once took {index_seconds * 1000:.0f} ms (not included below).",
        "",
        "| method | points | seconds | points per second | speed-up over the per-point loop |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, points, seconds, per_second, speed_up in rows:
        if speed_up is None:
            shown = "n/a"
        else:
            shown = f"{speed_up:.1f}×" if speed_up < 10 else f"{speed_up:,.0f}×"
        lines.append(f"| {name} | {points:,} | {seconds:.2f} | {per_second:,.0f} | {shown} |")
    report = "\n".join(lines) + "\n"
    print(report)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(report, encoding="utf-8")
    if disagreements:
        print(f"FAILED: the methods disagree on {disagreements} points", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
