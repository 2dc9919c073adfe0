"""The tasks' fixtures (tests/tasking/fixtures.py: also offered to the web and browser tests)."""

from tests.tasking.fixtures import (  # noqa: F401 - fixtures
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
