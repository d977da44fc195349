"""Django's SQLite backend with the writers of one process waiting in line (ADR 3).

With `BEGIN IMMEDIATE` every transaction takes SQLite's write lock when it begins. A
transaction that finds the lock taken does not queue: SQLite's busy handler makes it
sleep 1, 2, 5, 10 … up to 100 ms between tries, so under load most waiters sleep while
the lock is free, and an unlucky one waits a second or more while later ones pass it.
Here the threads of one process that begin a transaction on the same database file first
take that file's line, a lock of the process handed on at commit, rollback or close, so
at most one of them at a time asks SQLite, and the others wake the moment it is done;
SQLite's busy handler is left to share the file between processes. A thread that has
waited as long as the busy timeout for the line goes on to SQLite's own wait, as before,
so the line can never hold a transaction up for good.

The line decides no rule: SQLite's lock still decides who writes.
"""

from __future__ import annotations

import threading

from django.db.backends.sqlite3 import base

_lines: dict[str, threading.Lock] = {}
_lines_lock = threading.Lock()


def line(name: str) -> threading.Lock:
    """The line of the database file `name` in this process."""
    with _lines_lock:
        return _lines.setdefault(name, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _in_line: threading.Lock | None = None

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode == "IMMEDIATE" and not self.is_in_memory_db():
            mine = line(str(self.settings_dict["NAME"]))
            timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
            if mine.acquire(timeout=timeout):
                self._in_line = mine
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_line()
            raise

    def _leave_line(self) -> None:
        mine, self._in_line = self._in_line, None
        if mine is not None:
            mine.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_line()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_line()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._leave_line()
