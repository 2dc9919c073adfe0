from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "saferplace.reports"
    label = "reports"
    verbose_name = "Public reports"

    def ready(self) -> None:
        from saferplace.reports import receivers  # noqa: F401 - connects to the tasks app's signal
