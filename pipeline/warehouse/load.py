"""Idempotent bulk upserts: executemany ON CONFLICT on SQLite, COPY + merge on PostgreSQL.

SQLite: one prepared `INSERT ... ON CONFLICT` run with the driver's `executemany` over
plain tuples (values converted by each column type's own SQLAlchemy bind processor, so
rows are stored exactly as an ORM/Core insert stores them, without Core's per-row
statement machinery). PostgreSQL: the batch is `COPY`-ed into a temporary staging table
(created once per connection) and merged with one `INSERT ... SELECT ... ON CONFLICT`
that also empties the staging table, so a batch costs two round trips. The COPY is
binary when every value has the Python type its column's binary format takes (aware
datetimes for `timestamptz`, `date` for dates, ...): about half the client's and the
server's CPU per row of a text COPY; otherwise (a naive datetime, a string in a date
column) it is text, and the server converts as an INSERT would.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Dialect, Table, event, text

log = logging.getLogger(__name__)

_STAGED = "stimmung_staging_tables"  # per DBAPI connection: staging tables created


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    update: Sequence[str] | None = None,
) -> int:
    """Insert `rows` keyed by the table's primary key.

    Existing rows keep their values unless their columns are named in `update`
    (then the new values win). Rows with the same key within `rows`: the last wins.
    Returns the number of rows handed to the database.
    """
    if not rows:
        return 0
    keys = [c.name for c in table.primary_key.columns]
    # the last row per key wins, at the place of the key's first row
    key_of = itemgetter(*keys)
    batch = list({key_of(row): row for row in rows}.values())
    columns = list(batch[0].keys())
    if conn.dialect.name == "postgresql":
        _copy_merge(conn, table, batch, columns, keys, update or ())
    elif conn.dialect.name == "sqlite":
        _sqlite_executemany(conn, table, batch, columns, keys, update or ())
    else:
        _insert_on_conflict(conn, table, batch, keys, update or ())
    return len(batch)


def _conflict_clause(keys: Sequence[str], update: Sequence[str]) -> str:
    conflict = ", ".join(f'"{k}"' for k in keys)
    if update:
        return f"ON CONFLICT ({conflict}) DO UPDATE SET " + ", ".join(
            f'"{c}" = excluded."{c}"' for c in update)
    return f"ON CONFLICT ({conflict}) DO NOTHING"


def _sqlite_executemany(
    conn: Connection,
    table: Table,
    rows: list[Mapping[str, Any]],
    columns: list[str],
    keys: list[str],
    update: Sequence[str],
) -> None:
    dialect = conn.dialect
    processors: list[Callable[[Any], Any] | None] = [
        table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    col_list = ", ".join(f'"{c}"' for c in columns)
    sql = (f'INSERT INTO "{table.name}" ({col_list}) VALUES '
           f'({", ".join("?" for _ in columns)}) {_conflict_clause(keys, update)}')
    # column by column: each processor mapped over its column, then zipped into rows
    values: list[list[Any]] = []
    for c, proc in zip(columns, processors, strict=True):
        column = [row[c] for row in rows]
        fast = _SQLITE_FAST.get(getattr(table.c[c].type.dialect_impl(dialect),
                                        "_storage_format", None))
        if proc is not None and fast is not None:
            kind, text_of = fast
            column = [text_of(v) if v.__class__ is kind else proc(v) for v in column]
        elif proc is not None:
            column = list(map(proc, column))
        values.append(column)
    conn.exec_driver_sql(sql, list(zip(*values, strict=True)))


def _sqlite_datetime(value: datetime) -> str:
    """`value` as SQLAlchemy's SQLite DATETIME stores it: the wall-clock fields with
    microseconds, without the zone (years 1-9999 have four digits either way)."""
    return value.isoformat(" ", "microseconds")[:26]


#: SQLite's default date and datetime storage formats (a column type with its own
#: `storage_format` is not here and keeps SQLAlchemy's processor) -> (the exact class,
#: a faster function giving the same text as SQLAlchemy's bind processor)
_SQLITE_FAST: dict[str | None, tuple[type, Callable[[Any], str]]] = {
    "%(year)04d-%(month)02d-%(day)02d": (date, date.isoformat),
    "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d"
    ".%(microsecond)06d": (datetime, _sqlite_datetime),
}


def _insert_on_conflict(
    conn: Connection,
    table: Table,
    rows: list[Mapping[str, Any]],
    keys: list[str],
    update: Sequence[str],
) -> None:
    from sqlalchemy.dialects import postgresql  # ~0.1 s of imports SQLite runs never need

    stmt = postgresql.insert(table)
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=keys, set_={c: stmt.excluded[c] for c in update}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    conn.execute(stmt, rows)


def _forget_staging(conn: Connection) -> None:
    conn.connection.info.pop(_STAGED, None)


def _staging_table(conn: Connection, table: Table) -> str:
    """The session's temporary staging table for `table` (created once per connection)."""
    name = f"_load_{table.name}"
    if not event.contains(conn.engine, "rollback", _forget_staging):
        # a rolled-back transaction may have undone the CREATE: create again next time
        event.listen(conn.engine, "rollback", _forget_staging)
    created: set[str] = conn.connection.info.setdefault(_STAGED, set())
    if name not in created:
        conn.execute(text(f'CREATE TEMP TABLE IF NOT EXISTS "{name}" (LIKE "{table.name}") '
                          "ON COMMIT DELETE ROWS"))
        conn.execute(text(f'TRUNCATE "{name}"'))
        created.add(name)
    return name


def _copy_merge(
    conn: Connection,
    table: Table,
    rows: list[Mapping[str, Any]],
    columns: list[str],
    keys: list[str],
    update: Sequence[str],
) -> None:
    """COPY the batch into the staging table, then merge it and empty the staging table
    in one round trip."""
    tmp = _staging_table(conn, table)
    col_list = ", ".join(f'"{c}"' for c in columns)
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    values = [[row[c] for row in rows] for c in columns]
    types = _binary_types(conn.dialect, table, columns, values)
    with dbapi.cursor() as cursor:
        if types is not None:
            with cursor.copy(f'COPY "{tmp}" ({col_list}) FROM STDIN (FORMAT BINARY)') as copy:
                copy.set_types(types)
                for record in zip(*values, strict=True):
                    copy.write_row(record)
        else:
            _copy_text(cursor, table, tmp, col_list, columns, values)
    # no parameters: psycopg sends both statements in one simple-protocol round trip
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({col_list}) SELECT {col_list} FROM "{tmp}" '
        f'{_conflict_clause(keys, update)}; DELETE FROM "{tmp}"'
    )


def _copy_text(cursor: Any, table: Table, tmp: str, col_list: str, columns: list[str],
               values: list[list[Any]]) -> None:
    """A text COPY (JSON values sent as their `json.dumps` text)."""
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
    dumps = json.dumps
    values = [[None if v is None else dumps(v) for v in column] if c in json_cols else column
              for c, column in zip(columns, values, strict=True)]
    with cursor.copy(f'COPY "{tmp}" ({col_list}) FROM STDIN') as copy:
        for record in zip(*values, strict=True):
            copy.write_row(record)


def _binary_types(dialect: Dialect, table: Table, columns: list[str],
                  values: list[list[Any]]) -> list[str] | None:
    """The PostgreSQL type of each column for a binary COPY, or None when a column's
    type or one of its values does not fit one (then the COPY is text)."""
    out: list[str] = []
    for c, column in zip(columns, values, strict=True):
        kind = _binary_kind(table.c[c].type.dialect_impl(dialect))
        if kind is None:
            return None
        name, cls = kind
        if cls is not None:
            found = set(map(type, column))
            found.discard(type(None))
            if not found <= {cls}:
                return None
            if cls is datetime and any(
                    (v.utcoffset() is None) == (name == "timestamptz")
                    for v in column if v is not None):
                return None  # naive into timestamptz (or aware into timestamp)
        out.append(name)
    return out


def _binary_kind(col_type: Any) -> tuple[str, type | None] | None:
    """(PostgreSQL type, the one Python class its values must have, None: any JSON
    value) of a column type a binary COPY can send as is, else None."""
    from sqlalchemy import types as sqltypes
    from sqlalchemy.dialects.postgresql import JSONB

    if isinstance(col_type, JSONB):
        return "jsonb", None
    if isinstance(col_type, sqltypes.JSON):
        return "json", None
    if isinstance(col_type, sqltypes.DateTime):
        return ("timestamptz" if col_type.timezone else "timestamp"), datetime
    if isinstance(col_type, sqltypes.Date):
        return "date", date
    if isinstance(col_type, sqltypes.Boolean):
        return "bool", bool
    if isinstance(col_type, sqltypes.BigInteger):
        return "int8", int
    if isinstance(col_type, sqltypes.SmallInteger):
        return "int2", int
    if isinstance(col_type, sqltypes.Integer):
        return "int4", int
    if (isinstance(col_type, sqltypes.Float) and not col_type.asdecimal
            and (col_type.precision is None or isinstance(col_type, sqltypes.Double))):
        return "float8", float  # FLOAT and DOUBLE PRECISION (not REAL, not NUMERIC)
    if isinstance(col_type, (sqltypes.Text, sqltypes.String)) and not isinstance(
            col_type, sqltypes.Enum):
        return "text", str
    return None
