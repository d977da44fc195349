from django.core.management.base import BaseCommand, CommandError, CommandParser

from oneroof.accounts.actions import api_key_create
from oneroof.accounts.models import User


class Command(BaseCommand):
    help = "Create a bearer API key for a user (a person, a kiosk or a display) and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the key is for")

    def handle(self, *args, username: str, name: str, **options) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        _key, raw = api_key_create(user=user, name=name)
        self.stderr.write("Keep this key secret; it is shown only once.")
        self.stdout.write(raw)
