"""Public reporting under load: Open311 clients posting reports and reading them, on the loopback
interface, against the real server (`saferplace serve`: gunicorn, 2 processes × 4 threads).

    .venv/bin/python benchmarks/open311_load.py [--seconds 10] [--rates 50,100,200,300,400]
    # PostgreSQL: add --database-url postgres://…   (an empty database: it is migrated and filled)

In a temporary data directory (nothing is left behind):

1. `saferplace demo --size 0.2 --no-serve` builds the demo city (its places, services and routing);
   `saferplace open311 key create --name load-test --per-minute 100000` issues a key whose
   limit is above the load (the per-key limit is shown working in the tests, not here).
2. **Baseline**, in the same run: `GET /healthz` (one SELECT) at 50 requests a second.
3. **POST requests**: an open-loop load (requests are sent on a fixed schedule, whatever the
   answers' pace, so a slow server is not hidden by a client that waits) of form-encoded
   reports at each rate of `--rates` for `--seconds` each, a new report per request, until the
   first error (any answer but 200/201, or a connection error) or a rate the server cannot keep
   up with (answered at less than 95% of the rate asked, the last answers' wait included). A tenth of the
   posts carry an `Idempotency-Key` and are sent twice: the second must get the first answer.
4. **GET requests**: `GET /open311/v2/requests.json?page_size=1000` (a thousand reports, the
   window's default) at 50 a second for `--seconds` (one address asked again and again: answered
   from the answer kept for a second, as many apps polling one list are); the same list with a
   different `start_date` each time at 25 a second (never a kept answer: the cost of working one
   out); and the POST again at 50 a second.
5. **Nothing lost or doubled**: every report answered with an id is in the database once, and
   the database holds no report that was not answered (besides the demo's), each idempotent
   retry answered with the first id.

Latency is measured for the whole request (connect, send, server, answer read) from the moment
it was scheduled: p50, p95 and p99, requests per second achieved. Printed and written to
benchmarks/results/open311_load-<database>.md."""

import argparse
import http.client
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from readers_during_import import ROOT, SAFERPLACE, free_port, run

THREADS = 64
OK = (200, 201)


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    retried: list[tuple[str, str]] = field(default_factory=list)  # (first id, retry's id)
    sent: int = 0
    elapsed: float = 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def line(self, what: str, rate: int) -> str:
        achieved = len(self.latencies) / self.elapsed if self.elapsed else 0
        return (f"| {what} | {rate} | {self.sent} | {achieved:.0f} | {self.percentile(0.5):.1f} | "
                f"{self.percentile(0.95):.1f} | {self.percentile(0.99):.1f} | {len(self.errors)} |")


class Client:
    """One keep-alive connection per thread."""

    def __init__(self, port: int):
        self.port = port
        self.local = threading.local()

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            connection = getattr(self.local, "connection", None)
            if connection is None:
                connection = self.local.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                connection.request(method, path, body=body, headers=headers or {})
                response = connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                connection.close()
                self.local.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def kept_up(outcome: Outcome, rate: int) -> bool:
    """No error, and answered at 95% of the rate asked or more (counting the time the last
    answers took to come): a server that answers everything but falls ever further behind has
    not kept up."""
    return not outcome.errors and outcome.elapsed > 0 and len(outcome.latencies) / outcome.elapsed >= 0.95 * rate


def post_body(key: str, service: dict, number: int) -> str:
    fields = {"api_key": key, "service_code": service["service_code"], "lat": service["lat"],
              "long": service["long"], "description": f"Load test report {number}: bags by the garages",
              "email": f"resident{number}@example.org"}
    fields.update({f"attribute[{code}]": value for code, value in service["answers"].items()})
    return urllib.parse.urlencode(fields)


def load(client: Client, rate: int, seconds: float, make) -> Outcome:
    """Send `make(i)` → (method, path, body, headers, retry?) at `rate` a second for `seconds`."""
    outcome = Outcome()
    lock = threading.Lock()
    count = int(rate * seconds)
    start = time.perf_counter() + 0.2

    def one(i: int) -> None:
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        method, path, body, headers, again = make(i)
        try:
            status, answer = client.request(method, path, body, headers)
            retry_status, retry_answer = client.request(method, path, body, headers) if again else (status, answer)
        except (OSError, http.client.HTTPException) as error:
            with lock:
                outcome.errors.append(f"{type(error).__name__}: {error}")
            return
        latency = time.perf_counter() - scheduled
        with lock:
            if status not in OK or retry_status not in OK:
                outcome.errors.append(f"{status}/{retry_status}: {answer[:200]!r}")
                return
            outcome.latencies.append(latency)
            if method == "POST":
                first = str(json.loads(answer)[0]["service_request_id"])
                outcome.ids.append(first)
                if again:
                    outcome.retried.append((first, str(json.loads(retry_answer)[0]["service_request_id"])))

    began = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(one, range(count)))
    outcome.sent, outcome.elapsed = count, time.perf_counter() - began
    return outcome


SETUP = r"""
import json, sys
import django
django.setup()
from saferplace.reports.models import Report, Service
service = Service.objects.filter(active=True, private=False, routes__isnull=False).exclude(
    attributes__required=True, attributes__datatype__in=["datetime"]).distinct().order_by("id").first()
answers = {}
for attribute in service.attributes.filter(required=True):
    answers[attribute.code] = attribute.values[0]["key"] if attribute.values else "1"
report = Report.objects.filter(service=service).order_by("id").first()
print(json.dumps({"service_code": service.code, "lat": report.latitude, "long": report.longitude,
                  "answers": answers, "reports": Report.objects.count()}))
"""

COUNT = r"""
import json, sys
import django
django.setup()
from saferplace.reports.models import Report
ids = [str(pk) for pk in Report.objects.filter(description__startswith="Load test report").values_list("pk", flat=True)]
print(json.dumps(ids))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rates", default="50,100,200,300,400")
    parser.add_argument("--database-url", default="")
    options = parser.parse_args()
    rates = [int(rate) for rate in options.rates.split(",")]
    with tempfile.TemporaryDirectory(prefix="saferplace-open311-") as data_dir:
        environment = {**os.environ, "SAFERPLACE_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "saferplace.settings",
                       "SAFERPLACE_PUBLIC_READS_PER_MINUTE": "1000000"}
        if options.database_url:
            environment["DATABASE_URL"] = options.database_url
        database = "postgresql" if options.database_url else "sqlite"
        print("Building the demo city…", flush=True)
        run([SAFERPLACE, "demo", "--size", "0.2", "--no-serve"], environment, "The demo")
        key = run([SAFERPLACE, "open311", "key", "create", "--name", "load-test", "--per-minute", "100000"],
                  environment, "The key").strip().splitlines()[-1]
        service = json.loads(run([sys.executable, "-c", SETUP], environment, "Reading the services"))
        port = free_port()
        server = subprocess.Popen([SAFERPLACE, "serve", "--port", str(port)], env=environment, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            client = Client(port)
            for _ in range(300):
                try:
                    if client.request("GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    client.local.connection = None
                time.sleep(0.1)
            rows = measure(client, key, service, rates, options.seconds)
            answered = [i for row in rows for i in row[2].ids]
            retried = [pair for row in rows for pair in row[2].retried]
            stored = json.loads(run([sys.executable, "-c", COUNT], environment, "Counting"))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    report(rows, answered, retried, stored, database, options)


def measure(client: Client, key: str, service: dict, rates: list[int], seconds: float) -> list:
    posted = iter(range(10**9))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}

    def post(i: int):
        number = next(posted)
        again = number % 10 == 0
        return ("POST", "/open311/v2/requests.json", post_body(key, service, number),
                {**headers, **({"Idempotency-Key": f"load-{number}"} if again else {})}, again)

    rows = [("GET /healthz (baseline)", 50, load(client, 50, seconds, lambda i: ("GET", "/healthz", None, {}, False)))]
    for rate in rates:
        outcome = load(client, rate, seconds, post)
        rows.append(("POST requests.json", rate, outcome))
        print(rows[-1][2].line(rows[-1][0], rate), flush=True)
        if not kept_up(outcome, rate):
            break
    rows.append(("GET requests.json?page_size=1000", 50,
                 load(client, 50, seconds, lambda i: ("GET", "/open311/v2/requests.json?page_size=1000", None,
                                                      {"Accept": "application/json"}, False))))
    start = datetime.now(UTC) - timedelta(days=89)

    def distinct(i: int):  # each request asks for another second of the window: never a kept answer
        since = (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return ("GET", f"/open311/v2/requests.json?page_size=1000&start_date={since}", None,
                {"Accept": "application/json"}, False)

    rows.append(("GET requests.json?page_size=1000, each distinct (never kept)", 25, load(client, 25, seconds, distinct)))
    rows.append(("POST requests.json", 50, load(client, 50, seconds, post)))
    for what, rate, outcome in rows[-3:]:
        print(outcome.line(what, rate), flush=True)
    return rows


def report(rows, answered, retried, stored, database, options) -> None:
    sustained = max((rate for what, rate, outcome in rows if what.startswith("POST") and kept_up(outcome, rate)),
                    default=0)
    lines = [
        f"# Open311 under load ({database})", "",
        f"`.venv/bin/python benchmarks/open311_load.py --seconds {options.seconds:g} --rates {options.rates}`"
        f"{' --database-url …' if database == 'postgresql' else ''}", "",
        f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; the server and the "
        "load on the same machine.", "",
        "| Request | Rate asked (/s) | Sent | Answered (/s) | p50 ms | p95 ms | p99 ms | Errors |",
        "|---|---|---|---|---|---|---|---|",
        *[outcome.line(what, rate) for what, rate, outcome in rows], "",
        f"Highest POST rate sustained with no error: **{sustained}/s**.", "",
        f"Reports answered: {len(answered)}, distinct: {len(set(answered))}; in the database: {len(stored)}, "
        f"distinct: {len(set(stored))}; answered but missing: {len(set(answered) - set(stored))}; stored but never "
        f"answered: {len(set(stored) - set(answered))}; idempotent retries answered with another id: "
        f"{sum(1 for first, again in retried if first != again)} of {len(retried)}.",
    ]
    errors = [error for _, _, outcome in rows for error in outcome.errors][:5]
    if errors:
        lines += ["", "First errors:", *[f"- `{error}`" for error in errors]]
    text = "\n".join(lines) + "\n"
    print(text)
    results = ROOT / "benchmarks" / "results" / f"open311_load-{database}.md"
    results.write_text(text)


if __name__ == "__main__":
    main()
