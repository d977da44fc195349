from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Compile the translation catalogs (.po → .mo) in pure Python, so no gettext tools "
        "are needed to run OneRoof. Fails if a message is untranslated or fuzzy."
    )

    def add_arguments(self, parser):
        parser.add_argument("--allow-incomplete", action="store_true")

    def handle(self, *args, allow_incomplete: bool = False, **options) -> None:
        problems = []
        count = 0
        for base in settings.LOCALE_PATHS:
            for po_path in sorted(Path(base).glob("*/LC_MESSAGES/*.po")):
                po = polib.pofile(str(po_path))
                missing = [e.msgid for e in po.untranslated_entries()]
                fuzzy = [e.msgid for e in po.fuzzy_entries()]
                if missing or fuzzy:
                    problems.append(
                        f"{po_path}: {len(missing)} untranslated, {len(fuzzy)} fuzzy "
                        f"(e.g. {(missing + fuzzy)[:3]})"
                    )
                po.save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        if problems and not allow_incomplete:
            raise CommandError("Incomplete translations:\n" + "\n".join(problems))
        self.stdout.write(f"Compiled {count} catalog(s).")
