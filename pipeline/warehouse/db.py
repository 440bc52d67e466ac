"""Engines and migrations for the warehouse (SQLite embedded default, PostgreSQL in production)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.pool import NullPool

from pipeline.redact import redact

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


class WarehouseError(Exception):
    """The warehouse cannot be reached or is not at the expected schema version."""


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain `postgresql://` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


SUPPORTED_BACKENDS = ("sqlite", "postgresql")
_DRIVER_HINT = {"postgresql": "install the postgres extra: pip install 'stimmung[postgres]'"}


def check_url(url: str, *, driver: bool = True) -> str:
    """`url` as SQLAlchemy will use it, or a WarehouseError saying in one line what is
    wrong with it (not a URL, a bad port, a database or driver that is not there)."""
    shown, url = url, normalise_url(url)
    try:
        parsed = make_url(url)
        port = parsed.port
    except (ArgumentError, ValueError) as exc:
        raise WarehouseError(f"warehouse URL {_shown(shown)!r} is not a database URL "
                             f"({exc}); e.g. sqlite:///stimmung.db or "
                             "postgresql://host:5432/db") from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise WarehouseError(f"warehouse URL {_shown(shown)!r}: {backend} is not supported; "
                             "stimmung runs on sqlite:/// and postgresql://")
    if port is not None and not 0 < port < 65536:
        raise WarehouseError(f"warehouse URL {_shown(shown)!r}: port {port} is not between "
                             "1 and 65535")
    if not driver:
        return url
    try:
        parsed.get_dialect().import_dbapi()
    except (ImportError, NoSuchModuleError) as exc:
        hint = _DRIVER_HINT.get(backend, "install its driver")
        raise WarehouseError(f"warehouse URL {_shown(shown)!r}: the database driver is not "
                             f"installed ({exc}); {hint}") from None
    return url


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return redact(url)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = check_url(url)
    if url.startswith("sqlite"):
        if ":memory:" not in url:
            Path(url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # 64 MiB page cache (default 2 MiB): index inserts stay in memory as tables grow
    cursor.execute("PRAGMA cache_size=-65536")
    # checkpoint the WAL every ~40 MiB instead of 4 MiB: a tenth of the checkpoints and
    # their fsyncs while loading (measured: commit time per batch -40%); the WAL file is
    # cut back to 64 MiB after a checkpoint
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA journal_size_limit=67108864")
    cursor.close()


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent).

    All of it happens in one transaction, on SQLite too: Python's sqlite3 commits before
    every CREATE/ALTER on its own, so a process killed mid-migration left a half-built
    schema ("table alert already exists" ever after). On SQLite the migration runs on a
    connection in sqlite3's autocommit mode inside an explicit `BEGIN IMMEDIATE`, so a
    kill rolls all of it back and the next command starts over.
    """
    cfg = alembic_config()
    on_file = engine.dialect.name == "sqlite" and engine.url.database not in (None, "",
                                                                            ":memory:")
    target = _transactional_sqlite(engine) if on_file else engine
    try:
        with target.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except OperationalError as exc:
        raise WarehouseError(f"cannot migrate the warehouse at {_shown(str(engine.url))}: "
                             f"{_first_line(exc.orig)}") from None
    finally:
        if target is not engine:
            target.dispose()


def _transactional_sqlite(engine: Engine) -> Engine:
    """A one-off engine on the same SQLite file whose transactions include DDL."""
    migrating = create_engine(engine.url, poolclass=NullPool)

    @event.listens_for(migrating, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        _sqlite_pragmas(dbapi_connection, record)
        dbapi_connection.isolation_level = None  # no implicit BEGIN/COMMIT by sqlite3

    @event.listens_for(migrating, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return migrating


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise WarehouseError(f"cannot connect to the warehouse at {_shown(str(engine.url))}: "
                             f"{_first_line(exc.orig)}") from None


def _first_line(exc: BaseException | None) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return redact(" ".join(lines[:2])) or type(exc).__name__


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class WarehouseBehind(WarehouseError):
    """The warehouse schema is not at the revision this code needs (run `stimmung db upgrade`)."""


def check_revision(engine: Engine) -> str:
    """The warehouse's revision, when it is the one this code needs; else WarehouseBehind.

    Workers (Airflow tasks) call this instead of migrating: DDL happens in one place,
    `stimmung db upgrade`, before the DAGs run.
    """
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise WarehouseError(f"cannot reach the warehouse: {exc.orig}") from exc
    head = head_revision()
    if current != head:
        raise WarehouseBehind(
            f"warehouse schema is at revision {current or 'none (empty database)'}, this "
            f"stimmung needs {head}: run `stimmung db upgrade` (with the same config) first")
    return current or ""


@contextmanager
def scratch_schema(server_url: str, prefix: str = "t") -> Iterator[str]:
    """A new PostgreSQL schema, dropped afterwards; yields a URL whose search_path is it
    (for tests and benchmarks that must not touch the database's own tables)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
