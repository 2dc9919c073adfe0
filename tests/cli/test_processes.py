"""Several verbs as child processes of one command (saferplace/cli/processes.py): a signal to
the parent is passed on to each child once, one child stopping stops the others, and a child
that will not stop is killed. The children here are small Python programs; tests/demo runs the
real web server and worker."""

import os
import signal
import sys
import threading

from saferplace.cli.processes import run_together

SLEEP = "import time; time.sleep(60)"
STOP_ON_INTERRUPT = ("import signal, sys, time; signal.signal(signal.SIGINT, lambda *_: sys.exit(0)); "
                     "print('ready', flush=True); time.sleep(60)")
DEAF = ("import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
        "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)")


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def pids(said: list[str]) -> list[int]:
    started = next(line for line in said if "started" in line)
    return [int(part.split(")")[0]) for part in started.split("(process ")[1:]]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_when_one_stops_the_others_are_stopped_and_its_status_returned():
    said: list[str] = []
    status = run_together({"server": python(SLEEP), "worker": python("import sys; sys.exit(3)")}, say=said.append)
    assert status == 3
    assert said[-1] == "The worker stopped (exit status 3); stopping the rest."
    assert all(gone(pid) for pid in pids(said))


def test_an_interrupt_is_passed_on_to_each_child_and_both_stop():
    said: list[str] = []
    before = signal.getsignal(signal.SIGINT)  # SIG_IGN when the suite runs in the background (CI)

    def interrupt_once_started(line: str) -> None:
        said.append(line)
        if "started" in line:  # as Ctrl-C at the terminal reaches this process only
            threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()

    status = run_together({"server": python(STOP_ON_INTERRUPT), "worker": python(STOP_ON_INTERRUPT)},
                          say=interrupt_once_started)
    assert status == 0
    assert all(gone(pid) for pid in pids(said))
    assert signal.getsignal(signal.SIGINT) == before  # put back as it was


def test_a_child_that_will_not_stop_is_killed():
    said: list[str] = []
    status = run_together({"server": python(DEAF), "worker": python("import sys; sys.exit(1)")},
                          say=said.append, stop_seconds=1)
    assert status == 1
    assert all(gone(pid) for pid in pids(said))
