"""Fast multi-row inserts for bulk writes (imports): the raw-SQL floor of DESIGN §10.

SQLite takes a chunk of rows as one INSERT reading a JSON array (`json_each`);
PostgreSQL takes `COPY … FROM STDIN`, which is several times faster there than a
statement per row. Both run inside the caller's transaction and commit nothing;
`Background` runs them on a second thread while the caller prepares more.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def field_defaults(fields: Iterable[models.Field[Any, Any]]) -> list[Any]:
    """Return each field's model default, for columns a raw INSERT does not name.

    A column another module adds later (NOT NULL with a default) then needs no
    change in the code that writes rows fast.
    """
    return [f.get_default() for f in fields]


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
        # The sequence looked up once (MATERIALIZED): inlined, it was looked up again
        # for each id, 0.3 s for 100k ids instead of 0.06 s. One text value, not a row
        # an id; ids drawn alongside other sessions need not be consecutive.
        cursor.execute(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) "
            "SELECT string_agg(nextval(s.seq)::text, ',') FROM s, generate_series(1, %s)",
            [table, count],
        )
        return list(map(int, cursor.fetchone()[0].split(",")))


@dataclass(frozen=True)
class Insert:
    """One multi-row INSERT, prepared on one thread and run on any cursor of the connection.

    The import writer prepares a chunk's statements while a second thread runs the
    previous chunk's (`run`), so nothing here may touch `django.db.connection`.
    """

    sql: str
    # SQLite: the parameters of one statement (all rows in one JSON text) or, for
    # values JSON cannot carry, the rows for executemany. PostgreSQL: the COPY rows.
    params: Sequence[Any]
    many: bool = False
    copy: bool = False
    extra: tuple[Any, ...] = ()

    def run(self, cursor: Any) -> None:
        if self.copy:
            with cursor.cursor.copy(self.sql) as copy:
                extra = self.extra
                for row in self.params:
                    copy.write_row((*row, *extra) if extra else row)
        elif self.many:
            cursor.executemany(self.sql, self.params)
        else:
            cursor.execute(self.sql, self.params)


def insert(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    constants: Mapping[str, Any] | None = None,
) -> Insert:
    """Prepare the insert of rows of already-prepared values (JSON already serialised).

    `constants` are further columns with one value for every row (the workspace, the
    defaults of columns an import does not fill). SQLite gets the plain ones (numbers,
    text, NULL) written into the statement: binding 45 equal values again for each
    of 100k rows was a fifth of the people table's insert time. SQLite gets the rows
    as one JSON array read by `json_each`, so the whole chunk is one step of the
    statement, which runs without holding Python's GIL (executemany takes it back
    after every row, and a second busy thread then keeps it for up to 5 ms).
    """
    rows = rows if isinstance(rows, list) else list(rows)
    constants = dict(constants or {})
    if connection.vendor == "postgresql":
        return Insert(
            "COPY {} ({}) FROM STDIN".format(
                _q(table), ", ".join(_q(c) for c in [*columns, *constants])
            ),
            rows,
            copy=True,
            extra=tuple(constants.values()),
        )
    literals = {c: text for c, v in constants.items() if (text := _literal(v)) is not None}
    bound = [c for c in constants if c not in literals]
    extra = tuple(constants[c] for c in bound)
    named = ", ".join(_q(c) for c in [*columns, *bound, *literals])
    # A literal's own % signs are doubled: Django's SQLite cursor reads %s as a parameter.
    written = [text.replace("%", "%%") for text in literals.values()]
    carried = _as_json(rows)
    if carried is not None:
        cells = [_json_cell(i) for i in range(len(columns))]
        cells += ["%s"] * len(bound) + written
        return Insert(
            "INSERT INTO {} ({}) SELECT {} FROM json_each(%s)".format(  # noqa: S608 - names from the models
                _q(table), named, ", ".join(cells)
            ),
            [*extra, carried],
        )
    marks = ["%s"] * (len(columns) + len(bound)) + written
    return Insert(
        "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the models
            _q(table), named, ", ".join(marks)
        ),
        [(*row, *extra) for row in rows] if extra else rows,
        many=True,
    )


@contextlib.contextmanager
def references_checked_as_written() -> Iterator[None]:
    """On PostgreSQL, check the foreign keys of the rows each statement writes as it ends.

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: PostgreSQL checks every new
    row's references at the commit, after the last chunk and alone (≈ 1.5 s for 100k
    imported people). Checked as each chunk goes in, they run on the writing thread of a
    `Background` while the caller prepares the next chunk. The constraints are deferred
    again after the block, as Django expects for the rest of the transaction (when the
    block raises, rolling back its savepoint or transaction undoes the setting).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class AnyOf(models.Lookup):
    """`field = ANY(%s)` with the values as one array parameter (PostgreSQL).

    A bulk check's `field IN (…)` of 2,000 values cost ≈ 6 ms a query to build, quote
    and parse beyond the lookups themselves. Use it through `matching`.
    """

    lookup_name = "any_of"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Given to filter() as an expression, the list arrives wrapped in a Value.
        values = self.rhs.value if isinstance(self.rhs, models.Value) else self.rhs
        return f"{lhs} = ANY(%s)", [*lhs_params, list(values)]


def matching(name: str, values: Iterable[Any]) -> Any:
    """Return a filter for rows whose field `name` is one of `values` (many of them)."""
    values = list(values)
    if connection.vendor == "postgresql":
        return AnyOf(models.F(name), values)
    return models.Q(**{f"{name}__in": values})


# How soon the writing thread of a Background gets the GIL back (seconds; Python's default 0.005).
SWITCH_INTERVAL = 0.0005


class Background:
    """Runs batches of statements on a second thread, on this thread's connection and
    inside its transaction, while this thread prepares the next batch.

    SQLite runs a statement without holding Python's GIL and PostgreSQL works in its
    own process, so a bulk write keeps both cores busy. One batch runs at a time:
    `submit` first waits for the batch before (and calls `on_done` with what it was
    given, while the connection is idle), so the caller may use the connection in
    `on_done` and after `finish`, never between. Leaving the block on an error waits
    for the running batch and drops the rest, so the caller's rollback finds the
    connection idle.
    """

    def __init__(self, on_done: Callable[[Any], None] | None = None) -> None:
        # The wrapper of this thread: `connection` on the other thread would open its own.
        self.db = connections[DEFAULT_DB_ALIAS]
        self.on_done = on_done
        self._pool: ThreadPoolExecutor | None = None
        self._running: tuple[Future[None], Any] | None = None
        self._switch_interval = sys.getswitchinterval()

    def __enter__(self) -> Background:
        self.db.inc_thread_sharing()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="bulk-writer")
        # The writing thread wakes whenever the database has taken part of a statement
        # (PostgreSQL reads a COPY as its socket drains, a thousand times a chunk), and
        # then waited for this busy thread to hand over the GIL: up to the 5 ms switch
        # interval each time, while the database sat idle.
        sys.setswitchinterval(SWITCH_INTERVAL)
        return self

    def submit(self, statements: Sequence[Insert], done: Any = None) -> None:
        self._wait()
        assert self._pool is not None, "use Background as a context manager"
        self._running = (self._pool.submit(self._run, statements), done)

    def finish(self) -> None:
        self._wait()

    def _run(self, statements: Sequence[Insert]) -> None:
        with self.db.cursor() as cursor:
            for statement in statements:
                statement.run(cursor)

    def _wait(self) -> None:
        if self._running is None:
            return
        future, done = self._running
        self._running = None
        future.result()
        if self.on_done is not None:
            self.on_done(done)

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            if exc_type is None:
                self._wait()
        finally:
            assert self._pool is not None
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._running = None
            self.db.dec_thread_sharing()
            sys.setswitchinterval(self._switch_interval)


# `->>` (SQLite 3.38) reads a cell about a fifth faster than json_extract, which the
# oldest SQLite Django supports (3.37) has.
JSON_ARROW = sqlite3.sqlite_version_info >= (3, 38)


def _json_cell(index: int) -> str:
    return f"value ->> {index}" if JSON_ARROW else f"json_extract(value, '$[{index}]')"


def _as_json(rows: list[Sequence[Any]]) -> str | None:
    """Return the rows as one JSON array, or None when a value would not come back as it is.

    Numbers, text, booleans and NULL come back from `->>` or `json_extract` unchanged; anything
    else (dates, bytes, NaN) and text with NUL characters goes the executemany way.
    """
    try:
        text = json.dumps(rows, ensure_ascii=False, allow_nan=False, check_circular=False)
    except (TypeError, ValueError):
        return None
    return None if "\\u0000" in text else text


def run(statements: Iterable[Insert]) -> None:
    """Run prepared statements now, on this thread's connection."""
    with connection.cursor() as cursor:
        for statement in statements:
            statement.run(cursor)


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
