"""The `saferplace` command. Its verbs are the Django management commands of SaferPlace's own
apps (`saferplace demo`, `saferplace serve`, `saferplace worker`, `saferplace import`,
`saferplace audit verify`, …), so every verb reads the same settings and honours DATABASE_URL.

    saferplace                      what SaferPlace's verbs are, one line each (also --help, help)
    saferplace VERB [ARGUMENTS…]    run one (saferplace VERB --help, or saferplace help VERB)
    saferplace django COMMAND …     Django's own commands: migrate, shell, check, createcachetable…

Django's and other packages' commands are kept behind `saferplace django` so that the list a
partnership's operator reads is SaferPlace's own."""

import os
import sys

DJANGO = "django"
HELP = ("--help", "-h")
# The order the verbs are listed in: running it, bringing data in, people and partners, checks.
ORDER = (
    "demo", "demo-code", "serve", "worker", "tasks", "import", "incidents", "hotspots", "emerging", "exceedances", "repeats", "near-repeat", "forecast", "issues", "meeting", "open311", "harm", "places",
    "organisation", "agreements", "createuser", "apitoken", "audit",
)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplace.settings")
    arguments = list(sys.argv[1:] if argv is None else argv)
    from django.core.management import execute_from_command_line

    if arguments[:1] == [DJANGO]:
        execute_from_command_line([f"saferplace {DJANGO}", *arguments[1:]])
        return
    if not arguments or arguments[0] in HELP or arguments == ["help"]:
        sys.stdout.write(overview())
        return
    if arguments[0] == "help":
        arguments = [arguments[1], "--help"]
    verb = arguments[0]
    import django

    django.setup()
    verbs = saferplace_verbs()
    if verb not in verbs:
        sys.stderr.write(unknown(verb))
        sys.exit(2)
    if verb not in MIGRATE_THEMSELVES and "--help" not in arguments and database_behind():
        sys.stderr.write(f"saferplace: the database is not set up, or is behind this version of SaferPlace: "
                         f"run saferplace {DJANGO} migrate first.\n")
        sys.exit(1)
    execute_from_command_line(["saferplace", *arguments])


# Verbs that bring the database up to date themselves (or need none).
MIGRATE_THEMSELVES = {"demo", "demo-code", "serve"}


def database_behind() -> bool:
    """Whether any migration is still to be applied to the database (a verb would fail on a
    missing table with a traceback)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def saferplace_verbs() -> dict[str, str]:
    """{verb: the app it comes from}, for the commands of SaferPlace's own apps, in ORDER."""
    from django.core.management import get_commands

    ours = {name: app for name, app in get_commands().items() if app.startswith("saferplace.")}
    ordered = [name for name in ORDER if name in ours] + sorted(set(ours) - set(ORDER))
    return {name: ours[name] for name in ordered}


def verb_summary(app: str, name: str) -> str:
    """The first line of a verb's `help`."""
    from django.core.management import load_command_class

    text = (load_command_class(app, name).help or "").strip()
    return text.splitlines()[0] if text else ""


def overview() -> str:
    import django

    django.setup()
    verbs = saferplace_verbs()
    width = max(map(len, verbs), default=0) + 2
    lines = [
        "SaferPlace: shared data, daily risk management and tasking for a Community Safety Partnership.",
        "",
        "Usage: saferplace VERB [ARGUMENTS…]   (saferplace VERB --help, or saferplace help VERB, for its arguments)",
        "",
        "Verbs:",
        *(f"  {name:<{width}}{verb_summary(app, name)}" for name, app in verbs.items()),
        "",
        f"Django's own commands (migrate, check, shell…): saferplace {DJANGO} COMMAND; "
        f"saferplace {DJANGO} help lists them.",
        "Every verb reads DATABASE_URL and the other settings in .env.example, and acts as the operator.",
    ]
    return "\n".join(lines) + "\n"


def unknown(verb: str) -> str:
    from django.core.management import get_commands

    if verb in get_commands():
        return f"saferplace: {verb} is one of Django's own commands: run it as saferplace {DJANGO} {verb}.\n"
    return f"saferplace: there is no verb {verb!r}. saferplace --help lists them.\n"
