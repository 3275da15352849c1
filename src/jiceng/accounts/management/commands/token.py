from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.services import token_for


class Command(BaseCommand):
    help = "Print an API token for USERNAME (created if missing) on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--replace", action="store_true",
                            help="Issue a new token; the old one stops working (e.g. after it was sent in a URL).")

    def handle(self, *args, username, replace=False, **options):
        try:
            key = token_for(username, replace=replace)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No such user: {username}") from exc
        self.stdout.write(key)
