from typing import Any

from django.http import HttpRequest
from django.utils import translation


def platform(request: HttpRequest) -> dict[str, Any]:
    lang = translation.get_language() or "ar"
    return {
        "LANG": lang,
        "DIR": "rtl" if translation.get_language_bidi() else "ltr",
        "OTHER_LANG": "en" if lang.startswith("ar") else "ar",
        "LARGE_TEXT": request.COOKIES.get("oneroof_text") == "large",
        "HIGH_CONTRAST": request.COOKIES.get("oneroof_contrast") == "high",
    }
