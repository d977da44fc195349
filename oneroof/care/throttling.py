"""Limits on messages from anonymous visitors (the portal's form and the public API), so
nobody can flood the inbox."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from oneroof.core.errors import Conflict


class TooManyMessages(Conflict):
    status_code = 429
    code = "too_many_requests"


def throttle_cases(request: HttpRequest) -> None:
    """Messages one address may send in ten minutes through the form and the API."""
    limit = settings.ONEROOF_CARE_CASES_PER_10_MIN
    key = f"oneroof:care:cases:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=600)
        count = 1
    if count > limit:
        raise TooManyMessages(_("Too many messages from this address. Please try again later."))
