"""docs/importers/README.md, the index of the importers, made from their declarations (`Importer`
and `ImporterOption`), as the command line's arguments and the web upload form are. Write it
again after changing a declaration:

    .venv/bin/python scripts/importers_index.py

`tests/incidents/test_importer_declarations.py` fails while the file in docs/ is out of date."""

from pathlib import Path

from django.conf import settings

from saferplace.incidents.importers.base import IMPORTERS, Importer
from saferplace.incidents.importers.options import ImporterOption

INDEX_PATH = Path(settings.BASE_DIR) / "docs" / "importers" / "README.md"


def command_line_usage(importer: Importer) -> str:
    """`saferplace import NAME [POSITIONAL] FILE… [--option VALUE]`, as its arguments are made."""
    parts = ["saferplace", "import", importer.name]
    parts += [option.placeholder for option in importer.options if option.positional]
    parts.append("FILE…")
    for option in importer.options:
        if not option.positional:
            text = f"{option.flag} {option.placeholder}"
            parts.append(text if option.required else f"[{text}]")
    return " ".join(parts)


def _where(option: ImporterOption) -> str:
    if option.positional:
        return "command line (on the web: chosen from your organisation's profiles)"
    if option.for_operator:
        return "command line only (on the web, the records are always the uploader's organisation's)"
    return "command line and web" if option.on_the_web else "command line"


def importers_index(importers: dict[str, Importer] | None = None) -> str:
    if importers is None:
        importers = IMPORTERS
    lines = [
        "# Importers",
        "",
        "<!-- Made from the importers' declarations in saferplace/incidents/importers/: do not edit by",
        "     hand, run .venv/bin/python scripts/importers_index.py -->",
        "",
        "Every kind of file SaferPlace imports, by the name the command line (`saferplace import NAME`)",
        "and the web upload ([Importing files from the browser](web-upload.md)) use. Each importer",
        "declares once what it reads, the files it accepts, its options and its page; the upload form's",
        "choices, hints and accepted files, the command's arguments and this index are all made from",
        "that declaration.",
        "",
        "| importer | what it reads | files | needs | page |",
        "|---|---|---|---|---|",
    ]
    for importer in importers.values():
        page = f"[{importer.documentation}]({importer.documentation})" if importer.documentation else ""
        lines.append(f"| `{importer.name}` | **{importer.label}**: {importer.hint} | {importer.accepts} | "
                     f"`{importer.capability}` | {page} |")
    for importer in importers.values():
        lines += ["", f"## `{importer.name}`: {importer.label}", "", "```sh", command_line_usage(importer), "```"]
        if importer.options:
            lines += ["", "| option | meaning | given on |", "|---|---|---|"]
            for option in importer.options:
                name = option.placeholder if option.positional else f"{option.flag} {option.placeholder}"
                required = " (required)" if option.required else ""
                choices = f" One of: {', '.join(option.choices)}." if option.choices else ""
                lines.append(f"| `{name}`{required} | {option.help}.{choices} | {_where(option)} |")
        else:
            lines += ["", "No options."]
    return "\n".join(lines) + "\n"
