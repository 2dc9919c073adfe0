"""Running several `saferplace` verbs together as child processes of one command (`saferplace
demo` runs the web server and the background worker): one Ctrl-C stops them all, and when one
stops, the others are stopped too.

Each child runs in a process group of its own, so a Ctrl-C at the terminal reaches this process
only, which passes it on to each child once (a second Ctrl-C is passed on again: the worker
then stops its current task at once). A child that has not stopped a while after that is
killed."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
POLL_SECONDS = 0.2
STOP_SECONDS = 20  # how long a child has to stop before it is killed


def saferplace_command(*arguments: str) -> list[str]:
    """The `saferplace` command with these arguments, run by this Python."""
    return [sys.executable, "-m", "saferplace.cli", *arguments]


def run_together(
    commands: dict[str, list[str]],
    *,
    environment: dict[str, str] | None = None,
    say: Callable[[str], None] = print,
    stop_seconds: float = STOP_SECONDS,
) -> int:
    """Run the commands ({name: arguments}) until a signal arrives or one of them exits, then stop
    the rest. Returns 0 after a signal, else the exit status of the child that stopped first
    (1 if that was 0: it was not meant to stop)."""
    received: list[int] = []
    previous = {number: signal.signal(number, lambda number, frame: received.append(number)) for number in FORWARDED}
    children: dict[str, subprocess.Popen] = {}
    stopped = None
    try:
        for name, command in commands.items():
            children[name] = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
                command, env={**os.environ, **(environment or {})}, process_group=0,
            )
        started = " and ".join(f"the {name} (process {child.pid})" for name, child in children.items())
        say(f"{started[:1].upper()}{started[1:]} started; Ctrl+C stops them.")
        stopped = _wait_for_signal_or_exit(children, received)
        if stopped is not None:
            name, status = stopped
            say(f"The {name} stopped (exit status {status}); stopping the rest.")
        _stop(children, received, first=received[0] if received else signal.SIGTERM, stop_seconds=stop_seconds)
    finally:
        for child in children.values():  # never leave one behind, whatever happened here
            if child.poll() is None:
                child.kill()
                child.wait()
        for number, handler in previous.items():
            signal.signal(number, handler)
    if stopped is None:
        return 0
    return stopped[1] or 1


def _wait_for_signal_or_exit(children: dict[str, subprocess.Popen], received: list[int]) -> tuple[str, int] | None:
    while not received:
        for name, child in children.items():
            if child.poll() is not None:
                return name, child.returncode
        time.sleep(POLL_SECONDS)
    return None


def _stop(children: dict[str, subprocess.Popen], received: list[int], *, first: int, stop_seconds: float) -> None:
    """Send each running child the signal, and again for each further one received; kill what is
    still running after `stop_seconds`."""
    sent = 0
    deadline = time.monotonic() + stop_seconds
    while time.monotonic() < deadline:
        running = [child for child in children.values() if child.poll() is None]
        if not running:
            return
        while sent < max(len(received), 1):
            number = received[sent] if sent < len(received) else first
            for child in running:
                _send(child, number)
            sent += 1
        time.sleep(POLL_SECONDS)


def _send(child: subprocess.Popen, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it stopped meanwhile
        child.send_signal(number)
