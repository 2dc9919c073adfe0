"""The importers' fixtures (a small geography, files written to a temporary folder, an import
as the operator) for the web tests that import files."""

from tests.incidents.conftest import run_import, squares, write_file  # noqa: F401 - fixtures
