"""oneroof rebuild_rollups: recomputes a range of days from the raw rows and says what it
wrote; a range that ends before it starts is refused and changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from oneroof.insights.tests.helpers import clear_rollups, from_scratch, snapshot
from oneroof.queueing import actions
from oneroof.queueing.tests.factories import fresh, issue, open_counter

pytestmark = pytest.mark.django_db


def test_the_command_rebuilds_what_the_events_kept(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issue(minutes_ago=20)
        issue(minutes_ago=3)
        desk = open_counter(employee_a)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
    with django_capture_on_commit_callbacks(execute=True):
        actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=fresh(employee_a))
    kept = snapshot()
    clear_rollups()

    out = StringIO()
    call_command("rebuild_rollups", stdout=out)

    assert snapshot() == kept == from_scratch()
    assert "ServiceDay: 1" in out.getvalue()


def test_a_range_backwards_is_refused(db):
    with translation.override("en"), pytest.raises(CommandError, match="before its start"):
        call_command("rebuild_rollups", "--from", "2026-05-02", "--to", "2026-05-01")
    with pytest.raises(CommandError, match="تسبق بدايتها"):  # commands speak Arabic by default
        call_command("rebuild_rollups", "--from", "2026-05-02", "--to", "2026-05-01")
    assert snapshot() == {name: {} for name in snapshot()}
