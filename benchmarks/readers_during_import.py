"""Readers while an import writes: do people reading SaferPlace keep being answered, on SQLite,
while a large police.uk import holds the database's one write lock?

    .venv/bin/python benchmarks/readers_during_import.py [--rows 1000000] [--api-readers 4] [--health-readers 2]

In a temporary data directory (nothing is left behind, and nothing of it is committed):

1. `saferplace demo --size 0.2 --no-serve` builds a demo database, and a synthetic police.uk
   file of `--rows` rows over the demo city is generated (the generator of
   benchmarks/police_uk_import.py);
2. `saferplace apitoken create analyst.council` makes a token, and `saferplace serve` serves the
   site (gunicorn, 2 processes × 4 threads) on a free port;
3. `--api-readers` threads each ask, in a loop, for `GET /api/v1/incidents?limit=50` (a page of
   incidents, which writes an audit entry: a write, so it has to wait for the write lock), and
   `--health-readers` threads for `GET /healthz` (one SELECT: a read only), each request on a
   new connection;
4. first with nothing else running (the baseline, `--baseline-seconds`), then while
   `saferplace import police-uk FILE --organisation "Fenshire Police"` runs, and for
   `--tail-seconds` after it ends.

The import's phases are read from its run as it goes (a read-only look at the database every
20 ms): it reads and checks the file, says "storing them now" just before its one write
transaction begins, and is marked succeeded as that transaction commits. Each request is
counted in the phase it began in, except that one that was running at any moment of the write
phase is counted in the write phase. A request fails if it gets no answer, an answer other
than 200, or an answer saying "database is locked"; the server's log is searched for the same
words. Results are printed and written to benchmarks/results/readers_during_import.md."""

import argparse
import http.client
import json
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAFERPLACE = str(Path(sys.executable).with_name("saferplace"))
FORCE = "Fenshire Police"
API_PATH = "/api/v1/incidents?limit=50"
HEALTH_PATH = "/healthz"
ENDPOINTS = {API_PATH: "API page (audited: a write)", HEALTH_PATH: "/healthz (a read)"}
PHASES = {
    "baseline": "baseline: no import",
    "reading": "import: reading and checking the file",
    "writing": "import: the write transaction",
    "after": "after the commit",
}
LOCKED = "database is locked"


@dataclass
class Request:
    path: str
    started: float
    ended: float
    status: int
    problem: str

    @property
    def failed(self) -> bool:
        return self.status != 200 or bool(self.problem)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(arguments: list[str], environment: dict, what: str) -> str:
    completed = subprocess.run(arguments, env=environment, capture_output=True, text=True, cwd=ROOT)
    if completed.returncode:
        raise SystemExit(f"{what} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return completed.stdout


def ask(port: int, path: str, token: str) -> Request:
    started = time.perf_counter()
    status, problem = 0, ""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            headers = {"Connection": "close", "Accept": "application/json"}
            if path == API_PATH:
                headers["Authorization"] = f"Bearer {token}"
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            status = response.status
            if LOCKED.encode() in body:
                problem = LOCKED
            elif status != 200:
                problem = body[:200].decode("utf-8", "replace")
        finally:
            connection.close()
    except (OSError, http.client.HTTPException) as error:
        problem = f"{type(error).__name__}: {error}"
    return Request(path, started, time.perf_counter(), status, problem)


def reader(port: int, path: str, token: str, stop: threading.Event, requests: list[Request]) -> None:
    while not stop.is_set():
        requests.append(ask(port, path, token))


class ImportWatcher(threading.Thread):
    """Notes when the import's run starts writing and when it commits, from the database."""

    def __init__(self, database: Path, after_run: int):
        super().__init__(name="import-watcher", daemon=True)
        self.database, self.after_run = database, after_run
        self.write_started: float | None = None
        self.committed: float | None = None
        self.status = ""
        self.message = ""
        self.stop = threading.Event()

    def run(self) -> None:
        look = sqlite3.connect(self.database, timeout=60)
        try:
            while not self.stop.is_set() and self.committed is None:
                row = look.execute(
                    "SELECT status, message FROM incidents_importrun WHERE id > ? ORDER BY id DESC LIMIT 1",
                    [self.after_run],
                ).fetchone()
                now = time.perf_counter()
                if row is not None:
                    self.status, self.message = row
                    if self.write_started is None and self.status == "running" and "storing them now" in self.message:
                        self.write_started = now
                    if self.status not in ("queued", "running"):
                        self.committed = now
                time.sleep(0.02)
        finally:
            look.close()


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def phase_of(request: Request, marks: dict) -> str | None:
    if marks["baseline_start"] <= request.started and request.ended <= marks["baseline_end"]:
        return "baseline"
    if request.started < marks["import_start"]:
        return None  # between the baseline and the import
    if request.started < marks["committed"] and request.ended >= marks["write_started"]:
        return "writing"
    if request.started < marks["write_started"]:
        return "reading"
    return "after"


def summarise(requests: list[Request], marks: dict) -> list[dict]:
    rows = []
    for phase in PHASES:
        for path in ENDPOINTS:
            chosen = [request for request in requests if request.path == path and phase_of(request, marks) == phase]
            if not chosen:
                continue
            milliseconds = [(request.ended - request.started) * 1000 for request in chosen]
            rows.append({
                "phase": phase, "path": path, "count": len(chosen),
                "p50": percentile(milliseconds, 0.50), "p90": percentile(milliseconds, 0.90),
                "p99": percentile(milliseconds, 0.99), "max": max(milliseconds),
                "failed": sum(request.failed for request in chosen),
            })
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the police.uk file imported")
    parser.add_argument("--size", type=float, default=0.2, help="size of the demo city (saferplace demo --size)")
    parser.add_argument("--api-readers", type=int, default=4, help="threads asking for the API page in a loop")
    parser.add_argument("--health-readers", type=int, default=2, help="threads asking for /healthz in a loop")
    parser.add_argument("--baseline-seconds", type=float, default=15.0)
    parser.add_argument("--tail-seconds", type=float, default=5.0, help="reading on after the import ends")
    parser.add_argument("--busy-timeout", type=int, default=None,
                        help="SQLITE_BUSY_TIMEOUT_SECONDS for the server and the import (default: the setting's default)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep-logs", type=Path, help="copy the server's and the import's logs to this folder")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "readers_during_import.md")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="saferplace-readers-") as directory:
        directory = Path(directory)
        database = directory / "saferplace.sqlite3"
        environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        environment |= {"SAFERPLACE_DATA_DIR": str(directory), "DJANGO_SETTINGS_MODULE": "saferplace.settings"}
        if arguments.busy_timeout is not None:
            environment["SQLITE_BUSY_TIMEOUT_SECONDS"] = str(arguments.busy_timeout)
        busy_timeout = run([SAFERPLACE, "django", "shell", "-c", "from django.conf import settings; print(settings.SQLITE_BUSY_TIMEOUT_SECONDS)"],
                           environment, "reading the settings").strip().splitlines()[-1]

        start = time.perf_counter()
        run([SAFERPLACE, "demo", "--size", str(arguments.size), "--no-serve"], environment, "saferplace demo")
        print(f"Demo database (size {arguments.size:g}) built in {time.perf_counter() - start:.0f} s")
        file = directory / "police-uk-street.csv"
        start = time.perf_counter()
        run([sys.executable, str(ROOT / "benchmarks" / "police_uk_import.py"), "--child", "generate", "--file", str(file),
             "--directory", str(directory), "--rows", str(arguments.rows), "--seed", str(arguments.seed)],
            environment, "generating the file")
        print(f"Generated {arguments.rows:,} rows ({file.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - start:.0f} s")
        token = run([SAFERPLACE, "apitoken", "create", "analyst.council", "--name", "readers benchmark"],
                    environment, "saferplace apitoken create").strip().splitlines()[-1]
        with closing(sqlite3.connect(database)) as look:
            incidents_before = look.execute("SELECT COUNT(*) FROM incidents_incident").fetchone()[0]
            last_run = look.execute("SELECT COALESCE(MAX(id), 0) FROM incidents_importrun").fetchone()[0]

        port = free_port()
        server_log = directory / "server.log"
        with server_log.open("wb") as output:
            server = subprocess.Popen([SAFERPLACE, "serve", "--port", str(port)], env=environment, cwd=ROOT,
                                      stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while ask(port, HEALTH_PATH, token).status != 200:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"The server did not start:\n{server_log.read_text()[-3000:]}")
                time.sleep(0.2)
            check = ask(port, API_PATH, token)
            if check.failed:
                raise SystemExit(f"The API page does not answer 200: {check.status} {check.problem}")
            print(f"Serving on port {port}; {arguments.api_readers} + {arguments.health_readers} readers; "
                  f"SQLite busy timeout {busy_timeout} s")

            requests: list[Request] = []
            stop = threading.Event()
            readers = [threading.Thread(target=reader, args=(port, path, token, stop, requests), daemon=True)
                       for path, count in ((API_PATH, arguments.api_readers), (HEALTH_PATH, arguments.health_readers))
                       for _ in range(count)]
            for thread in readers:
                thread.start()
            time.sleep(2)  # warm-up: not counted
            marks = {"baseline_start": time.perf_counter()}
            load_before = os.getloadavg()
            time.sleep(arguments.baseline_seconds)
            marks["baseline_end"] = time.perf_counter()

            watcher = ImportWatcher(database, last_run)
            watcher.start()
            import_log = directory / "import.log"
            marks["import_start"] = time.perf_counter()
            with import_log.open("wb") as output:
                completed = subprocess.run(
                    [SAFERPLACE, "import", "police-uk", str(file), "--organisation", FORCE],
                    env=environment, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                )
            marks["import_end"] = time.perf_counter()
            watcher.stop.set()
            watcher.join()
            load_during = os.getloadavg()
            time.sleep(arguments.tail_seconds)
            stop.set()
            for thread in readers:
                thread.join(timeout=150)
            marks["end"] = time.perf_counter()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        if completed.returncode or watcher.status != "succeeded" or watcher.write_started is None:
            print(import_log.read_text()[-3000:])
            raise SystemExit(f"The import did not succeed ({watcher.status}: {watcher.message})")
        marks["write_started"], marks["committed"] = watcher.write_started, watcher.committed
        with closing(sqlite3.connect(database)) as look:
            incidents_after = look.execute("SELECT COUNT(*) FROM incidents_incident").fetchone()[0]
        server_text = server_log.read_text(errors="replace")
        server_locked = server_text.count(LOCKED)
        restarts = server_text.count("WORKER TIMEOUT")
        server_errors = sum(" 500 " in line or "Traceback" in line for line in server_text.splitlines())
        if arguments.keep_logs:
            arguments.keep_logs.mkdir(parents=True, exist_ok=True)
            for log in (server_log, import_log):
                (arguments.keep_logs / log.name).write_bytes(log.read_bytes())
        size_mib = file.stat().st_size / 2**20

    rows = summarise(requests, marks)
    failures = [request for request in requests if request.failed]
    write_seconds = marks["committed"] - marks["write_started"]
    import_seconds = marks["import_end"] - marks["import_start"]
    print(f"Import: {import_seconds:.1f} s in all (Django start-up included), of which the write transaction "
          f"{write_seconds:.1f} s; {incidents_after - incidents_before:,} incidents added")
    header = "| phase | endpoint | requests | p50 ms | p90 ms | p99 ms | max ms | failed |"
    table = [header, "|---|---|---:|---:|---:|---:|---:|---:|"] + [
        f"| {PHASES[row['phase']]} | {ENDPOINTS[row['path']]} | {row['count']:,} | {row['p50']:,.0f} | {row['p90']:,.0f} | "
        f"{row['p99']:,.0f} | {row['max']:,.0f} | {row['failed']} |"
        for row in rows
    ]
    print("\n".join(table))
    print(f"Failed requests: {len(failures)} of {len(requests):,}; '{LOCKED}' in the server's log: {server_locked} times; "
          f"gunicorn worker timeouts: {restarts}")
    for request in failures[:10]:
        print(f"  {request.path}: {request.status} after {request.ended - request.started:.1f} s, "
              f"{' '.join(request.problem.split())[:120]}")

    lines = [
        f"# Readers during an import ({datetime.now(UTC):%d %B %Y})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}, {platform.platform()}. Load average (1 min) {load_before[0]:.1f} as the baseline "
        f"began, {load_during[0]:.1f} as the import ended.",
        f"Command: `.venv/bin/python benchmarks/readers_during_import.py --rows {arguments.rows} "
        f"--api-readers {arguments.api_readers} --health-readers {arguments.health_readers} "
        f"--baseline-seconds {arguments.baseline_seconds:g} --size {arguments.size:g}"
        + (f" --busy-timeout {arguments.busy_timeout}" if arguments.busy_timeout is not None else "") + "`. "
        f"SQLite busy timeout: {busy_timeout} s.",
        f"Demo database of {incidents_before:,} incidents; a police.uk file of {arguments.rows:,} rows ({size_mib:.0f} MiB) "
        f"imported with `saferplace import police-uk` while {arguments.api_readers + arguments.health_readers} threads "
        "read through `saferplace serve`.",
        "",
        f"The import took {import_seconds:.1f} s (process start-up included); its write transaction "
        f"{write_seconds:.1f} s. It added {incidents_after - incidents_before:,} incidents.",
        "",
        *table,
        "",
        f"Failed requests: {len(failures)} of {len(requests):,}. '{LOCKED}' in the server's log: {server_locked} times; "
        f"error lines (500 or traceback): {server_errors}.",
    ]
    lines += [f"- `{request.path}`: {request.status or 'no answer'} after {request.ended - request.started:.1f} s, "
              f"{' '.join(request.problem.split())[:120]}" for request in failures[:10]]
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (arguments.output.with_suffix(".json")).write_text(json.dumps(
        {"rows": rows, "marks": {key: value - marks["baseline_start"] for key, value in marks.items()},
         "failed": len(failures), "requests": len(requests), "server_locked": server_locked,
         "worker_timeouts": restarts,
         "each": [[request.path, round(request.started - marks["baseline_start"], 3),
                   round(request.ended - request.started, 3), request.status] for request in requests]}))
    print(f"Written to {arguments.output}")
    return 1 if failures or server_locked else 0


if __name__ == "__main__":
    sys.exit(main())
