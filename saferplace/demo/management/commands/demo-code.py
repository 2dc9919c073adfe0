"""`saferplace demo-code`: the current six-digit two-factor code of the demo personas."""

from django.core.management.base import BaseCommand, CommandError

from saferplace.demo.personas import demo_totp_code, demo_totp_seconds_left
from saferplace.partners.models import User


class Command(BaseCommand):
    help = "Print the current two-factor code shared by the demo personas."

    def handle(self, *args, **options):
        if not User.objects.filter(is_demo_persona=True).exists():
            raise CommandError("There are no demo personas in this database; run `saferplace demo` first.")
        self.stdout.write(demo_totp_code())
        self.stdout.write(
            f"(valid for about {demo_totp_seconds_left()} more seconds; the same code works for every demo persona)"
        )
