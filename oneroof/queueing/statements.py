"""Hand-written SQL for the queue's hottest requests on PostgreSQL.

Taking a ticket, calling the next visitor and completing a visit run many times a minute
at every counter of a country. Through the ORM each is several round trips to the database,
each with its own statement and its own share of the two cores; here each step is one
statement with data-modifying common table expressions:

* **issue** (no phone given): draw the line's next number of the day (the same
  `INSERT … ON CONFLICT DO UPDATE` row lock as everywhere), insert the ticket with it and
  its `issued` event, and count the people ahead, in one statement and so in one
  transaction of its own;
* **update and record**: change a ticket (conditionally on its state, so two counters
  never take the same visitor) and insert its event, in one statement.

SQLite has no data-modifying CTE: there the same steps are separate statements in one write
transaction (its statements cost no round trip), still written by hand.

And, on both databases, the reads those requests make under a lock, written once per
process instead of compiled by the ORM on every request (which costs more CPU than the
database spends on them): a counter's state with whether a visitor is at it; the next
waiting visitor of a counter's lines under the calling policy's order, with the line,
service and center the response needs (`SELECT … FOR UPDATE OF t SKIP LOCKED` on
PostgreSQL); a ticket with its counter, the counter's state, line, service and center. Long
texts (descriptions, addresses) are left deferred.

The columns and values come from Django's own fields (`pre_save`, `get_db_prep_save`,
through `oneroof/core/rows.py`), so a column added to a model is written here too. Both
paths are run by the whole test suite (SQLite, then PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from oneroof.catalog.models import Service
from oneroof.centers.models import Center, Counter
from oneroof.core.rows import insert as _insert
from oneroof.core.rows import insert_parts as _insert_parts
from oneroof.core.rows import qn
from oneroof.core.rows import saved as _saved
from oneroof.queueing.choices import ACTIVE_AT_COUNTER, PriorityClass, TicketStatus
from oneroof.queueing.models import CounterState, Line, LineDay, Ticket, TicketEvent


def available() -> bool:
    return connection.vendor == "postgresql"


def issue(ticket: Ticket, event: TicketEvent, *, prefix: str, strict: bool) -> int:
    """Insert `ticket` with the next number of its line and day, and its `issued` event;
    returns the people ahead of it (as `selectors.people_ahead` counts them, over the
    waiting tickets committed before this statement; on SQLite, right after it)."""
    if strict:
        ahead = (
            "(w.class_order < t.class_order OR (w.class_order = t.class_order AND "
            "(w.queued_at < t.queued_at OR (w.queued_at = t.queued_at AND w.id < t.id))))"
        )
    else:
        ahead = "(w.rank_at < t.rank_at OR (w.rank_at = t.rank_at AND w.id < t.id))"
    if not available():
        return _issue_in_steps(ticket, event, prefix=prefix, ahead=ahead)
    ticket_columns, ticket_values = _insert_parts(ticket, skip=("sequence", "number"))
    event_columns, event_values = _insert_parts(event, skip=("ticket_id",))
    day_table, ticket_table = qn(LineDay._meta.db_table), qn(Ticket._meta.db_table)
    event_table = qn(TicketEvent._meta.db_table)
    sql = (
        f"WITH n AS (INSERT INTO {day_table} (line_id, business_date, last_number) "  # noqa: S608 - names only
        f"VALUES (%s, %s, 1) ON CONFLICT (line_id, business_date) "
        f"DO UPDATE SET last_number = {day_table}.last_number + 1 RETURNING last_number), "
        f"t AS (INSERT INTO {ticket_table} ({', '.join(ticket_columns)}, sequence, number) "
        f"SELECT {', '.join(['%s'] * len(ticket_values))}, n.last_number, "
        f"%s || CASE WHEN n.last_number < 1000 THEN lpad(n.last_number::text, 3, '0') "
        f"ELSE n.last_number::text END FROM n "
        f"RETURNING id, sequence, number, line_id, rank_at, class_order, queued_at), "
        f"e AS (INSERT INTO {event_table} (ticket_id, {', '.join(event_columns)}) "
        f"SELECT t.id, {', '.join(['%s'] * len(event_values))} FROM t RETURNING id) "
        f"SELECT t.id, t.sequence, t.number, (SELECT e.id FROM e), "
        f"(SELECT COUNT(*) FROM {ticket_table} w WHERE w.line_id = t.line_id "
        f"AND w.status = %s AND {ahead}) FROM t"
    )
    params = [
        ticket.line_id,
        ticket.business_date,
        *ticket_values,
        prefix,
        *event_values,
        TicketStatus.WAITING,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk, sequence, number, event_pk, people_ahead = cursor.fetchone()
    ticket.sequence, ticket.number = sequence, number
    _saved(ticket, pk)
    event.ticket = ticket
    _saved(event, event_pk)
    return people_ahead


def _issue_in_steps(ticket: Ticket, event: TicketEvent, *, prefix: str, ahead: str) -> int:
    """SQLite: the number, the ticket and its event in one write transaction (no
    data-modifying CTE there; its statements cost no round trip), then the people ahead
    read after commit, so the write lock is held only for the writes."""
    day_table, ticket_table = qn(LineDay._meta.db_table), qn(Ticket._meta.db_table)
    ticket_columns, ticket_values = _insert_parts(ticket, skip=("sequence", "number"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {day_table} (line_id, business_date, last_number) "  # noqa: S608 - names only
            f"VALUES (%s, %s, 1) ON CONFLICT (line_id, business_date) "
            f"DO UPDATE SET last_number = {day_table}.last_number + 1 RETURNING last_number",
            [ticket.line_id, ticket.business_date],
        )
        ticket.sequence = cursor.fetchone()[0]
        ticket.number = f"{prefix}{ticket.sequence:03d}"
        cursor.execute(
            f"INSERT INTO {ticket_table} ({', '.join(ticket_columns)}, sequence, number) "  # noqa: S608 - names only
            f"VALUES ({', '.join(['%s'] * (len(ticket_values) + 2))}) RETURNING id",
            [*ticket_values, ticket.sequence, ticket.number],
        )
        _saved(ticket, cursor.fetchone()[0])
        event.ticket = ticket
        _insert(cursor, event)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {ticket_table} w, {ticket_table} t "  # noqa: S608 - names only
            f"WHERE t.id = %s AND w.line_id = t.line_id AND w.status = %s AND {ahead}",
            [ticket.pk, TicketStatus.WAITING],
        )
        return cursor.fetchone()[0]


def update_and_record(
    ticket: Ticket, fields: dict[str, object], event: TicketEvent, *, only_if_status: str = ""
) -> bool:
    """Set `fields` on the ticket's row (only while its status is `only_if_status`, when
    given) and insert `event` for it, in one statement; whether the row changed. The
    instance is left as it was: the caller sets its attributes."""
    sets, set_values = [], []
    for name, value in fields.items():
        field = Ticket._meta.get_field(name)
        if isinstance(value, Model):
            value = value.pk
        sets.append(f"{qn(field.column)} = %s")
        set_values.append(field.get_db_prep_save(value, connection))
    condition, condition_values = "id = %s", [ticket.pk]
    if only_if_status:
        condition += " AND status = %s"
        condition_values.append(only_if_status)
    ticket_table, event_table = qn(Ticket._meta.db_table), qn(TicketEvent._meta.db_table)
    if not available():  # SQLite: the update, then the event, in the caller's transaction
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ticket_table} SET {', '.join(sets)} WHERE {condition}",  # noqa: S608 - names only
                [*set_values, *condition_values],
            )
            if cursor.rowcount != 1:
                return False
            event.ticket = ticket
            _insert(cursor, event)
        return True
    event_columns, event_values = _insert_parts(event, skip=("ticket_id",))
    sql = (
        f"WITH u AS (UPDATE {ticket_table} SET {', '.join(sets)} WHERE {condition} "  # noqa: S608 - names only
        f"RETURNING id) "
        f"INSERT INTO {event_table} (ticket_id, {', '.join(event_columns)}) "
        f"SELECT u.id, {', '.join(['%s'] * len(event_values))} FROM u RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*set_values, *condition_values, *event_values])
        row = cursor.fetchone()
    if row is None:
        return False
    event.ticket = ticket
    _saved(event, row[0])
    return True


# --- reads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """One model's columns in a hand-written SELECT, and how to turn them into an instance."""

    model: type[Model]
    alias: str
    attnames: tuple[str, ...]
    columns: tuple[str, ...]
    converters: tuple[tuple[Any, tuple[Callable, ...]], ...]  # (column expression, converters)

    def instance(self, values: Sequence[Any]) -> Model | None:
        if values[0] is None:  # the outer join found nothing
            return None
        converted = []
        for value, (col, converters) in zip(values, self.converters, strict=True):
            for convert in converters:
                value = convert(value, col, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, list(self.attnames), converted)


def _part(model: type[Model], alias: str, *, light: bool = False) -> _Part:
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.primary_key or not (light and f.get_internal_type() == "TextField")
    ]
    converters = []
    for f in fields:
        col = f.get_col(alias)
        converters.append(
            (
                col,
                tuple(connection.ops.get_db_converters(col))
                + tuple(f.get_db_converters(connection)),
            )
        )
    return _Part(
        model,
        alias,
        tuple(f.attname for f in fields),
        tuple(f"{alias}.{qn(f.column)}" for f in fields),
        tuple(converters),
    )


def _split(parts: Sequence[_Part], row: Sequence[Any]) -> list[Model | None]:
    out, i = [], 0
    for part in parts:
        n = len(part.attnames)
        out.append(part.instance(row[i : i + n]))
        i += n
    return out


def _columns(parts: Sequence[_Part]) -> str:
    return ", ".join(c for part in parts for c in part.columns)


_SQL: dict[tuple, tuple[str, list[_Part]]] = {}


def _prepared(key: tuple, build: Callable[[], tuple[str, list[_Part]]]) -> tuple[str, list[_Part]]:
    """Each statement is written once per process and database vendor."""
    key = (connection.vendor, *key)
    found = _SQL.get(key)
    if found is None:
        found = _SQL[key] = build()
    return found


def _lock(of: str, *, skip_locked: bool = False) -> str:
    if connection.vendor != "postgresql":
        return ""  # SQLite's write transaction is taken at BEGIN IMMEDIATE
    return f" FOR UPDATE OF {of}" + (" SKIP LOCKED" if skip_locked else "")


def counter_state(counter_id: int) -> CounterState | None:
    """The counter's state, locked, with `busy`: whether a visitor is called or served
    there."""

    def build() -> tuple[str, list[_Part]]:
        parts = [_part(CounterState, "st")]
        statuses = ", ".join(f"'{s}'" for s in ACTIVE_AT_COUNTER)
        sql = (
            f"SELECT {_columns(parts)}, EXISTS(SELECT 1 FROM {qn(Ticket._meta.db_table)} b "  # noqa: S608 - names only
            f"WHERE b.counter_id = st.counter_id AND b.status IN ({statuses})) "
            f"FROM {qn(CounterState._meta.db_table)} st WHERE st.counter_id = %s{_lock('st')}"
        )
        return sql, parts

    sql, parts = _prepared(("counter_state",), build)
    with connection.cursor() as cursor:
        cursor.execute(sql, [counter_id])
        row = cursor.fetchone()
    if row is None:
        return None
    (state,) = _split(parts, row[:-1])
    state.busy = bool(row[-1])
    return state


_TICKET_PARTS = (
    lambda: _part(Ticket, "t"),
    lambda: _part(Line, "l"),
    lambda: _part(Service, "s", light=True),
    lambda: _part(Center, "c", light=True),
)


def _joins() -> str:
    return (
        f"JOIN {qn(Line._meta.db_table)} l ON l.id = t.line_id "
        f"JOIN {qn(Service._meta.db_table)} s ON s.id = t.service_id "
        f"JOIN {qn(Center._meta.db_table)} c ON c.id = t.center_id"
    )


def _attach(ticket: Ticket, line: Line, service: Service, center: Center) -> Ticket:
    ticket.line, ticket.service, ticket.center = line, service, center
    return ticket


def next_waiting(
    *, state_id: int, counter_id: int, by_class: bool, group: str = ""
) -> Ticket | None:
    """The next waiting visitor of the counter's lines, locked (skipping visitors another
    counter is taking at this instant): those sent back to this counter first, then by
    class and arrival (`by_class`, strict priority and interleaving) or by rank (weighted
    ageing). `group` narrows to "normal" or "favoured" (not normal) visitors."""

    def build() -> tuple[str, list[_Part]]:
        parts = [make() for make in _TICKET_PARTS]
        narrow = {
            "": "",
            "normal": f" AND t.priority_class = '{PriorityClass.NORMAL}'",
            "favoured": f" AND t.priority_class <> '{PriorityClass.NORMAL}'",
        }[group]
        order = "t.class_order, t.queued_at, t.id" if by_class else "t.rank_at, t.id"
        through = qn(CounterState.lines.through._meta.db_table)
        sql = (
            f"SELECT {_columns(parts)} FROM {qn(Ticket._meta.db_table)} t {_joins()} "  # noqa: S608 - names only
            f"WHERE t.line_id IN (SELECT line_id FROM {through} WHERE counterstate_id = %s) "
            f"AND t.status = '{TicketStatus.WAITING}' "
            # Sent back to this counter or to none. Written as COALESCE so that SQLite's
            # planner walks the (line, status, rank) index instead of every ticket that no
            # counter holds (an OR of two index lookups).
            f"AND COALESCE(t.reserved_counter_id, %s) = %s{narrow} "
            f"ORDER BY CASE WHEN t.reserved_counter_id = %s THEN 0 ELSE 1 END, {order} "
            f"LIMIT 1{_lock('t', skip_locked=True)}"
        )
        return sql, parts

    sql, parts = _prepared(("next_waiting", by_class, group), build)
    with connection.cursor() as cursor:
        cursor.execute(sql, [state_id, counter_id, counter_id, counter_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return _attach(*_split(parts, row))


def locked_ticket(*, pk: int | None = None, public_id: str = "") -> Ticket | None:
    """A ticket (by id or public id), locked, with its line, service, center, counter and
    the counter's state (`ticket.counter.state`)."""

    def build() -> tuple[str, list[_Part]]:
        parts = [make() for make in _TICKET_PARTS] + [
            _part(Counter, "co"),
            _part(CounterState, "st"),
        ]
        sql = (
            f"SELECT {_columns(parts)} FROM {qn(Ticket._meta.db_table)} t {_joins()} "  # noqa: S608 - names only
            f"LEFT JOIN {qn(Counter._meta.db_table)} co ON co.id = t.counter_id "
            f"LEFT JOIN {qn(CounterState._meta.db_table)} st ON st.counter_id = co.id "
            f"WHERE {'t.id' if pk is not None else 't.public_id'} = %s{_lock('t')}"
        )
        return sql, parts

    sql, parts = _prepared(("locked_ticket", pk is not None), build)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk if pk is not None else public_id])
        row = cursor.fetchone()
    if row is None:
        return None
    ticket, line, service, center, counter, state = _split(parts, row)
    _attach(ticket, line, service, center)
    ticket.counter = counter
    if counter is not None:
        counter.center = center
        # The reverse one-to-one's cache: `counter.state` reads it, None raising DoesNotExist.
        counter._state.fields_cache["state"] = state
    return ticket
