"""Facts on their way to the roll-ups.

The queue's events (a ticket issued, a visitor not come, a service recorded, a survey
answered) reach the roll-ups a moment after their action has committed: each process
collects them and a background thread adds them every `ONEROOF_ROLLUP_DELAY_MS`
milliseconds (1 s by default), reading the facts of many events with one query per table
and adding everything to the roll-up rows with one statement. Five hundred tickets issued
at a center in one hour become one `arrivals = arrivals + 500`, and no visit waits for the
roll-ups. With a delay of 0 each transaction's facts are added at once, in the thread that
committed it (the tests run that way; `flush()` adds what is pending in either mode).

A process that dies loses at most the facts of its last delay; the nightly
`oneroof rebuild_rollups` recomputes any day from the raw rows (docs/adr/0009-rollups.md).
Counter changes (open, break, close) are rare and are counted at once: each closes the
interval since the counter's previous event.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections

from oneroof.insights import rollups

logger = logging.getLogger(__name__)


@dataclass
class _Facts:
    tickets: list[tuple[str, str]] = field(default_factory=list)  # (public id, kind)
    records: list[int] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.tickets) + len(self.records) + len(self.answers)


def _add(facts: _Facts) -> None:
    changes = [
        *rollups.ticket_changes(facts.tickets),
        *rollups.record_changes(facts.records),
        *rollups.answer_changes(facts.answers),
    ]
    rollups.add(*changes)


class PendingFacts:
    """This process's facts not yet in the roll-ups, and the thread that adds them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._facts = _Facts()
        self._thread: threading.Thread | None = None
        self._pid = 0

    @staticmethod
    def delay_seconds() -> float:
        return max(0, getattr(settings, "ONEROOF_ROLLUP_DELAY_MS", 1000)) / 1000

    def put(
        self,
        *,
        ticket: tuple[str, str] | None = None,
        record: int | None = None,
        answer: int | None = None,
    ) -> None:
        if self.delay_seconds() == 0:
            facts = _Facts()
            self._append(facts, ticket, record, answer)
            _add(facts)
            return
        with self._lock:
            self._append(self._facts, ticket, record, answer)
            self._start()

    @staticmethod
    def _append(facts: _Facts, ticket, record, answer) -> None:
        if ticket is not None:
            facts.tickets.append(ticket)
        if record is not None:
            facts.records.append(record)
        if answer is not None:
            facts.answers.append(answer)

    def _start(self) -> None:
        # A thread does not survive a fork: a worker forked from a process that had one
        # starts its own.
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._run, name="oneroof-rollups", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        stop = threading.Event()
        while not stop.wait(self.delay_seconds() or 1):
            close_old_connections()
            try:
                self.flush()
            finally:
                close_old_connections()

    def take(self) -> _Facts:
        with self._lock:
            facts, self._facts = self._facts, _Facts()
        return facts

    def flush(self) -> int:
        """Add every pending fact to the roll-ups now; the number of facts added."""
        facts = self.take()
        if not facts:
            return 0
        try:
            _add(facts)
        except Exception:
            logger.exception(
                "roll-ups missed %d fact(s); `oneroof rebuild_rollups` repairs them", len(facts)
            )
            return 0
        return len(facts)

    def __len__(self) -> int:
        with self._lock:
            return len(self._facts)


pending = PendingFacts()


@atexit.register
def _flush_at_exit() -> None:  # pragma: no cover - runs as the process ends
    if len(pending):
        pending.flush()
