"""The importers' fixtures (a small geography, files written to a temporary folder, an import
as the operator) for the web tests that import files; the tasks' and the reports' fixtures."""

from tests.incidents.conftest import run_import, squares, write_file  # noqa: F401 - fixtures
from tests.reports.fixtures import make_report, services  # noqa: F401 - fixtures
from tests.tasking.conftest import (  # noqa: F401 - fixtures
    area,
    council_lead,
    council_officer,
    council_other_team,
    council_street_officer,
    council_team,
    make_task,
    other_volunteer,
    volunteer,
)
