"""A heartbeat: a background thread that calls `beat()` every `every` seconds until stopped, so
that long work (an import, a worker) can renew its lease while it runs. When the process is
killed the beats stop, the lease runs out, and whoever looks next sees the work stopped.

The thread uses its own database connection, closed when it stops. A beat that fails (on
SQLite, the database may be busy with the very write the heartbeat is for) is skipped: the
next one tries again."""

import logging
import threading

from django.db import connection

logger = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self, beat, *, every: float, name: str = "heartbeat"):
        self._beat = beat
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._every):
                try:
                    self._beat()
                except Exception:  # noqa: BLE001 - a missed beat is retried at the next one
                    logger.warning("%s: a beat failed; trying again in %ss", self._thread.name, self._every, exc_info=True)
        finally:
            connection.close()

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=self._every + 30)
