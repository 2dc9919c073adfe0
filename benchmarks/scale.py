"""The scale benchmark: the pages people wait for, measured as a user meets them (signed in,
through HTTP, the whole request), on a force-sized demo city, next to a smaller city in the
same run.

    .venv/bin/python benchmarks/scale.py --size 272 --data-dir /tmp/scale-sqlite-272 \\
        --compare-size 27 --compare-data-dir /tmp/scale-sqlite-27 [--repeat 20] [--pages hexagons "one ward"]
    .venv/bin/python benchmarks/scale.py --size 1            # a small city in a temporary folder
    # PostgreSQL: add --database-url postgres://… (and --compare-database-url postgres://…)

1. Each city is built with `saferplace demo --size N --no-serve` into its data directory
   (SQLite there, or the database `--database-url` names), unless one is there already: a city
   is built once and reused (then `--size` only labels it). Without `--data-dir`, a temporary
   folder is used and removed.
2. `saferplace serve` serves each city on a free port. The benchmark signs in through the
   sign-in pages, as a person would, as the police's analyst and the council's
   (analyst.police, analyst.council: the demo password, then the one-time code
   `saferplace demo-code` prints), and makes each an API token (`saferplace apitoken create`).
3. After a warm-up round, `--repeat` rounds: in each, every page once as each persona, in each
   city in turn (so the machine's other work falls on both alike). Each request is made on a new
   connection and timed from connecting to the last byte of the answer; one that is not a 200,
   or shows a form error, is counted as failed.
4. The pages: the explorer (`/incidents/`) with no filter and with the filters a user chooses,
   alone and together; the hexagon map's data (`/incidents/hexagons.json`, at the resolutions
   the map asks for); the home page; a page of the API's list (`/api/v1/incidents?limit=50`,
   with the token). The goals (issue 9) are on the 95th percentile: explorer under 300 ms,
   hexagons and home page under 150 ms, API page under 100 ms; and, with a smaller city to
   compare with, no page slower at the big city than at the small one by more than 1.5×.

The table (page, persona, p50 and p95 in ms, goal, met; with a comparison, the small city's p50
and p95 and the ratio of the p95s) is printed and written to
benchmarks/results/scale-<database>-<size>.md."""

import argparse
import gzip
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

from readers_during_import import ROOT, SAFERPLACE, free_port, percentile, run

PERSONAS = ("analyst.police", "analyst.council")
PASSWORD = "riverford-demo-2026"  # noqa: S105 - the demo personas' published password (saferplace/demo/personas.py)
GOALS = {"explorer": 300, "hexagons": 150, "home": 150, "api": 100}
RATIO_GOAL = 1.5
INCIDENTS_AT_SIZE_1 = 36_800
CITY_INFO = """
import json
from django.db.models import Max, Min
from saferplace.demo.geography import city_plan
from saferplace.incidents.models import Incident
from saferplace.places.models import Place
plan = city_plan()
lsoa = Place.objects.select_related("parent__parent").get(code=plan.hotspot_lsoas["town-centre"])
dates = Incident.objects.aggregate(first=Min("occurred_on"), last=Max("occurred_on"))
print(json.dumps({"incidents": Incident.objects.count(), "first": str(dates["first"]), "last": str(dates["last"]),
                  "ward": lsoa.parent.code, "community": lsoa.parent.parent.code,
                  "centre": list(plan.hotspot_points["town-centre"])}))
"""


@dataclass
class Page:
    name: str
    kind: str  # explorer, hexagons, home or api: which goal applies
    path: str


def pages(info: dict) -> list[Page]:
    """The explorer's filters as a user chooses them (see saferplace/web/explorer.py), the map's
    data, the home page and the API, for this city's places and period."""
    last = date.fromisoformat(info["last"])
    month_before = (last.replace(day=1) - timedelta(days=1)).replace(day=1)
    latitude, longitude = info["centre"]

    def explorer(**query) -> str:
        return "/incidents/" + ("?" + urllib.parse.urlencode(query, doseq=True) if query else "")

    every = [
        Page("explorer: no filter", "explorer", explorer()),
        Page("explorer: the last 3 months", "explorer", explorer(period="3")),
        Page("explorer: one category (violence)", "explorer", explorer(category="violent-crime")),
        Page("explorer: one ward", "explorer", explorer(place=info["ward"])),
        Page("explorer: place + category + dates", "explorer", explorer(
            place=info["community"], category="shoplifting", date_from=month_before.isoformat(), date_to=last.isoformat())),
        Page("explorer: recorded by the council", "explorer", explorer(owner="Riverford City Council")),
        Page("explorer: one outcome", "explorer", explorer(outcome="Local resolution")),
        Page("explorer: 22:00 to 04:00", "explorer", explorer(hour_from="22", hour_to="4")),
        Page("explorer: Saturdays and Sundays", "explorer", explorer(weekday=["6", "7"])),
        Page("explorer: search text", "explorer", explorer(q="Market Place")),
        Page("explorer: within 500 m of a point", "explorer", explorer(latitude=f"{latitude:.5f}", longitude=f"{longitude:.5f}",
                                                                         radius="500")),
        Page("explorer: oldest first", "explorer", explorer(sort="oldest")),
        Page("explorer: page 50", "explorer", explorer(page="50")),
        Page("explorer: many filters together", "explorer", explorer(
            period="12", category=["violent-crime", "public-order"], place=info["community"], hour_from="22",
            hour_to="4", weekday=["5", "6", "7"], sort="oldest")),
        Page("hexagons: resolution 8 (the city)", "hexagons", "/incidents/hexagons.json?resolution=8"),
        Page("hexagons: resolution 9 (zoomed in)", "hexagons", "/incidents/hexagons.json?resolution=9"),
        Page("hexagons: last 3 months, one category", "hexagons",
             "/incidents/hexagons.json?resolution=8&period=3&category=anti-social-behaviour"),
        Page("home page", "home", "/"),
        Page("API: a page of 50 incidents", "api", "/api/v1/incidents?limit=50"),
    ]
    return [page for page in every if not ONLY or any(text in page.name for text in ONLY)]


ONLY: list[str] = []  # --pages: only the pages whose names hold one of these


@dataclass
class Persona:
    username: str
    cookies: dict = field(default_factory=dict)
    token: str = ""


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage | None
    body: bytes
    seconds: float


def request(port: int, method: str, path: str, *, persona: Persona | None = None, form: dict | None = None,
            token: str = "") -> Answer:
    """One request on a new connection, timed from connecting to the last byte of the answer
    (asking for it compressed, as every browser does; then unpacked, untimed)."""
    headers = {"Connection": "close", "Accept-Encoding": "gzip"}
    if persona is not None and persona.cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in persona.cookies.items())
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    if response.headers.get("Content-Encoding") == "gzip":
        content = gzip.decompress(content)
    if persona is not None:
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                persona.cookies[name] = morsel.value
    return Answer(response.status, response.headers, content, seconds)


def _csrf(body: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not found:
        raise SystemExit("No CSRF token on the sign-in page.")
    return found.group(1).decode()


def sign_in(city: "City", username: str) -> Persona:
    """Sign in through the pages: username and password, then the one-time code (a code works
    once for each person: if it was just used, wait for the next)."""
    persona = Persona(username)
    page = request(city.port, "GET", "/sign-in/", persona=persona)
    answer = request(city.port, "POST", "/sign-in/", persona=persona,
                     form={"csrfmiddlewaretoken": _csrf(page.body), "username": username, "password": PASSWORD, "next": "/"})
    location = answer.headers.get("Location", "") if answer.headers else ""
    if answer.status != 302 or "/sign-in/code/" not in location:
        raise SystemExit(f"Signing in as {username} failed: {answer.status} {answer.body[:300]!r}")
    for _ in range(3):
        page = request(city.port, "GET", location, persona=persona)
        code = run([SAFERPLACE, "demo-code"], city.environment, "saferplace demo-code").split()[0]
        answer = request(city.port, "POST", location, persona=persona,
                         form={"csrfmiddlewaretoken": _csrf(page.body), "code": code})
        if answer.status == 302:
            break
        time.sleep(31 - time.time() % 30)  # this code was used already: the next one
    else:
        raise SystemExit(f"The one-time code was refused for {username}.")
    if request(city.port, "GET", "/", persona=persona).status != 200:
        raise SystemExit(f"Signed in as {username}, but the home page does not answer 200.")
    persona.token = run([SAFERPLACE, "apitoken", "create", username, "--name", "scale benchmark"],
                        city.environment, "saferplace apitoken create").strip().splitlines()[-1]
    return persona


@dataclass
class City:
    label: str
    data_dir: Path
    database_url: str
    size: float | None
    environment: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    build_seconds: float | None = None
    port: int = 0
    server: subprocess.Popen | None = None
    personas: list[Persona] = field(default_factory=list)
    timings: dict = field(default_factory=dict)  # (page, persona) → seconds of each request
    failures: dict = field(default_factory=dict)  # (page, persona) → what went wrong, the first time

    @property
    def database(self) -> str:
        return "postgresql" if self.database_url.startswith("postgres") else "sqlite"

    @property
    def size_label(self) -> str:
        size = self.size if self.size is not None else self.info["incidents"] / INCIDENTS_AT_SIZE_1
        return f"{size:g}" if size < 1 else f"{round(size)}"

    def prepare(self) -> None:
        """Build the city if it is not there yet, and read what the pages need from it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        self.environment |= {"SAFERPLACE_DATA_DIR": str(self.data_dir), "DJANGO_SETTINGS_MODULE": "saferplace.settings",
                             "MIGRATE_ON_START": "false"}
        if self.database_url:
            self.environment["DATABASE_URL"] = self.database_url
        started = time.perf_counter()
        output = run([SAFERPLACE, "demo", "--no-serve", "--size", str(self.size or 1)], self.environment,
                     f"saferplace demo for the {self.label}")
        if "Built Riverford" in output:
            self.build_seconds = time.perf_counter() - started
            print(f"{self.label}: built in {self.build_seconds:,.0f} s")
        self.info = json.loads(run([SAFERPLACE, "django", "shell", "-c", CITY_INFO], self.environment,
                                   "reading the city").strip().splitlines()[-1])
        print(f"{self.label}: {self.info['incidents']:,} incidents, {self.info['first']} to {self.info['last']} "
              f"({self.database}, {self.data_dir})")

    def serve(self, log_directory: Path) -> None:
        self.port = free_port()
        with (log_directory / f"server-{self.port}.log").open("wb") as log:
            self.server = subprocess.Popen([SAFERPLACE, "serve", "--port", str(self.port)], env=self.environment,  # noqa: S603
                                           cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                if request(self.port, "GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"The server of the {self.label} did not start: see {log_directory}")
            time.sleep(0.3)
        self.personas = [sign_in(self, username) for username in PERSONAS]

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait(timeout=60)

    def measure(self, page: Page, persona: Persona, *, record: bool) -> None:
        answer = request(self.port, "GET", page.path, persona=None if page.kind == "api" else persona,
                         token=persona.token if page.kind == "api" else "")
        problem = ""
        if answer.status != 200:
            problem = f"{answer.status}: {answer.body[:200]!r}"
        elif b"govuk-error-summary" in answer.body:
            problem = "the page shows a form error (the filter was not applied)"
        key = (page.name, persona.username)
        if problem:
            self.failures.setdefault(key, problem)
        if record:
            self.timings.setdefault(key, []).append(answer.seconds)


def measure_all(cities: list[City], repeat: int) -> None:
    """A warm-up round, then `repeat` rounds of every page as every persona in every city."""
    for round_number in range(repeat + 1):
        for city in cities:
            for page in pages(city.info):
                for persona in city.personas:
                    city.measure(page, persona, record=round_number > 0)
        if round_number:
            print(f"  round {round_number} of {repeat} done")


def milliseconds(values: list[float], share: float) -> float:
    return percentile(values, share) * 1000


def table(big: City, small: City | None) -> list[str]:
    header = "| page | persona | p50 ms | p95 ms | goal (p95) | met? |"
    rule = "|---|---|---:|---:|---:|---|"
    if small is not None:
        header += f" p50 ms at {small.size_label} | p95 ms at {small.size_label} | p95 × | ≤ {RATIO_GOAL}×? |"
        rule += "---:|---:|---:|---|"
    lines = [header, rule]
    for page in pages(big.info):
        for persona in PERSONAS:
            key = (page.name, persona)
            values = big.timings.get(key, [])
            p50, p95 = milliseconds(values, 0.50), milliseconds(values, 0.95)
            goal = GOALS[page.kind]
            met = "failed" if key in big.failures else ("yes" if p95 < goal else "no")
            line = f"| {page.name} | {persona} | {p50:,.0f} | {p95:,.0f} | {goal} | {met} |"
            if small is not None:
                others = small.timings.get(key, [])
                small_p95 = milliseconds(others, 0.95)
                ratio = p95 / small_p95 if small_p95 else float("nan")
                line += (f" {milliseconds(others, 0.50):,.0f} | {small_p95:,.0f} | {ratio:.2f} | "
                         f"{'yes' if ratio <= RATIO_GOAL else 'no'} |")
            lines.append(line)
    return lines


def report(cities: list[City], arguments, load: tuple[float, float]) -> Path:
    big = cities[0]
    small = cities[1] if len(cities) > 1 else None
    lines = table(big, small)
    print("\n".join(lines))
    failures = [f"- {city.label}, {page} as {persona}: {problem}" for city in cities
                for (page, persona), problem in city.failures.items()]
    for line in failures:
        print(line)
    requests = sum(len(values) for city in cities for values in city.timings.values())
    all_times = [value for city in cities for values in city.timings.values() for value in values]
    cities_text = "; ".join(
        f"{city.label}: {city.info['incidents']:,} incidents ({city.info['first']} to {city.info['last']}), "
        f"{city.database}" + (f", built in this run in {city.build_seconds:,.0f} s" if city.build_seconds else "")
        for city in cities
    )
    command = " ".join(["benchmarks/scale.py", *sys.argv[1:]])
    text = [
        f"# Scale benchmark: {big.database}, size {big.size_label} ({datetime.now(UTC):%d %B %Y})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}. Load average (1 min) {load[0]:.1f} before, {load[1]:.1f} after "
        "(other work was running on this machine unless the load was below 1).",
        f"Command: `.venv/bin/python {command}`.",
        f"Cities: {cities_text}.",
        f"{requests:,} requests timed after a warm-up round ({arguments.repeat} of each page as each persona in each city; "
        f"median of all {statistics.median(all_times) * 1000:,.0f} ms). Each on a new connection, from connecting to "
        "the last byte; p50 and p95 are nearest-rank percentiles.",
        "",
        *lines,
        "",
        f"Failed requests or pages with a form error: {len(failures) or 'none'}.",
        *failures,
    ]
    output = arguments.output or ROOT / "benchmarks" / "results" / f"scale-{big.database}-{big.size_label}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(text) + "\n", encoding="utf-8")
    print(f"Written to {output}")
    return output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, help="size of the city (saferplace demo --size) if it is built here")
    parser.add_argument("--data-dir", type=Path, help="the city's data directory (built there if it has none; kept)")
    parser.add_argument("--database-url", default="", help="the city's database (default: SQLite in the data directory)")
    parser.add_argument("--compare-size", type=float, help="size of the city to compare with, if it is built here")
    parser.add_argument("--compare-data-dir", type=Path, help="data directory of a smaller city to compare with")
    parser.add_argument("--compare-database-url", default="", help="its database (default: SQLite in its data directory)")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests of each page, as each persona, in each city")
    parser.add_argument("--output", type=Path, help="where to write the table (default benchmarks/results/scale-…)")
    parser.add_argument("--pages", nargs="*", default=[], help="only the pages whose names hold one of these texts")
    arguments = parser.parse_args()
    ONLY[:] = arguments.pages
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens, into a pipe too
    if arguments.size is None and arguments.data_dir is None:
        parser.error("give --size (and --data-dir to keep the city), or the --data-dir of a city already built")

    with tempfile.TemporaryDirectory(prefix="saferplace-scale-") as scratch:
        scratch = Path(scratch)
        cities = [City("city", arguments.data_dir or scratch / "city", arguments.database_url, arguments.size)]
        if arguments.compare_data_dir or arguments.compare_size:
            cities.append(City("city to compare with", arguments.compare_data_dir or scratch / "compare",
                               arguments.compare_database_url, arguments.compare_size))
        for city in cities:
            city.prepare()
        load_before = os.getloadavg()[0]
        try:
            for city in cities:
                city.serve(scratch)
            print(f"Serving on port(s) {', '.join(str(city.port) for city in cities)}; "
                  f"{len(pages(cities[0].info))} pages × {len(PERSONAS)} personas × {arguments.repeat} rounds")
            measure_all(cities, arguments.repeat)
        finally:
            for city in cities:
                city.stop()
            logs = sorted(scratch.glob("server-*.log"))
            if any(city.failures for city in cities) and logs:
                kept = Path(tempfile.mkdtemp(prefix="saferplace-scale-logs-"))
                for log in logs:
                    shutil.copy(log, kept / log.name)
                print(f"Server logs kept in {kept}")
        report(cities, arguments, (load_before, os.getloadavg()[0]))
    return 1 if any(city.failures for city in cities) else 0


if __name__ == "__main__":
    sys.exit(main())
