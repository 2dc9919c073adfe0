"""`saferplace worker [--batch]`: run background tasks (imports, sample reading, checks) from the
database queue. Any number of workers can run beside the web server. Each task runs under a
lease the worker renews; every 30 seconds a worker marks failed the tasks (and import runs)
whose worker stopped, and queues the scheduled jobs that are due (`saferplace.worker.schedule`).
No autoreloader: a worker is a plain process, killed or stopped with Ctrl-C."""

import logging
import os
import socket
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker

from saferplace.heartbeat import Heartbeat
from saferplace.partners.viewer import TASK, operator_viewer
from saferplace.worker.services import (
    scheduled_jobs_enqueue,
    task_lease_end,
    task_lease_renew,
    task_lease_start,
    tasks_expire,
)

logger = logging.getLogger("saferplace.worker")
HOUSEKEEPING_SECONDS = 30


def housekeeping() -> None:
    """Mark failed what a killed worker left running, and queue the scheduled jobs now due."""
    close_old_connections()
    viewer = operator_viewer("worker", channel=TASK)
    stopped = tasks_expire(viewer=viewer)
    if stopped:
        logger.warning("Marked %d task(s) failed: their worker stopped (%s)", len(stopped), ", ".join(stopped))
    queued = scheduled_jobs_enqueue()
    if queued:
        logger.info("Queued scheduled job(s): %s", ", ".join(queued))


class LeasedWorker(Worker):
    """django-tasks-db's worker, holding a lease on each task while it runs it."""

    def run_task(self, db_task_result) -> None:
        task_id = db_task_result.id
        task_lease_start(task_id=task_id, task_path=db_task_result.task_path, worker_id=self.worker_id)
        try:
            with Heartbeat(lambda: task_lease_renew(task_id=task_id), every=settings.TASK_LEASE_SECONDS / 4,
                           name=f"lease-{task_id}"):
                super().run_task(db_task_result)
        finally:
            task_lease_end(task_id=task_id)


class Command(BaseCommand):
    help = "Run the background task worker (Django Tasks, database-backed)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run the tasks waiting now, then stop.")
        parser.add_argument("--queue-name", default="default")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between looks at the queue.")

    def handle(self, *args, batch, queue_name, interval, **options):
        if settings.MIGRATE_ON_START:
            call_command("migrate", interactive=False, verbosity=0)
        # Its lines go to the one handler settings.LOGGING gives the root logger (adding one here
        # would print each line twice).
        housekeeping()
        worker = LeasedWorker(
            queue_names=queue_name.split(","), interval=interval, batch=batch,
            backend_name="default", startup_delay=not batch, max_tasks=None,
            worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64], excluded_queue_names=[],
        )
        stop = threading.Event()
        keeper = None
        if not batch:
            keeper = threading.Thread(target=self._keep_house, args=(stop,), name="housekeeping", daemon=True)
            keeper.start()
        try:
            if not batch:
                worker.configure_signals()
            worker.run()
        finally:
            stop.set()
            if keeper is not None:
                keeper.join(timeout=5)

    @staticmethod
    def _keep_house(stop: threading.Event) -> None:
        while not stop.wait(HOUSEKEEPING_SECONDS):
            try:
                housekeeping()
            except Exception:  # noqa: BLE001 - the next round tries again
                logger.warning("Housekeeping failed; trying again in %ss", HOUSEKEEPING_SECONDS, exc_info=True)
        connection.close()
