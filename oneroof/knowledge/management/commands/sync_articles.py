from django.core.management.base import BaseCommand

from oneroof.knowledge.actions import articles_sync, demo_articles_load


class Command(BaseCommand):
    help = (
        "Create or update one knowledge-base article per service from the catalog "
        "(idempotent); with --demo, also load the demo's general articles."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--demo", action="store_true", help="Also load the demo's general articles."
        )

    def handle(self, *args, **options) -> None:
        report = articles_sync()
        self.stdout.write(f"Service articles: {report.summary()}")
        if options["demo"]:
            created = demo_articles_load()
            self.stdout.write(f"General articles created: {created}")
