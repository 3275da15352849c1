from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.services import token_for


class Command(BaseCommand):
    help = "Print an API token for USERNAME (created if missing) on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            key = token_for(username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No such user: {username}") from exc
        self.stdout.write(key)
