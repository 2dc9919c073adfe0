from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "saferplace.api"
    verbose_name = "JSON API"
