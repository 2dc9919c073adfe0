"""The `saferplace` command lists SaferPlace's own verbs (read from each command's `help`) and
keeps Django's commands behind `saferplace django`."""

from importlib.metadata import entry_points

import pytest

from saferplace.cli import main, saferplace_verbs

VERBS = ["demo", "demo-code", "serve", "worker", "tasks", "import", "incidents", "places", "organisation",
         "createuser", "apitoken", "audit"]  # in this order, among any others


def run(capsys, *arguments: str) -> tuple[str, str]:
    main(list(arguments))
    captured = capsys.readouterr()
    return captured.out, captured.err


@pytest.mark.parametrize("arguments", [[], ["--help"], ["-h"], ["help"]])
def test_the_command_alone_or_asked_for_help_lists_saferplaces_verbs(capsys, arguments):
    out, _ = run(capsys, *arguments)
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert [verb for verb in listed if verb in VERBS] == VERBS and listed == list(saferplace_verbs())
    assert "  import        Import partner files: police.uk, STATS19, mapping profiles, place and postcode lookups." in out
    assert "  organisation  Add a partner organisation, or list them." in out
    assert "migrate" not in listed and "saferplace django COMMAND" in out
    assert "\n\n\n" not in out and not out.startswith("\n")


def test_a_verb_s_own_help_still_works(capsys):
    with pytest.raises(SystemExit) as stopped:
        run(capsys, "import", "--help")
    assert stopped.value.code == 0
    assert "usage: saferplace import" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        run(capsys, "help", "serve")
    assert "usage: saferplace serve" in capsys.readouterr().out


@pytest.mark.django_db
def test_djangos_commands_are_behind_saferplace_django(capsys):
    with pytest.raises(SystemExit) as stopped:
        run(capsys, "migrate")
    assert stopped.value.code == 2
    assert capsys.readouterr().err == ("saferplace: migrate is one of Django's own commands: run it as "
                                       "saferplace django migrate.\n")
    with pytest.raises(SystemExit) as stopped:
        run(capsys, "fly")
    assert stopped.value.code == 2 and "there is no verb 'fly'" in capsys.readouterr().err
    out, _ = run(capsys, "django", "check")
    assert "System check identified no issues" in out
    out, _ = run(capsys, "django", "help")
    assert "Type 'saferplace django help <subcommand>'" in out and "migrate" in out


def test_the_verbs_are_the_commands_of_saferplaces_apps_only():
    verbs = saferplace_verbs()
    assert all(app.startswith("saferplace.") for app in verbs.values())
    assert (verbs["serve"], verbs["demo"], verbs["demo-code"]) == ("saferplace.cli", "saferplace.demo", "saferplace.demo")


def test_the_console_script_is_this_dispatcher():
    script = next(point for point in entry_points(group="console_scripts") if point.name == "saferplace")
    assert script.value == "saferplace.cli:main" and script.load() is main


def test_the_readme_lists_every_verb_and_no_other():
    """The README's table of the `saferplace` command names each verb `saferplace --help` lists."""
    import re
    from pathlib import Path

    from saferplace.cli import saferplace_verbs

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## The `saferplace` command", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\| `saferplace ([a-z][a-z0-9-]*)", table, flags=re.MULTILINE)) - {"django"}
    assert named == set(saferplace_verbs())


@pytest.mark.django_db
def test_a_verb_on_a_database_not_set_up_says_to_migrate_first(capsys, monkeypatch):
    import saferplace.cli

    assert not saferplace.cli.database_behind()  # the test database is set up
    monkeypatch.setattr(saferplace.cli, "database_behind", lambda: True)
    with pytest.raises(SystemExit) as stopped:
        main(["organisation", "list"])
    assert stopped.value.code == 1
    assert "run saferplace django migrate first" in capsys.readouterr().err
