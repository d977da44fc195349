from django.core.management.base import BaseCommand, CommandParser

from oneroof.transactions.actions import purge_personal_data


class Command(BaseCommand):
    help = (
        "Erase the phone and national ID of transactions older than ONEROOF_RETENTION_DAYS "
        "(the records stay, anonymous, for statistics). Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="override the retention period for this run"
        )

    def handle(self, *args, days: int | None = None, **options) -> None:
        count = purge_personal_data(days=days)
        self.stdout.write(f"Anonymised {count} transaction(s).")
