"""The demo city of Riverford: a fictional English city of about 200,000 residents with its
partnership, personas and a year of synthetic incident records (`saferplace demo`). A Django app
(for its verbs, `saferplace/demo/management/commands/`) with no models.

Every person, place and record here is made up."""

__all__ = ["DemoCitySummary", "demo_city_build", "demo_city_delete", "demo_city_exists", "demo_city_unfinished"]


def __getattr__(name: str):
    """`from saferplace.demo import demo_city_build`, importing the services (and the models
    they use) only when asked: Django imports this package while it loads its apps."""
    if name in __all__:
        from saferplace.demo import services

        return getattr(services, name)
    raise AttributeError(f"module 'saferplace.demo' has no attribute {name!r}")
