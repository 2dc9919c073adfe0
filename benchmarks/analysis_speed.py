"""How long the analyses take on a big city, and what SaferPlace adds to PySAL's own Gi*.

    .venv/bin/python benchmarks/analysis_speed.py --data-dir /tmp/lead-27 [--repeat 3]
    # PostgreSQL: add --database-url postgres://…

1. **Whole commands**, each its own process timed from start to end, as the operator (every
   incident): `saferplace hotspots --format json`, `saferplace emerging --interval week --format
   json` and `--interval month`, and `saferplace issues --format json`, all at the stored
   resolution (9). Issue 10 asks for hotspots, the weekly cube and the ranked issues together
   within 10 s at a million incidents over two years (`saferplace demo --size 13.5 --months 24`). (The
   worker runs the same selectors for the pages; the pages themselves never compute.)
2. **The Gi\\* step beside PySAL's**, in one process on the same data: SaferPlace's `gi_star`
   (hotspots) and `space_time_gi` (the weekly cube), each timed whole (building its weights from
   the H3 grid, the statistic, the p and q values), against a plain `esda.G_Local` call on the
   same values with the same neighbours given as a libpysal `Graph` built beforehand (binary,
   `star=True`, no permutations), best of `--repeat` each. Issue 10 asks for the step within
   1.2× of the plain call.

The city is one built by `saferplace demo --size N` (see benchmarks/scale.py). Results are
printed and written to benchmarks/results/analysis_speed-<database>.md."""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from readers_during_import import ROOT, SAFERPLACE

COMMANDS = [
    ("hotspots (all incidents)", ["hotspots", "--format", "json"]),
    ("emerging hot spots, weekly", ["emerging", "--interval", "week", "--format", "json"]),
    ("emerging hot spots, monthly", ["emerging", "--interval", "month", "--format", "json"]),
    ("ranked issues", ["issues", "--format", "json"]),
]

IN_PROCESS = """
import json, sys, time, warnings
import django
django.setup()
import numpy as np
from esda.getisord import G_Local
from libpysal.graph import Graph
from saferplace.analysis import emerging, getis_ord
from saferplace.analysis.selectors import _area, _cube, _periods
from saferplace.incidents.selectors import IncidentFilters, incident_counts_by_cell_and_period, incident_hexagons
from saferplace.partners.viewer import operator_viewer
repeat = int(sys.argv[1])
viewer, filters = operator_viewer(), IncidentFilters()
warnings.simplefilter("ignore")

def best(function):
    times = []
    for _ in range(repeat):
        started = time.perf_counter(); function(); times.append(time.perf_counter() - started)
    return min(times)

area = _area(viewer=viewer, filters=filters, resolution=9)
values = {row["cell"]: row["count"] for row in incident_hexagons(viewer=viewer, filters=filters, resolution=9)}
y = np.array([float(values.get(cell, 0)) for cell in area])
from scipy import sparse

def neighbours_only(weights):  # the graph a PySAL user builds: neighbours, not the cell itself
    return Graph.from_sparse((weights - sparse.identity(weights.shape[0], format="csr")).tocsr())

plain_w = neighbours_only(emerging.cube_weights(area, 1, 0))
ours = best(lambda: getis_ord.gi_star(values, area))
plain = best(lambda: G_Local(y, plain_w, transform="B", star=True, permutations=0))
plain_h3 = best(lambda: G_Local(y, Graph.build_h3(area), transform="B", star=True, permutations=0))
weights_once = emerging.cube_weights(area, 1, 0)
ours_given = best(lambda: emerging.gi(y, weights_once))
from saferplace.analysis.selectors import emerging_find, hotspots_find
from saferplace.analysis.ranking import issues_rank
selectors = [best(lambda: hotspots_find(viewer=viewer)), best(lambda: emerging_find(viewer=viewer, interval="week")),
             best(lambda: issues_rank(viewer=viewer))]
bins = incident_counts_by_cell_and_period(viewer=viewer, filters=filters, interval="week", resolution=9)
periods = _periods(min(row["period"] for row in bins), max(row["period"] for row in bins), "week")
cube = _cube(bins, area, periods, "count")
graph = neighbours_only(emerging.cube_weights(area, len(periods), emerging.TIME_WINDOW))
cube_ours = best(lambda: emerging.space_time_gi(cube, area))
cube_plain = best(lambda: G_Local(cube.ravel(), graph, transform="B", star=True, permutations=0))
print(json.dumps({"cells": len(area), "weeks": len(periods), "gi": [ours, plain], "cube": [cube_ours, cube_plain],
                  "gi_given": [ours_given, plain], "gi_h3": [ours, plain_h3],
                  "incidents": int(y.sum()), "in_cube": int(cube.sum()), "selectors": selectors}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a city's data directory (saferplace demo)")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path)
    options = parser.parse_args()
    environment = {**os.environ, "SAFERPLACE_DATA_DIR": str(options.data_dir), "DJANGO_SETTINGS_MODULE": "saferplace.settings"}
    if options.database_url:
        environment["DATABASE_URL"] = options.database_url
    database = "postgresql" if options.database_url else "sqlite"
    lines = [f"# Analysis speed: {database} ({date.today():%d %B %Y})", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
             f"Load average (1 min) {os.getloadavg()[0]:.1f} before.",
             f"Command: `{' '.join(sys.argv)}`.", "", "| command | seconds (median) | runs |", "|---|---:|---|"]
    total = 0.0
    for name, arguments in COMMANDS:
        runs = []
        for _ in range(options.repeat):
            started = time.perf_counter()
            completed = subprocess.run([str(SAFERPLACE), *arguments], env=environment, capture_output=True, text=True, cwd=ROOT)
            runs.append(time.perf_counter() - started)
            if completed.returncode:
                raise SystemExit(f"{name} failed: {completed.stderr[-2000:]}")
        median = statistics.median(runs)
        total += median if "monthly" not in name else 0
        lines.append(f"| `saferplace {' '.join(arguments)}` | {median:.2f} | {', '.join(f'{run:.2f}' for run in runs)} |")
        print(lines[-1], flush=True)
    lines += ["", f"Hotspots, the weekly cube and the ranked issues together: **{total:.1f} s** (goal: 10 s).", ""]
    measured = subprocess.run([sys.executable, "-c", IN_PROCESS, str(options.repeat)], env=environment,
                              capture_output=True, text=True, cwd=ROOT)
    if measured.returncode:
        raise SystemExit(f"the in-process measurement failed: {measured.stderr[-2000:]}")
    import json

    figures = json.loads(measured.stdout.strip().splitlines()[-1])
    lines += [f"The Gi* step beside a plain `esda.G_Local` call on the same data ({figures['cells']:,} cells; the weekly "
              f"cube {figures['cells']:,} × {figures['weeks']} weeks, {figures['in_cube']:,} incidents dated to the day), "
              f"best of {options.repeat}:", "", "| step | SaferPlace s | plain esda s | × |", "|---|---:|---:|---:|"]
    for label, key in (("hotspots: `gi_star` (its weights built too)", "gi"),
                       ("hotspots: `emerging.gi` alone (the weights built beforehand, as the plain call's)", "gi_given"),
                       ("hotspots: `gi_star` whole, beside `Graph.build_h3` + `G_Local` (a PySAL user's whole step)",
                        "gi_h3"),
                       ("emerging: `space_time_gi` (the cube's weights built too)", "cube")):
        ours, plain = figures[key]
        lines.append(f"| {label} | {ours:.3f} | {plain:.3f} | {ours / plain:.2f} |")
    hotspots, weekly, ranked = figures["selectors"]
    lines += ["", f"In a process that has imported PySAL already (the worker, which works out what the pages show), "
              f"best of {options.repeat}: hotspots {hotspots:.2f} s, the weekly emerging hot spots {weekly:.2f} s, "
              f"the ranked issues {ranked:.2f} s; together {hotspots + weekly + ranked:.2f} s."]
    text = "\n".join(lines) + "\n"
    print(text)
    output = options.output or ROOT / "benchmarks" / "results" / f"analysis_speed-{database}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
