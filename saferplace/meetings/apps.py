from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "saferplace.meetings"
    label = "meetings"
    verbose_name = "Meetings"

