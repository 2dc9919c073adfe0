"""docs/data-model.md is the data model as the code has it (regenerate with
`.venv/bin/python -m saferplace.datamodel > docs/data-model.md`)."""

from pathlib import Path

from django.apps import apps

from saferplace.datamodel import APPS, render

DOC = Path(__file__).resolve().parent.parent / "docs" / "data-model.md"


def test_the_data_model_document_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/data-model.md is out of date: run .venv/bin/python -m saferplace.datamodel > docs/data-model.md"
    )


def test_every_app_with_tables_is_in_the_document():
    with_tables = {config.label for config in apps.get_app_configs()
                   if config.name.startswith("saferplace.") and list(config.get_models())}
    assert with_tables <= set(APPS)
