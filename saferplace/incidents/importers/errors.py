"""What an import can refuse."""


class FileRefused(Exception):
    """The file is not in the format the importer reads (wrong header, empty, not UTF-8, not a
    spreadsheet…). The message says what was expected; nothing is stored."""


class ImportOptionError(ValueError):
    """An importer was given options it cannot use (no organisation, an unknown column…)."""
