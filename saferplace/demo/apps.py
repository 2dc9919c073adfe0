from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city of Riverford and its verbs: `saferplace demo`, `saferplace demo-code`. No
    models: everything it builds goes through the other apps' services."""

    name = "saferplace.demo"
    label = "demo"
    verbose_name = "Demo city"
