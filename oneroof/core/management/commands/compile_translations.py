import os
import shutil
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# What makemessages leaves out, as in CONTRIBUTING.md.
IGNORED = [".venv/*", "scripts/*", "bench/*"]
# The catalogs themselves are left out too, so the check writes only into its copy.
CATALOGS = ["locale", "*/locale"]


class Command(BaseCommand):
    help = (
        "Compile the translation catalogs (.po → .mo) in pure Python, so no gettext tools "
        "are needed to run OneRoof. Fails if a message is untranslated or fuzzy."
    )

    def add_arguments(self, parser):
        parser.add_argument("--allow-incomplete", action="store_true")
        parser.add_argument(
            "--check-sources",
            action="store_true",
            help="Also extract the messages of the code and templates (GNU gettext's "
            "xgettext, in a temporary copy) and fail if one is missing from a catalog.",
        )

    def handle(
        self, *args, allow_incomplete: bool = False, check_sources: bool = False, **options
    ) -> None:
        problems = self._missing_from_catalogs() if check_sources else []
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

    def _missing_from_catalogs(self) -> list[str]:
        """Messages in the sources that a catalog lacks (or has only as obsolete)."""
        if shutil.which("xgettext") is None:
            if os.environ.get("CI") == "true":
                raise CommandError("GNU gettext (xgettext) is needed to check the sources.")
            self.stdout.write("xgettext is absent: the sources' messages were not checked.")
            return []
        problems = []
        base = Path(settings.LOCALE_PATHS[0])
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "locale"
            shutil.copytree(base, copy)
            saved = settings.LOCALE_PATHS
            settings.LOCALE_PATHS = [str(copy)]
            try:
                for po_path in sorted(copy.glob("*/LC_MESSAGES/django.po")):
                    language = po_path.parent.parent.name
                    call_command(
                        "makemessages",
                        locale=[language],
                        ignore_patterns=IGNORED + CATALOGS,
                        verbosity=0,
                    )
                    known = {
                        (e.msgctxt, e.msgid)
                        for e in polib.pofile(str(base / language / "LC_MESSAGES" / "django.po"))
                        if not e.obsolete
                    }
                    fresh = polib.pofile(str(po_path))
                    missing = sorted(
                        e.msgid
                        for e in fresh
                        if not e.obsolete and (e.msgctxt, e.msgid) not in known
                    )
                    if missing:
                        problems.append(
                            f"{language}: {len(missing)} message(s) of the sources are not in the "
                            f"catalog (run makemessages and translate them), e.g. {missing[:3]}"
                        )
            finally:
                settings.LOCALE_PATHS = saved
        return problems
