"""Light text normalisation for matching Arabic and English the way people type them.

The knowledge base builds its Arabic-aware search on top of this."""

import re
import unicodedata

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_TRANSLATE = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
        "۰": "0",
        "۱": "1",
        "۲": "2",
        "۳": "3",
        "۴": "4",
        "۵": "5",
        "۶": "6",
        "۷": "7",
        "۸": "8",
        "۹": "9",
    }
)
_WORD = re.compile(r"\w+", re.UNICODE)


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = _DIACRITICS.sub("", text).replace(_TATWEEL, "")
    return text.translate(_TRANSLATE).casefold()


def tokens(text: str) -> list[str]:
    words = _WORD.findall(normalize(text))
    out = []
    for word in words:
        # The Arabic definite article is not part of what a person looks for.
        if word.startswith("ال") and len(word) > 4:
            word = word[2:]
        elif word.startswith(("وال", "بال", "لل")) and len(word) > 5:
            word = word[3:] if not word.startswith("لل") else word[2:]
        out.append(word)
    return [w for w in out if len(w) > 1]
