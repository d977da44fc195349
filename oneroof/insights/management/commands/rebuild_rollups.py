import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oneroof.core.errors import DomainError
from oneroof.insights.actions import rollups_rebuild
from oneroof.insights.selectors import first_day_of_data


class Command(BaseCommand):
    help = (
        "Recompute the roll-ups of a range of local days from the raw rows (tickets, "
        "services delivered, survey answers, counter events). Run it nightly for the "
        "previous day; rebuilding a day while its centers are open may miss or double a "
        "change made during the rebuild."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--from", dest="start", type=dt.date.fromisoformat, default=None,
            help="first day, YYYY-MM-DD (default: the first day with data)",
        )  # fmt: skip
        parser.add_argument(
            "--to", dest="end", type=dt.date.fromisoformat, default=None,
            help="last day, inclusive (default: today)",
        )  # fmt: skip

    def handle(self, *args, **options) -> None:
        end = options["end"] or timezone.localdate()
        start = options["start"] or first_day_of_data() or end
        began = time.monotonic()
        try:
            report = rollups_rebuild(start=start, end=end)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Roll-ups of {start} to {end} rebuilt in {time.monotonic() - began:.1f} s: "
                f"{report.summary()}"
            )
        )
