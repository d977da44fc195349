"""Limits on tickets taken by anonymous visitors (web, or a kiosk page not signed in as the
center's device), so nobody can flood a line with numbers."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from oneroof.core.errors import Conflict


def throttle_web_tickets(request: HttpRequest) -> None:
    limit = settings.ONEROOF_WEB_TICKETS_PER_10_MIN
    key = f"oneroof:webtickets:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=600)
        count = 1
    if count > limit:
        raise Conflict(
            _("Too many tickets from this address. Please try again later."), code="too_many"
        )
