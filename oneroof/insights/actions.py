"""Keeping the roll-ups current, rebuilding them, and generating a demo history.

Roll-ups follow the domain events of the queue, the transactions and the surveys: each
event's difference is added shortly after the action's transaction has committed, many
events at a time (`insights.pending`). A failure here
never fails the action that published the event; it is logged, and
`oneroof rebuild_rollups` (run nightly for the previous day) recomputes the figures from
raw rows. See docs/adr/0009-rollups.md."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from oneroof.core.errors import InvalidInput
from oneroof.insights import history, rollups
from oneroof.insights.history import HistoryReport
from oneroof.insights.pending import pending

logger = logging.getLogger(__name__)

# The longest range one rebuild may cover (a few years), so a typo does not start a
# rebuild of centuries.
MAX_REBUILD_DAYS = 3 * 366


def on_domain_event(group: str, event_type: str, payload: dict[str, Any]) -> None:
    """Subscriber of `core.events`: add what the event changed to the roll-ups."""
    try:
        if event_type == "queue.changed" and group.startswith("center."):
            # The same change is also published to the line's and the ticket's groups.
            kind = payload.get("kind", "")
            if kind in rollups.TICKET_KINDS:
                pending.put(ticket=(payload["ticket"], kind))
        elif event_type == "record.created":
            pending.put(record=int(payload["record"]))
        elif event_type == "survey.answered":
            pending.put(answer=int(payload["answer"]))
        elif event_type == "counter.changed" and group.startswith("counter."):
            rollups.apply_counter_change(int(group.split(".", 1)[1]))
    except Exception:
        logger.exception(
            "roll-ups missed %s %s; `oneroof rebuild_rollups` repairs them", event_type, payload
        )


def rollups_rebuild(*, start: dt.date, end: dt.date) -> rollups.RebuildReport:
    """Recompute every roll-up of the local days from `start` to `end` inclusive from the
    raw rows (tickets, transaction records, survey answers, counter events)."""
    if end < start:
        raise InvalidInput(_("The end of the period comes before its start."))
    if (end - start).days >= MAX_REBUILD_DAYS:
        raise InvalidInput(
            _("Rebuild at most %(days)s days at a time.") % {"days": MAX_REBUILD_DAYS}
        )
    return rollups.rebuild(start, end + dt.timedelta(days=1))


def history_generate(
    *,
    months: int,
    scale: float,
    seed: int,
    end: dt.date,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
) -> HistoryReport:
    """Write a deterministic demo history for every active center and rebuild the
    roll-ups of its period (see `insights.history`)."""
    return history.generate(
        months=months, scale=scale, seed=seed, end=end, replace=replace, progress=progress
    )
