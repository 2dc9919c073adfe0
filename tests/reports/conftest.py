"""The reports' fixtures (tests/reports/fixtures.py: also offered to other test packages)."""

from tests.reports.fixtures import make_report, services  # noqa: F401 - fixtures
from tests.tasking.fixtures import (  # noqa: F401 - fixtures
    area,
    council_lead,
    council_officer,
    council_team,
    volunteer,
)
