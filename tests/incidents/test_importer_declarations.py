"""One home per file format: each importer declares its label, hint, accepted files, options and
documentation page once, and the command line's arguments, the web upload form and
docs/importers/README.md are made from that declaration. Each test changes a declaration and
sees the change arrive."""

import argparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, load_command_class
from django.urls import reverse

from saferplace.incidents.importers import IMPORTERS, ImportOptionError, import_run_create
from saferplace.incidents.importers.documentation import (
    INDEX_PATH,
    command_line_usage,
    importers_index,
)
from saferplace.incidents.importers.options import ImporterOption
from saferplace.incidents.models import ImportRun
from saferplace.web.forms import ImportUploadForm
from tests.conftest import OPERATOR, sign_in

POLICE = IMPORTERS["police-uk"]
EXTRA = ImporterOption("force_code", "the force's code, as the Home Office writes it", metavar="CODE")


@pytest.fixture
def declared(monkeypatch):
    """police.uk's declaration, changed: another label, hint and file type, and one more option."""
    monkeypatch.setattr(POLICE, "label", "Crimes from the force")
    monkeypatch.setattr(POLICE, "hint", "The force's monthly crime file.")
    monkeypatch.setattr(POLICE, "extensions", (".csv", ".txt"))
    monkeypatch.setattr(POLICE, "options", (*POLICE.options, EXTRA))
    return POLICE


def import_parser() -> argparse.ArgumentParser:
    return load_command_class("saferplace.incidents", "import").create_parser("saferplace", "import")


def subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    action = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return action.choices[name]


# --- the command line --------------------------------------------------------------------------

def test_the_command_line_takes_each_importers_declared_options():
    parser = import_parser()
    verbs = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction)).choices
    assert set(verbs) == {*IMPORTERS, "retry", "rejections"}
    parsed = parser.parse_args(["profile", "council-environment", "a.xlsx", "--sheet", "May", "--organisation", "Council"])
    assert (parsed.profile, [str(path) for path in parsed.files], parsed.sheet, parsed.organisation) == (
        "council-environment", ["a.xlsx"], "May", "Council")
    parsed = parser.parse_args(["place-lookup", "lookup.csv", "--lsoa-code-column", "CODE"])
    assert parsed.lsoa_code_column == "CODE"
    with pytest.raises(CommandError, match="required: --organisation"):  # STATS19 files do not name their owner
        parser.parse_args(["stats19", "collisions.csv"])
    assert parser.parse_args(["police-uk", "may.csv"]).organisation is None  # police.uk: its Reported by


def test_a_changed_declaration_changes_the_command_line(declared):
    police = subcommand(import_parser(), "police-uk")
    assert police.parse_args(["may.csv", "--force-code", "CF"]).force_code == "CF"
    assert "The force's monthly crime file." in police.description and "CSV or TXT" in police.description
    assert "--force-code CODE" in police.format_help()
    assert "the force's code, as the Home Office writes it" in police.format_help()
    assert command_line_usage(declared) == "saferplace import police-uk FILE… [--organisation NAME] [--force-code CODE]"


def test_options_not_declared_are_refused_and_declared_ones_kept(world, declared):
    with pytest.raises(ImportOptionError, match="The police-uk importer takes no option colour"):
        import_run_create(viewer=OPERATOR, importer="police-uk", file_name="may.csv", options={"colour": "blue"})
    run = import_run_create(viewer=OPERATOR, importer="police-uk", file_name="may.csv",
                            options={"organisation": "Fenshire Police", "force_code": "CF"})
    assert (run.options, run.organisation.name) == ({"force_code": "CF"}, "Fenshire Police")


# --- the web upload form -----------------------------------------------------------------------

def test_the_upload_forms_choices_hints_and_accept_come_from_the_declarations(client, council_admin, world, declared):
    form = ImportUploadForm(importers=dict(IMPORTERS), profiles=ImportRun.objects.none())
    assert dict(form.fields["importer"].choices)["police-uk"] == "Crimes from the force"
    assert form.accept == ".csv,.txt,.xlsx"
    sign_in(client, council_admin)
    page = client.get(reverse("web:import-new")).content.decode()
    assert "Crimes from the force" in page and "The force&#39;s monthly crime file. (CSV or TXT)" in page
    assert 'accept=".csv,.txt,.xlsx"' in page
    # The web asks for the options a person gives, never the organisation (always their own).
    assert 'name="police-uk-force_code"' in page and "Force code (optional)" in page
    assert 'name="police-uk-organisation"' not in page and 'name="organisation"' not in page
    assert 'name="place-lookup-lsoa_code_column"' in page  # an administrator's importer, with its options


def test_an_option_given_on_the_web_is_kept_with_the_run(client, police_analyst, world, declared, stored_uploads,
                                                         django_capture_on_commit_callbacks):
    sign_in(client, police_analyst)
    upload = SimpleUploadedFile("may.txt", b"Crime ID,Month\n1,2026-05\n", content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("web:import-new"), {"importer": "police-uk", "file": upload,
                                                           "police-uk-force_code": "CF"})
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ImportRun.objects.get()
    assert run.options == {"force_code": "CF"} and run.upload.name.endswith(".txt")


def test_a_file_type_no_declaration_accepts_is_refused_on_the_form(client, police_analyst, world):
    sign_in(client, police_analyst)
    response = client.post(reverse("web:import-new"), {
        "importer": "police-uk", "file": SimpleUploadedFile("may.txt", b"Crime ID\n1\n")})
    assert response.status_code == 400 and "The selected file must be a CSV file" in response.content.decode()


# --- docs/importers/README.md ------------------------------------------------------------------

def test_the_importers_index_in_docs_is_up_to_date():
    assert INDEX_PATH.read_text(encoding="utf-8") == importers_index(), (
        "docs/importers/README.md is out of date: run .venv/bin/python scripts/importers_index.py"
    )


def test_a_changed_declaration_changes_the_index(declared):
    index = importers_index()
    assert "| `police-uk` | **Crimes from the force**: The force's monthly crime file. | CSV or TXT |" in index
    assert "| `--force-code CODE` | the force's code, as the Home Office writes it. | command line and web |" in index
    assert index != INDEX_PATH.read_text(encoding="utf-8")


def test_every_importer_has_its_page():
    for importer in IMPORTERS.values():
        assert importer.label and importer.hint and importer.extensions
        assert (INDEX_PATH.parent / importer.documentation).is_file(), importer.name
