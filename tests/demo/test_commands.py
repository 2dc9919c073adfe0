import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from saferplace.demo.personas import DEMO_PASSWORD, demo_totp_code
from saferplace.incidents.models import Incident
from saferplace.partners.models import User


def run(*args: str) -> str:
    output = StringIO()
    call_command(*args, stdout=output, verbosity=0)
    return output.getvalue()


@pytest.mark.django_db
def test_demo_builds_once_and_shows_the_personas():
    output = run("demo", "--no-serve", "--size", "0.02", "--seed", "3")
    assert "Built Riverford" in output
    for username in ("admin.council", "admin2.council", "analyst.police", "officer.police", "analyst.bid", "firefighter.fire"):
        assert username in output
    assert DEMO_PASSWORD in output and "saferplace demo-code" in output
    # Where the demo's own files are, and who may upload which.
    assert "demo-sources" in output and "police-uk/*-fenshire-street.csv" in output
    assert "sign in as admin2.council to approve it" in " ".join(output.split())  # however the console wraps it
    count = Incident.objects.count()
    again = run("demo", "--no-serve", "--size", "0.02")
    assert "already in this database; keeping it" in again
    assert Incident.objects.count() == count


@pytest.mark.django_db
def test_demo_code_prints_the_personas_current_code():
    run("demo", "--no-serve", "--size", "0.01")
    now = time.time()
    code = run("demo-code").splitlines()[0]
    assert code in {demo_totp_code(now - 30), demo_totp_code(now), demo_totp_code(now + 30)}
    assert len(code) == 6 and code.isdigit()


@pytest.mark.django_db
def test_demo_code_needs_demo_personas():
    assert not User.objects.filter(is_demo_persona=True).exists()
    with pytest.raises(CommandError, match="no demo personas in this database; run `saferplace demo` first"):
        run("demo-code")


def test_the_demo_code_follows_rfc_6238():
    # RFC 6238 appendix B uses the key "12345678901234567890"; ours differs, so check the
    # algorithm against a code computed independently with pyotp.
    pyotp = pytest.importorskip("pyotp")
    from saferplace.demo.personas import DEMO_TOTP_BASE32

    assert demo_totp_code(1_700_000_000) == pyotp.TOTP(DEMO_TOTP_BASE32).at(1_700_000_000)


# --- make demo: the web server and the worker together -------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_demo_runs_the_web_server_and_the_worker_and_one_interrupt_stops_both(tmp_path):
    """`saferplace demo` as `make demo` runs it, in a process of its own on a database of its own:
    a tiny city, then the web server answers, a task queued from outside is done by the worker
    (its line logged once, with DEBUG on too), and SIGINT stops both."""
    import os
    import re
    import signal
    import subprocess
    import sys
    import urllib.request

    from django.conf import settings

    port = free_port()
    environment = {
        **os.environ, "SAFERPLACE_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "AUDIT_CHECKPOINT_SINK": f"file:{tmp_path / 'checkpoints.jsonl'}", "DEBUG": "true", "PYTHONUNBUFFERED": "1",
    }
    saferplace = [sys.executable, "-m", "saferplace.cli"]
    log = tmp_path / "demo.log"
    children: list[int] = []

    def output() -> str:
        return log.read_text(encoding="utf-8", errors="replace")

    def wait_for(check, what: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while not check():
            assert demo.poll() is None, f"the demo stopped while waiting for {what}:\n{output()}"
            assert time.monotonic() < deadline, f"no {what} after {seconds} s:\n{output()}"
            time.sleep(0.2)

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    with log.open("wb") as handle:
        demo = subprocess.Popen(  # noqa: S603 - this interpreter, the project's own command
            [*saferplace, "demo", "--size", "0.01", "--port", str(port)], cwd=settings.BASE_DIR,
            env=environment, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        wait_for(lambda: "started; Ctrl+C stops them" in output(), "web server and worker")
        children = [int(pid) for pid in re.findall(r"\(process (\d+)\)", output())]
        assert len(children) == 2
        wait_for(answers, "answer from the web server")
        queued = subprocess.run(  # noqa: S603
            [*saferplace, "audit", "verify", "--in-background"], cwd=settings.BASE_DIR, env=environment,
            capture_output=True, text=True, check=True,
        ).stdout
        task_id = re.search(r"Queued audit check ([0-9a-f-]+)", queued).group(1)
        done = f"Task id={task_id} path=saferplace.audit.tasks.verify_audit_chain state=SUCCESSFUL"
        wait_for(lambda: done in output(), "audit check done by the worker")

        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=60) == 0, output()
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
        for pid in children:  # each child runs in a process group of its own
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                continue
            os.killpg(pid, signal.SIGKILL)
            pytest.fail(f"process {pid} was still running after the demo stopped:\n{output()}")
    text = output()
    assert text.count(done) == 1  # each line once
    assert "Building the demo city of Riverford" in text and "\n\n" not in text  # no stray blank lines
