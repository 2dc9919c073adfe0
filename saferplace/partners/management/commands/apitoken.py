"""`saferplace apitoken create USERNAME --name NAME`: a bearer token for a partner's system."""

from django.core.management.base import BaseCommand, CommandError

from saferplace.partners.models import User
from saferplace.partners.services import api_token_create


class Command(BaseCommand):
    help = "Manage API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a token that acts as USERNAME.")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="What will use the token.")

    def handle(self, *args, action, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.")
        record, token = api_token_create(actor=None, user=user, name=name)
        self.stdout.write(f"Token {record.name!r} for {user.username}. Keep it secret; it is not shown again:")
        self.stdout.write(token)
