"""SQLite: the writers of one process wait in line for the database file, and the line
is always handed on (commit, rollback, an error, a closed connection)."""

import threading
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from oneroof.core.sqlite.base import line

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the writers' line is SQLite's (ADR 3)"
    ),
]


def _line():
    return line(str(connection.settings_dict["NAME"]))


def test_the_embedded_default_uses_the_line():
    assert type(connections["default"]).__module__ == "oneroof.core.sqlite.base"
    assert connection.transaction_mode == "IMMEDIATE"


def test_the_line_is_held_for_the_transaction_and_handed_on_after_commit_or_rollback():
    with transaction.atomic():
        assert _line().locked()
        with transaction.atomic():  # a savepoint takes no second turn
            assert _line().locked()
    assert not _line().locked()
    with pytest.raises(RuntimeError), transaction.atomic():
        raise RuntimeError
    assert not _line().locked()


def _session(key: str, data: str = "") -> Session:
    return Session.objects.create(session_key=key, session_data=data, expire_date=timezone.now())


def test_a_failed_statement_hands_the_line_on():
    _session("k1", "first")
    with pytest.raises(IntegrityError), transaction.atomic():  # the same key again
        Session.objects.bulk_create([Session(session_key="k1", expire_date=timezone.now())])
    assert not _line().locked()
    assert Session.objects.get(session_key="k1").session_data == "first"


def test_a_second_thread_waits_for_the_first_to_commit_then_writes():
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                _session("first")
                inside.set()
                time.sleep(0.3)
                order.append("first commits")
        finally:
            connections.close_all()

    def second() -> None:
        try:
            inside.wait(5)
            with transaction.atomic():
                order.append("second begins")
                _session("second")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert order == ["first commits", "second begins"]
    assert Session.objects.filter(session_key__in=["first", "second"]).count() == 2
    assert not _line().locked()
