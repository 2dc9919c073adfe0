from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "saferplace.analysis"

    def ready(self) -> None:
        from saferplace.analysis.tasks import counts_changed_received
        from saferplace.incidents.recount import counts_changed

        counts_changed.connect(counts_changed_received, dispatch_uid="analysis-refresh")
