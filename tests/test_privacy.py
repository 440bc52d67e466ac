from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from pipeline.stages.privacy import apply_retention, erase_author
from pipeline.warehouse.schema import (
    author,
    intent,
    keyphrase,
    mention,
    post,
    raw_post,
    sentiment,
)
from tests.conftest import run_on_posts


def _count(engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _setup(tmp_path: Path, url: str):  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    rows = [
        {"id": "1", "text": "Kaffeekraft ist toll, die beste Maschine überhaupt", "author": "anna",
         "created_at": (now - timedelta(days=1)).isoformat()},
        {"id": "2", "text": "Kaffeekraft support never answers my emails at all", "author": "anna",
         "created_at": (now - timedelta(days=2)).isoformat()},
        {"id": "3", "text": "Kaffeekraft hat eine neue Maschine angekündigt heute",
         "author": "bernd", "created_at": (now - timedelta(days=400)).isoformat()},
    ]
    return run_on_posts(tmp_path, url, rows)


def test_raw_author_stays_in_the_raw_layer(tmp_path: Path, sqlite_url: str) -> None:
    _, engine = _setup(tmp_path, sqlite_url)
    with engine.connect() as conn:
        authors = set(conn.execute(select(post.c.author_id)).scalars())
        ids = set(conn.execute(select(author.c.author_id)).scalars())
    assert authors == ids and len(ids) == 2
    assert not any(a in ("anna", "bernd") for a in authors)


def test_erase_author_removes_raw_and_derived_rows(tmp_path: Path, warehouse_url: str) -> None:
    config, engine = _setup(tmp_path, warehouse_url)
    assert erase_author(engine, config, "file", "anna") == 2
    for table in (raw_post, post, mention, sentiment, intent, keyphrase):
        assert _count(engine, table) == 1
    assert _count(engine, author) == 1


def test_retention_deletes_old_posts(tmp_path: Path, sqlite_url: str) -> None:
    _, engine = _setup(tmp_path, sqlite_url)
    assert apply_retention(engine, 365) == 1
    assert _count(engine, raw_post) == 2 and _count(engine, post) == 2
