"""How well the prospective hotspots foresee months they never saw, beside the baseline.

    .venv/bin/python benchmarks/forecast_accuracy.py --data-dir /tmp/lead-27 [--months 4]
    # PostgreSQL: add --database-url postgres://…

For each category (and all of them together), ProMap's forecast (`analysis/forecast.py`) and the
"last period's counts" baseline are each made from the months before each of the last `--months`
months and judged on that month: the hit rate and Predictive Accuracy Index of flagging the top
1%, 5% and 10% of cells (`saferplace forecast --evaluate`). Results are printed and written to
benchmarks/results/forecast_accuracy-<database>.md."""

import argparse
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from readers_during_import import ROOT, SAFERPLACE

CATEGORIES = ["burglary", "vehicle-crime", "violent-crime", "anti-social-behaviour", "fly-tipping", None]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--months", type=int, default=4)
    parser.add_argument("--output", type=Path)
    options = parser.parse_args()
    environment = {**os.environ, "SAFERPLACE_DATA_DIR": str(options.data_dir)}
    if options.database_url:
        environment["DATABASE_URL"] = options.database_url
    database = "postgresql" if options.database_url else "sqlite"
    lines = [f"# Forecast accuracy: {database} ({date.today():%d %B %Y})", "", f"Command: `{' '.join(sys.argv)}`.", "",
             "| category | months judged | method | hit rate 1% | PAI 1% | hit rate 5% | PAI 5% | hit rate 10% | PAI 10% |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for category in CATEGORIES:
        arguments = [SAFERPLACE, "forecast", "--evaluate", "--months", str(options.months), "--format", "json"]
        if category:
            arguments += ["--category", category]
        completed = subprocess.run(arguments, env=environment, capture_output=True, text=True, cwd=ROOT)
        if completed.returncode:
            lines.append(f"| {category or 'every category'} | — | {completed.stderr.strip()[:120]} | | | | | | |")
            continue
        found = json.loads(completed.stdout)
        months = ", ".join(month["period"] for month in found["months"])
        for method, label in (("promap", "ProMap"), ("last_period", "last period's counts")):
            figures = found["means"][method]
            cells = " | ".join(f"{figures[share]['hit_rate']:.1%} | {figures[share]['pai']:.1f}" for share in ("0.01", "0.05", "0.1"))
            lines.append(f"| {category or 'every category'} | {months} | {label} | {cells} |")
        print(lines[-2], lines[-1], sep="\n", flush=True)
    text = "\n".join(lines) + "\n"
    output = options.output or ROOT / "benchmarks" / "results" / f"forecast_accuracy-{database}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
