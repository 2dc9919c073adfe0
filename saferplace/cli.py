"""The `saferplace` command. Its verbs are Django management commands (`saferplace demo`,
`saferplace serve`, `saferplace worker`, `saferplace createuser`, `saferplace audit verify`, …),
so every verb reads the same settings and honours DATABASE_URL."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplace.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["saferplace", *sys.argv[1:]])
