"""Fast multi-row inserts for bulk writes (imports): the raw-SQL floor of DESIGN §10.

SQLite takes `executemany` of one prepared INSERT; PostgreSQL takes `COPY …
FROM STDIN`, which is several times faster there than a statement per row.
Both run inside the caller's transaction and commit nothing.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def field_defaults(fields: Iterable[models.Field[Any, Any]]) -> list[Any]:
    """Return each field's model default, for columns a raw INSERT does not name.

    A column another module adds later (NOT NULL with a default) then needs no
    change in the code that writes rows fast.
    """
    return [f.get_default() for f in fields]


def json_columns(model: type[models.Model]) -> list[str]:
    """Return the model's JSON columns (insert_rows serialises them)."""
    return [str(f.column) for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]


def time_ordered_uids(count: int) -> list[uuid.UUID]:
    """Return `count` new UUIDs in the version 7 layout: a millisecond clock, then 74 random bits.

    New rows' uids then sort after the existing ones, so their unique index takes them
    at its end instead of at 100k scattered places (3-4 us a row on SQLite at 100k rows),
    and one read of the random source serves a whole batch.
    """
    stamp = (time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | 0b10 << 62
    random = os.urandom(10 * count)
    out = []
    for offset in range(0, 10 * count, 10):
        bits = int.from_bytes(random[offset : offset + 10])
        out.append(uuid.UUID(int=stamp | (bits >> 62 & _RAND_A) << 64 | bits & _RAND_B))
    return out


_RAND_A = (1 << 12) - 1
_RAND_B = (1 << 62) - 1


def reserve_ids(table: str, count: int) -> list[int]:
    """Return `count` new ids for `table`, taken inside the writing transaction.

    SQLite: the transaction holds the database's write lock (IMMEDIATE), so the
    ids after the AUTOINCREMENT counter are free, and inserting them moves the
    counter on. PostgreSQL: drawn from the identity
    sequence (never reused, even when the transaction rolls back).
    """
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Django's SQLite ids are AUTOINCREMENT: the counter is never below any id used.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = int(row[0]) if row else 0
            return list(range(start + 1, start + count + 1))
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [int(r[0]) for r in cursor.fetchall()]


def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    json_columns: Sequence[str] = (),
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Insert rows of already-prepared values (JSON columns as Python objects).

    `constants` are further columns with one value for every row (the workspace, the
    defaults of columns an import does not fill). SQLite gets the plain ones (numbers,
    text, NULL) written into the statement: binding 45 equal values again for each
    of 100k rows was a fifth of the people table's insert time.
    """
    json_at = [columns.index(c) for c in json_columns]
    if json_at:
        rows = _dump_json(rows, json_at)
    constants = dict(constants or {})
    if connection.vendor != "postgresql":
        literals = {c: text for c, v in constants.items() if (text := _literal(v)) is not None}
        bound = [c for c in constants if c not in literals]
        if bound:
            extra = tuple(constants[c] for c in bound)
            rows = [(*row, *extra) for row in rows]
        names = [*columns, *bound, *literals]
        marks = ["%s"] * (len(columns) + len(bound)) + list(literals.values())
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the models
            _q(table), ", ".join(_q(c) for c in names), ", ".join(marks)
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows if isinstance(rows, list) else list(rows))
        return
    names = [*columns, *constants]
    extra = tuple(constants.values())
    sql = "COPY {} ({}) FROM STDIN".format(_q(table), ", ".join(_q(c) for c in names))
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(sql) as copy:
            for row in rows:
                copy.write_row((*row, *extra) if extra else row)


def _literal(value: Any) -> str | None:
    """Return a plain value as an SQLite literal (None when it must be bound instead).

    Only numbers and text without NUL: text is quoted as SQLite quotes it, every
    quote doubled, so no value can end the literal.
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def _dump_json(rows: Iterable[Sequence[Any]], json_at: list[int]) -> list[Sequence[Any]]:
    """Serialise the JSON cells only (touching every cell of 100k wide rows costs seconds)."""
    out: list[Sequence[Any]] = []
    for row in rows:
        cells = list(row)
        for i in json_at:
            value = cells[i]
            if value is not None:
                cells[i] = "{}" if value == {} else "[]" if value == [] else json.dumps(value)
        out.append(cells)
    return out
