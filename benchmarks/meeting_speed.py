"""What people wait for around the daily meeting, on a big city, each beside a baseline measured
in the same run.

    .venv/bin/python benchmarks/meeting_speed.py --data-dir /tmp/lead-2y [--repeat 3] [--polls 200]
    # PostgreSQL: add --database-url postgres://…

1. **Drafting the agenda**, the whole command timed from start to end as its own process:
   `saferplace meeting prepare --format json` beside `saferplace issues --format json` (the
   ranking alone, over every incident, which the draft reads as the chair may see it for the
   last year). Best of `--repeat`.
2. **Following a meeting live**: one follower's request each second, answered in-process through
   Django's test client (the whole request: middleware, session, viewer, the policy): the
   "nothing changed" answer (204) beside the live part redrawn, and the whole meeting page a
   reload would cost. Median and 95th percentile over `--polls` requests.
3. **The minutes**: the printable page beside its PDF (WeasyPrint) for the chair, median of five.

The city is one built by `saferplace demo` (see benchmarks/scale.py); a city built before the
meetings app gets the demo's meeting series first. Results are printed and written to
benchmarks/results/meeting_speed-<database>.md."""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from readers_during_import import ROOT, SAFERPLACE

IN_PROCESS = r"""
import json, statistics, sys, time
import django
django.setup()
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.utils import timezone
from saferplace.meetings.models import Meeting, MeetingSeries, MeetingStatus
from saferplace.partners.models import User

polls = int(sys.argv[1])
settings.ALLOWED_HOSTS = ["*"]
if not MeetingSeries.objects.exists():
    from saferplace.demo.meetings import demo_meetings_create
    from saferplace.partners.viewer import operator_viewer
    demo_meetings_create(viewer=operator_viewer("benchmark"), personas=list(User.objects.filter(is_demo_persona=True)))
chair = User.objects.get(username="chair.police")
client = Client()
client.force_login(chair)
session = client.session
session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=chair).persistent_id
session.save()
meeting = Meeting.objects.filter(status=MeetingStatus.PLANNED).order_by("date").first()
if meeting is None:  # drafted as the worker does each morning
    from saferplace.meetings.agenda import agenda_prepare
    from saferplace.partners.viewer import operator_viewer
    meeting = agenda_prepare(viewer=operator_viewer("benchmark"), series=MeetingSeries.objects.get()).meeting
closed = Meeting.objects.filter(status=MeetingStatus.CLOSED).order_by("-date").first()

def timed(path, count, status):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == status, (path, response.status_code)
    times.sort()
    return {"median_ms": 1000 * statistics.median(times), "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))]}

meeting.refresh_from_db()
live = f"/meetings/{meeting.pk}/live"
found = {
    "agenda items": meeting.entries.count(),
    "nothing changed (204)": timed(f"{live}?version={meeting.version}", polls, 204),
    "live part redrawn": timed(live, max(20, polls // 4), 200),
    "whole meeting page (a reload)": timed(f"/meetings/{meeting.pk}/", max(20, polls // 4), 200),
    "minutes page": timed(f"/meetings/{closed.pk}/minutes/", 5, 200),
    "minutes PDF": timed(f"/meetings/{closed.pk}/minutes.pdf", 5, 200),
}
print(json.dumps(found))
"""


def run(arguments: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run([SAFERPLACE, *arguments], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--polls", type=int, default=200)
    options = parser.parse_args()
    env = {**os.environ, "SAFERPLACE_DATA_DIR": options.data_dir, "DJANGO_SETTINGS_MODULE": "saferplace.settings"}
    if options.database_url:
        env["DATABASE_URL"] = options.database_url
    database = "postgresql" if options.database_url else "sqlite"
    subprocess.run([SAFERPLACE, "django", "migrate", "-v0"], env=env, check=True)

    measured = subprocess.run([sys.executable, "-c", IN_PROCESS, str(options.polls)], env=env, capture_output=True,
                              text=True, cwd=ROOT)
    if measured.returncode:
        sys.exit(measured.stderr)
    requests = json.loads(measured.stdout.strip().splitlines()[-1])
    commands = {
        "saferplace meeting prepare --format json": min(run(["meeting", "prepare", "--format", "json"], env)
                                                        for _ in range(options.repeat)),
        "saferplace issues --format json (baseline: the ranking alone)": min(run(["issues", "--format", "json"], env)
                                                                            for _ in range(options.repeat)),
    }
    lines = [f"# Meeting speed ({database}, {date.today().isoformat()}, {platform.node()}, "
             f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before)", "",
             f"`{' '.join(sys.argv)}`", "", f"| whole command | seconds (best of {options.repeat}) |",
             "|---|---|"]
    lines += [f"| `{name}` | {seconds:.1f} |" for name, seconds in commands.items()]
    lines += ["", f"| request (the chair, {requests.pop('agenda items')} items on the agenda) | median ms | 95th percentile ms |",
              "|---|---|---|"]
    lines += [f"| {name} | {figures['median_ms']:.1f} | {figures['p95_ms']:.1f} |" for name, figures in requests.items()]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).resolve().parent / "results" / f"meeting_speed-{database}.md"
    out.write_text(text)


if __name__ == "__main__":
    main()
