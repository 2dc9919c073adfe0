from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "saferplace.notifications"
    label = "notifications"
    verbose_name = "Notifications"

