from django.core.management import call_command
from django.core.management.base import BaseCommand

from oneroof.catalog.demodata import DEMO_PASSWORD, load_demo_catalog, load_demo_staff


class Command(BaseCommand):
    help = "Load the demo catalog (agencies, 11 centers, 70 services) and demo staff accounts."

    def handle(self, *args, **options) -> None:
        report = load_demo_catalog()
        self.stdout.write(f"Catalog: {report.summary()}")
        names = load_demo_staff()
        self.stdout.write(f"Demo staff (password {DEMO_PASSWORD!r}): {', '.join(names)}")
        # Later apps add their demo data through their own commands.
        call_command("sync_articles", demo=True, stdout=self.stdout)
