from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "saferplace.web"
