"""API tokens for partners' systems, as the operator:

    saferplace apitoken create USERNAME --name NAME [--scope incidents.view …] [--days N]
    saferplace apitoken list
    saferplace apitoken revoke TOKEN_ID
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from saferplace.errors import NotFound
from saferplace.partners.models import User
from saferplace.partners.selectors import api_token_get, api_token_list
from saferplace.partners.services import api_token_create, api_token_revoke
from saferplace.partners.services.tokens import API_SCOPES
from saferplace.partners.viewer import operator_viewer


class Command(BaseCommand):
    help = "Manage API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a token that acts as USERNAME.")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="What will use the token.")
        create.add_argument("--scope", action="append", choices=API_SCOPES, dest="scopes",
                            help="What the token may do (repeat; default: all the person's role allows)")
        create.add_argument("--days", type=int, help="Days until it stops working (default API_TOKEN_DAYS)")
        sub.add_parser("list", help="Every token: whose, what for, its scopes, when it expires.")
        revoke = sub.add_parser("revoke", help="Stop a token working.")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, action, **options):
        viewer = operator_viewer()
        try:
            getattr(self, action)(viewer, **options)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        except NotFound as error:
            raise CommandError(str(error)) from error

    def create(self, viewer, *, username, name, scopes, days, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.")
        record, token = api_token_create(viewer=viewer, user=user, name=name, scopes=scopes, days=days)
        self.stdout.write(
            f"Token {record.pk} {record.name!r} for {user.username} ({', '.join(record.scopes)}), until "
            f"{timezone.localtime(record.expires_at):%d %B %Y}. Keep it secret; it is not shown again:"
        )
        self.stdout.write(token)

    def list(self, viewer, **options):
        now = timezone.now()
        self.stdout.write(f"{'id':>5}  {'user':<20} {'name':<30} {'scopes':<34} state")
        for token in api_token_list(viewer=viewer):
            if token.revoked_at:
                state = f"revoked {timezone.localtime(token.revoked_at):%Y-%m-%d}"
            elif token.expires_at <= now:
                state = f"expired {timezone.localtime(token.expires_at):%Y-%m-%d}"
            else:
                state = f"until {timezone.localtime(token.expires_at):%Y-%m-%d}"
            self.stdout.write(f"{token.pk:>5}  {token.user.username:<20} {token.name[:30]:<30} "
                              f"{','.join(token.scopes)[:34]:<34} {state}")

    def revoke(self, viewer, *, token_id, **options):
        token = api_token_revoke(viewer=viewer, token=api_token_get(viewer=viewer, token_id=token_id))
        self.stdout.write(self.style.SUCCESS(f"Token {token.pk} ({token.name}) for {token.user.username} no longer works."))
