import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oneroof.core.errors import DomainError
from oneroof.insights.actions import history_generate


class Command(BaseCommand):
    help = (
        "Fill the centers with a realistic, deterministic past: tickets and their events, "
        "services delivered, appointments, survey answers and counter time, then rebuild the "
        "roll-ups. --months 6 --scale 1 gives about 800,000 services in the six whole months."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--months", type=int, default=1,
            help="whole months before the current one (the current month up to yesterday is "
            "always included); default 1",
        )  # fmt: skip
        parser.add_argument(
            "--scale", type=float, default=0.25,
            help="volume as a share of the real centers' (1 = ~137,500 services a month); "
            "default 0.25",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--end", type=dt.date.fromisoformat, default=None,
            help="last day of the history, YYYY-MM-DD (default: yesterday)",
        )  # fmt: skip
        parser.add_argument(
            "--replace", action="store_true",
            help="remove the centers' tickets, services, appointments, surveys and counter "
            "events of the period first",
        )  # fmt: skip

    def handle(self, *args, **options) -> None:
        end = options["end"] or timezone.localdate() - dt.timedelta(days=1)
        try:
            report = history_generate(
                months=options["months"],
                scale=options["scale"],
                seed=options["seed"],
                end=end,
                replace=options["replace"],
                progress=lambda msg: self.stdout.write(f"  {msg}"),
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(self.style.SUCCESS(f"History: {report.summary()}"))
