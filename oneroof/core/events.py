"""Publishing domain events after commit.

Actions call `publish(group, type, payload)`; the event leaves only once the surrounding
database transaction commits, so a rolled-back change never reaches a screen. All events of
one transaction leave together: in-process subscribers first (tests capture them with
`capture_events()`), then the channel layer (display boards, consoles, ticket pages).

Sending to the channel layer never blocks or fails an action: with Redis, events go through
one long-lived event loop per process that keeps its connections; with the in-memory layer
(the embedded default, one process) they are handed to the server's own loop. A screen that
misses an event refetches its state when it reconnects or polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, transaction

logger = logging.getLogger(__name__)

Event = tuple[str, str, dict[str, Any]]
Subscriber = Callable[[str, str, dict[str, Any]], None]
_subscribers: list[Subscriber] = []
_pending = threading.local()


def subscribe(fn: Subscriber) -> Subscriber:
    _subscribers.append(fn)
    return fn


def unsubscribe(fn: Subscriber) -> None:
    with contextlib.suppress(ValueError):
        _subscribers.remove(fn)


# --- the channel layer -----------------------------------------------------------------------


class _LoopThread:
    """One event loop in a daemon thread, for layers that may be used from any loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        thread = threading.Thread(target=self.loop.run_forever, name="oneroof-events", daemon=True)
        thread.start()


_loop_thread: _LoopThread | None = None
_tasks: set[asyncio.Task] = set()
_loop_lock = threading.Lock()


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop_thread
    with _loop_lock:
        if _loop_thread is None:
            _loop_thread = _LoopThread()
    return _loop_thread.loop


async def _send_all(layer, events: list[Event]) -> None:
    results = await asyncio.gather(
        *(
            layer.group_send(group, {"type": "domain.event", "event": kind, "payload": payload})
            for group, kind, payload in events
        ),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, Exception):
            logger.warning("an event did not reach the channel layer: %r", result)


def _send_to_channel_layer(events: list[Event]) -> None:
    try:
        from channels.layers import InMemoryChannelLayer, get_channel_layer
    except ImportError:  # pragma: no cover
        return
    layer = get_channel_layer()
    if layer is None or not events:
        return
    try:
        if not isinstance(layer, InMemoryChannelLayer):
            # Fire and forget on the long-lived loop: the request does not wait for Redis.
            asyncio.run_coroutine_threadsafe(_send_all(layer, events), _background_loop())
            return
        # The in-memory layer lives on the server's loop and delivers only to this
        # process's members: an event for a group nobody here has joined (no screen open,
        # or a worker that serves no websockets) has nowhere to go.
        events = [event for event in events if layer.groups.get(event[0])]
        if not events:
            return
        # Send on the server's loop.
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            from asgiref.sync import async_to_sync

            async_to_sync(_send_all)(layer, events)
        else:
            task = running.create_task(_send_all(layer, events))
            _tasks.add(task)
            task.add_done_callback(_tasks.discard)
    except Exception:
        logger.exception("could not publish %d event(s)", len(events))


# --- publishing ------------------------------------------------------------------------------


def _deliver(events: list[Event]) -> None:
    for group, event_type, payload in events:
        for fn in list(_subscribers):
            fn(group, event_type, payload)
    _send_to_channel_layer(events)


class _Batch:
    """The events of one transaction, sent by one after-commit callback."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def flush(self) -> None:
        events, self.events = self.events, []
        _deliver(events)


def _pending_batch() -> _Batch:
    """The batch of the current savepoint, so rolling a savepoint back drops its events."""
    waiting = {entry[1] for entry in connection.run_on_commit}
    # A batch whose callback is no longer waiting (it ran, or its savepoint was rolled back)
    # is finished; forget it.
    batches: dict[tuple, _Batch] = {
        key: b
        for key, b in (getattr(_pending, "batches", None) or {}).items()
        if b.flush in waiting
    }
    key = tuple(connection.savepoint_ids)
    batch = batches.get(key)
    if batch is None:
        batch = _Batch()
        batches[key] = batch
        transaction.on_commit(batch.flush)
    _pending.batches = batches
    return batch


def publish(group: str, event_type: str, payload: dict[str, Any]) -> None:
    """Send an event when the current transaction commits (at once outside one)."""
    publish_all([(group, event_type, payload)])


def publish_all(batch: list[Event]) -> None:
    """Send several events together when the current transaction commits (at once, in one
    send to the channel layer, outside one)."""
    if not connection.in_atomic_block:
        _deliver(batch)
        return
    _pending_batch().events.extend(batch)


@contextlib.contextmanager
def capture_events() -> Iterator[list[Event]]:
    captured: list[Event] = []

    def _collect(group: str, event_type: str, payload: dict[str, Any]) -> None:
        captured.append((group, event_type, payload))

    subscribe(_collect)
    try:
        yield captured
    finally:
        unsubscribe(_collect)
