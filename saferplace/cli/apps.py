from django.apps import AppConfig


class CliConfig(AppConfig):
    """The `saferplace` command itself (`saferplace/cli/__init__.py`) and the verbs that belong to
    no other app: `saferplace serve`."""

    name = "saferplace.cli"
    label = "cli"
    verbose_name = "The saferplace command"
