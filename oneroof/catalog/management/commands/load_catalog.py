import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oneroof.catalog.actions import catalog_import
from oneroof.catalog.demodata import DEMO_CATALOG
from oneroof.core.errors import InvalidInput


class Command(BaseCommand):
    help = "Import agencies, centers, hours and services from a catalog JSON (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="catalog JSON file, or 'demo' for the demo catalog")

    def handle(self, *args, path: str, **options) -> None:
        file = DEMO_CATALOG if path == "demo" else Path(path)
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{file} is not valid JSON: {exc}") from exc
        try:
            report = catalog_import(data=data)
        except InvalidInput as exc:
            lines = "\n".join(f"  - {d}" for d in (exc.details or []))
            raise CommandError(f"{exc.message} Nothing was imported.\n{lines}") from exc
        verdict = "Imported" if report.changed else "Nothing to change"
        self.stdout.write(self.style.SUCCESS(f"{verdict}: {report.summary()}"))
