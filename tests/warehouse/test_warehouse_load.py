from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from pipeline.warehouse.db import current_revision, head_revision, make_engine, migrate
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import metadata, raw_post


def _row(i: int, body: str = "b") -> dict[str, object]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return {"post_id": f"p{i:04d}", "source": "s", "external_id": str(i), "url": None,
            "author": "someone", "community": "c", "title": None, "body": body,
            "created_at": now, "parent_id": None, "engagement": {"score": i},
            "payload": {"raw": [i, "ü"]}, "fetched_at": now}


def test_migrations_reach_head_and_match_the_schema(warehouse_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(warehouse_url)
    migrate(engine)
    migrate(engine)  # idempotent
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_upsert_is_idempotent_and_keeps_raw_payload(warehouse_url: str) -> None:
    engine = make_engine(warehouse_url)
    migrate(engine)
    rows = [_row(i) for i in range(2500)]
    with engine.begin() as conn:
        assert upsert(conn, raw_post, rows) == 2500
    with engine.begin() as conn:  # a retried task loads the same batch again
        upsert(conn, raw_post, [*rows, _row(1, body="changed")])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(raw_post)).scalar() == 2500
        payload, body = conn.execute(
            select(raw_post.c.payload, raw_post.c.body).where(raw_post.c.post_id == "p0001")
        ).one()
    assert payload == {"raw": [1, "ü"]}
    assert body == "b"  # raw rows are immutable: the first load wins


def test_upsert_update_columns_win(warehouse_url: str) -> None:
    engine = make_engine(warehouse_url)
    migrate(engine)
    with engine.begin() as conn:
        upsert(conn, raw_post, [_row(1)])
        upsert(conn, raw_post, [_row(1, body="new"), _row(1, body="newest")], update=["body"])
    with engine.connect() as conn:
        assert conn.execute(select(raw_post.c.body)).scalar() == "newest"


def test_upgrade_drops_the_unread_content_hash_index(warehouse_url: str) -> None:
    """A warehouse of revision 0005 loses ix_post_content_hash (a random-key index every
    post paid for and no query read) and keeps its posts."""
    from sqlalchemy import inspect

    from pipeline.warehouse.schema import post

    engine = make_engine(warehouse_url)
    migrate(engine, "0005")

    def indexes() -> set[str]:
        with engine.connect() as conn:
            return {ix["name"] for ix in inspect(conn).get_indexes("post")}

    assert "ix_post_content_hash" in indexes()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        upsert(conn, post, [{"post_id": "p1", "source": "s", "external_id": "1",
                             "text": "t", "created_at": now, "day": now.date(),
                             "content_hash": "h", "simhash": 1, "processed_at": now}])
    migrate(engine)
    assert "ix_post_content_hash" not in indexes()
    assert {"ix_post_day", "ix_post_author_id", "ix_post_parent_post_id"} <= indexes()
    with engine.connect() as conn:
        assert conn.execute(select(post.c.content_hash)).scalar() == "h"
