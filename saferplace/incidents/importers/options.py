"""What an importer declares about itself, once: the options it takes. The command line
(`saferplace import IMPORTER`), the web upload form and the importers' documentation index
(docs/importers/README.md) are all made from these declarations and the importer's own
`label`, `hint`, `extensions` and `documentation` (see `Importer` in base.py)."""

from dataclasses import dataclass

# The options that are not the importer's own settings but say whose records a file brings in
# and how it is read; the import framework handles them (base.py, `import_run_create`).
ORGANISATION = "organisation"
PROFILE = "profile"


@dataclass(frozen=True)
class ImporterOption:
    """One option of an importer.

    `name` is the key in the run's options and the command line's `--name` (underscores
    written as hyphens). An option `for_operator` only is never asked on the web: a person's
    imports are always their own organisation's. A `positional` option comes before the files
    on the command line (the mapping profile's NAME)."""

    name: str
    help: str
    type: type = str
    choices: tuple[str, ...] = ()
    required: bool = False
    metavar: str = ""
    positional: bool = False
    for_operator: bool = False
    on_the_web: bool = True

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def placeholder(self) -> str:
        return self.metavar or self.name.upper()

    @property
    def label(self) -> str:
        """The option as the web form names it: "lsoa_code_column" → "Lsoa code column"."""
        return self.name.replace("_", " ").capitalize()


def organisation_option(help_text: str, *, required: bool) -> ImporterOption:
    """The organisation whose records a file brings in: named by the operator only."""
    return ImporterOption(ORGANISATION, help_text, required=required, metavar="NAME", for_operator=True,
                          on_the_web=False)


def column_option(name: str, help_text: str) -> ImporterOption:
    """A column of the file, named when it is not the default one."""
    return ImporterOption(name, help_text, metavar="COLUMN")
