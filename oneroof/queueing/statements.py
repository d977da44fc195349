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

The columns and values come from Django's own fields (`pre_save`, `get_db_prep_save`), so a
column added to a model is written here too. SQLite, whose statements cost no round trip,
keeps the ORM path. Both paths are run by the whole test suite (SQLite, then PostgreSQL).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model

from oneroof.queueing.choices import TicketStatus
from oneroof.queueing.models import LineDay, Ticket, TicketEvent


def available() -> bool:
    return connection.vendor == "postgresql"


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert_parts(obj: Model, *, skip: tuple[str, ...] = ()) -> tuple[list[str], list]:
    """The quoted columns and database values Django would insert for a new instance."""
    columns, values = [], []
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.attname in skip:
            continue
        columns.append(qn(field.column))
        values.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
    return columns, values


def _saved(obj: Model, pk: int) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def issue(ticket: Ticket, event: TicketEvent, *, prefix: str, strict: bool) -> int:
    """Insert `ticket` with the next number of its line and day, and its `issued` event;
    returns the people ahead of it (as `selectors.people_ahead` counts them, over the
    waiting tickets committed before this statement)."""
    ticket_columns, ticket_values = _insert_parts(ticket, skip=("sequence", "number"))
    event_columns, event_values = _insert_parts(event, skip=("ticket_id",))
    day_table, ticket_table = qn(LineDay._meta.db_table), qn(Ticket._meta.db_table)
    event_table = qn(TicketEvent._meta.db_table)
    if strict:
        ahead = (
            "(w.class_order < t.class_order OR (w.class_order = t.class_order AND "
            "(w.queued_at < t.queued_at OR (w.queued_at = t.queued_at AND w.id < t.id))))"
        )
    else:
        ahead = "(w.rank_at < t.rank_at OR (w.rank_at = t.rank_at AND w.id < t.id))"
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
    event_columns, event_values = _insert_parts(event, skip=("ticket_id",))
    ticket_table, event_table = qn(Ticket._meta.db_table), qn(TicketEvent._meta.db_table)
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
