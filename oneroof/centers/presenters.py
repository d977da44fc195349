"""Turning opening status into words for pages (in the active language)."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from oneroof.centers.selectors import OpeningStatus


def _when(moment: dt.datetime, tz: dt.tzinfo) -> str:
    local = moment.astimezone(tz)
    now_local = timezone.now().astimezone(tz)
    clock = local.strftime("%H:%M")
    if local.date() == now_local.date():
        return _("today at %(time)s") % {"time": clock}
    if local.date() == now_local.date() + dt.timedelta(days=1):
        return _("tomorrow at %(time)s") % {"time": clock}
    day = formats.date_format(local, "l j F")
    return _("%(day)s at %(time)s") % {"day": day, "time": clock}


def opening_label(status: OpeningStatus, tz: dt.tzinfo) -> dict:
    """{'open': bool, 'label': 'Open now · closes at 13:00', 'reason': …} for templates."""
    if status.is_open and status.closes_at:
        label = _("Open now · closes %(when)s") % {"when": _when(status.closes_at, tz)}
    elif status.next_opening:
        label = _("Closed · opens %(when)s") % {"when": _when(status.next_opening, tz)}
    else:
        label = _("Closed")
    return {"open": status.is_open, "label": label, "reason": status.closed_reason}
