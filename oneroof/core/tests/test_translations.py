"""The Arabic catalog is complete: no untranslated or fuzzy message ships."""

from pathlib import Path

import polib
from django.conf import settings


def test_arabic_catalog_is_complete_and_placeholders_match():
    po_path = Path(settings.LOCALE_PATHS[0]) / "ar" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    for entry in po.translated_entries():
        for token in ("%(", "{{", "{done}", "{total}"):
            if token in entry.msgid:
                translated = entry.msgstr or " ".join(entry.msgstr_plural.values())
                assert token in translated, entry.msgid
