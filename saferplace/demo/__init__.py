"""The demo city of Riverford: a fictional English city of about 200,000 residents with its
partnership, personas and a year of synthetic incident records (`saferplace demo`).

Every person, place and record here is made up."""

from saferplace.demo.services import (
    DemoCitySummary,
    demo_city_build,
    demo_city_delete,
    demo_city_exists,
)

__all__ = ["DemoCitySummary", "demo_city_build", "demo_city_delete", "demo_city_exists"]
