"""What a server process does once the application is loaded."""

from __future__ import annotations

import gc


def freeze_loaded_objects() -> None:
    """Load every view, then move the objects alive now (modules, models, URL patterns,
    translations: they live as long as the process) out of the garbage collector's sight.

    A request that builds many objects (a slot search over a month, a report) triggers
    collections; a full one would otherwise walk every loaded object each time, which showed
    as a long tail of slow requests (docs/benchmarks.md)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view
    gc.collect()
    gc.freeze()
