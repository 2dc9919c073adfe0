from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "saferplace.tasking"
    label = "tasking"
    verbose_name = "Tasks"

