from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "saferplace.partners"
    verbose_name = "Partners and access"
