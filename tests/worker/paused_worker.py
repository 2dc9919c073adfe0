"""`saferplace …` as the killed-worker test runs it in a process of its own: the real command,
with one difference. An import that has written its rows (inside its one transaction, before
it commits) writes "writing" to the file named by SAFERPLACE_TEST_PAUSE_FILE and waits there,
so that the test kills the worker at a known point of the import, not wherever it happens to be.

    python -m tests.worker.paused_worker worker --interval 0.1
"""

import os
import sys
import time
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplace.settings")
    import django

    django.setup()
    from saferplace.cli import main as saferplace
    from saferplace.incidents.importers import base

    pause_file = Path(os.environ["SAFERPLACE_TEST_PAUSE_FILE"])
    save = base.source_blocks_save  # called in the write's transaction, after the incidents

    def save_then_wait(**kwargs):
        save(**kwargs)
        pause_file.write_text("writing", encoding="utf-8")
        while True:
            time.sleep(60)

    base.source_blocks_save = save_then_wait
    sys.argv = ["saferplace", *sys.argv[1:]]
    saferplace()


if __name__ == "__main__":
    main()
