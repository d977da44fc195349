"""Per-process memories of data that every request reads and that rarely changes:
opening hours, calling policies, which line serves a service, API keys, role rows.

Reading them from the database on every ticket issued or called costs more than the
ticket itself (see docs/benchmarks.md). A `Memo` keeps each value for at most `ttl`
seconds. A change saved or deleted through the ORM in this process clears the memories
that depend on that model at once (and again when its transaction commits); other
worker processes see the change when their copy expires, so `ttl` is the longest a
change can take to reach every worker. Writes that bypass model signals (bulk_create,
QuerySet.update) call `clear_all()` themselves.

A memory never holds the same model instance for two requests to change: callers that
hand a value to code that may modify it copy it first."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

_ALL: list[Memo] = []
_MISSING = object()


class Memo:
    def __init__(self, name: str, *, ttl: float, max_entries: int = 10_000) -> None:
        self.name = name
        self.ttl = ttl
        self.max_entries = max_entries
        self._data: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: Hashable, load: Callable[[], T], *, keep_none: bool = True) -> T:
        """The remembered value of `key`, else `load()` (remembered unless it is None and
        `keep_none` is false, e.g. for keys an attacker may invent)."""
        now = time.monotonic()
        hit = self._data.get(key, _MISSING)
        if hit is not _MISSING and hit[0] > now:  # type: ignore[index]
            return hit[1]  # type: ignore[index]
        value = load()
        if value is None and not keep_none:
            return value
        with self._lock:
            if len(self._data) >= self.max_entries:
                self._data.clear()
            self._data[key] = (now + self.ttl, value)
        return value

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def clear_on(self, *models: type) -> Memo:
        """Clear this memory whenever an instance of one of `models` is saved or deleted
        (or a many-to-many set of it changes) in this process."""

        def changed(sender: type, **kwargs: Any) -> None:
            self.clear()
            # A value read inside the writing transaction may hold what it wrote; read
            # afresh once it is committed.
            transaction.on_commit(self.clear)

        for model in models:
            post_save.connect(changed, sender=model, weak=False)
            post_delete.connect(changed, sender=model, weak=False)

        def m2m(sender: type, **kwargs: Any) -> None:
            involved = kwargs.get("model") in models or type(kwargs.get("instance")) in models
            if involved and kwargs.get("action", "").startswith("post_"):
                changed(sender)

        m2m_changed.connect(m2m, weak=False)
        return self

    def __len__(self) -> int:
        return len(self._data)


def clear_all() -> None:
    """Forget everything remembered in this process (after bulk writes, and between
    tests)."""
    for memo in _ALL:
        memo.clear()
