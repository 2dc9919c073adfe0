"""Write docs/importers/README.md again from the importers' declarations:
`.venv/bin/python scripts/importers_index.py` (a test fails while it is out of date)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplace.settings")
import django  # noqa: E402

django.setup()
from saferplace.incidents.importers.documentation import INDEX_PATH, importers_index  # noqa: E402

INDEX_PATH.write_text(importers_index(), encoding="utf-8")
print(f"Wrote {INDEX_PATH.relative_to(Path.cwd()) if INDEX_PATH.is_relative_to(Path.cwd()) else INDEX_PATH}")
