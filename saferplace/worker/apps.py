from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "saferplace.worker"
    label = "worker"
    verbose_name = "Background work"
