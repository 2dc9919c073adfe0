from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _statistics_after_migrating(sender, **kwargs) -> None:
    """A migration that adds an index leaves SQLite without statistics for it, and the planner
    may then prefer the others (a page of one category took 1.4 s instead of 0.1 at ten
    million): ANALYZE after every `migrate` (`planner.py`, milliseconds)."""
    from saferplace.incidents.planner import planner_statistics_refresh

    planner_statistics_refresh(using=kwargs.get("using"))


class IncidentsConfig(AppConfig):
    name = "saferplace.incidents"

    def ready(self) -> None:
        post_migrate.connect(_statistics_after_migrating, sender=self)
