"""Idempotent bulk upserts: executemany ON CONFLICT on SQLite, COPY + merge on PostgreSQL."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, text
from sqlalchemy.dialects import postgresql, sqlite

log = logging.getLogger(__name__)


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
    unique: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        unique[tuple(row[k] for k in keys)] = row
    batch = list(unique.values())
    columns = list(batch[0].keys())
    if conn.dialect.name == "postgresql":
        _copy_merge(conn, table, batch, columns, keys, update or ())
    else:
        _insert_on_conflict(conn, table, batch, keys, update or ())
    return len(batch)


def _insert_on_conflict(
    conn: Connection,
    table: Table,
    rows: list[Mapping[str, Any]],
    keys: list[str],
    update: Sequence[str],
) -> None:
    insert = sqlite.insert if conn.dialect.name == "sqlite" else postgresql.insert
    stmt = insert(table)
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=keys, set_={c: stmt.excluded[c] for c in update}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    conn.execute(stmt, rows)


def _copy_merge(
    conn: Connection,
    table: Table,
    rows: list[Mapping[str, Any]],
    columns: list[str],
    keys: list[str],
    update: Sequence[str],
) -> None:
    """COPY the batch into a temporary table, then merge it with one INSERT ... SELECT."""
    tmp = f"_load_{table.name}"
    col_list = ", ".join(f'"{c}"' for c in columns)
    conn.execute(text(f'CREATE TEMP TABLE IF NOT EXISTS "{tmp}" (LIKE "{table.name}") '
                      "ON COMMIT DELETE ROWS"))
    conn.execute(text(f'TRUNCATE "{tmp}"'))
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    with dbapi.cursor() as cursor, cursor.copy(f'COPY "{tmp}" ({col_list}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[c]) if c in json_cols and row[c] is not None else row[c]
                 for c in columns]
            )
    conflict = ", ".join(f'"{k}"' for k in keys)
    if update:
        action = "DO UPDATE SET " + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in update)
    else:
        action = "DO NOTHING"
    conn.execute(text(
        f'INSERT INTO "{table.name}" ({col_list}) SELECT {col_list} FROM "{tmp}" '
        f"ON CONFLICT ({conflict}) {action}"
    ))
