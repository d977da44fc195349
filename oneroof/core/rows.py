"""Inserting a model instance by hand: one statement, as Django would write it.

Django's `Model.save()` compiles its INSERT on every call, which on the queue's hottest
requests costs more CPU than the database spends on the row. These helpers take the columns
and values from Django's own fields (`pre_save`, `get_db_prep_save`), so a column added to a
model is written here too, and leave the instance as `save()` would (primary key set, no
longer adding). No signals are sent: use them only for models nobody listens to.
"""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Model


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


@functools.cache
def _insert_fields(model: type[Model], skip: tuple[str, ...], vendor: str) -> tuple[list, list]:
    """The fields a new row of `model` is inserted with, and their quoted columns."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in skip]
    return fields, [qn(f.column) for f in fields]


def insert_parts(obj: Model, *, skip: tuple[str, ...] = ()) -> tuple[list[str], list]:
    """The quoted columns and database values Django would insert for a new instance."""
    fields, columns = _insert_fields(type(obj), skip, connection.vendor)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    return columns, values


def saved(obj: Model, pk: int) -> None:
    """Mark `obj` as stored under `pk`, as `save()` leaves it."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def insert(cursor, obj: Model) -> None:
    """INSERT `obj` as a new row through `cursor` (of the default connection)."""
    columns, values = insert_parts(obj)
    cursor.execute(
        f"INSERT INTO {qn(obj._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 - names only
        f"VALUES ({', '.join(['%s'] * len(values))}) RETURNING id",
        values,
    )
    saved(obj, cursor.fetchone()[0])
