"""Bulk loads store the same rows as a plain Core insert, idempotently, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select, text
from sqlalchemy.dialects import sqlite

from pipeline.warehouse.db import make_engine, migrate
from pipeline.warehouse.load import _SQLITE_FAST, _binary_types, upsert
from pipeline.warehouse.schema import mention, post, post_problem, sentiment


def _post(i: int, lang: str | None = "de") -> dict[str, Any]:
    created = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    return {"post_id": f"p{i:05d}", "source": "s", "external_id": str(i), "url": None,
            "author_id": f"a{i % 7}", "community": "c", "title": None,
            "text": f"Grüße {i} – ünïcode \"quoted\", tab\there", "lang": lang,
            "created_at": created, "day": created.date(),
            "engagement": {"score": i, "nested": [1, "x"]}, "parent_post_id": None,
            "content_hash": f"{i:040d}", "simhash": -(2**63) + i, "duplicate_of": None,
            "processed_at": created}


def _problem_row(i: int, negative: bool) -> dict[str, Any]:
    return {"post_id": f"p{i:05d}", "brand": "Acme", "model": "m", "version": "v",
            "problem_id": None, "similarity": 0.5, "negative": negative,
            "day": date(2026, 3, 1), "assigned_at": datetime(2026, 3, 1, tzinfo=UTC)}


def _dump(conn: Any, table: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key))]


def test_bulk_rows_equal_a_core_insert(warehouse_url: str) -> None:
    engine = make_engine(warehouse_url)
    migrate(engine)
    posts = [_post(i, None if i % 5 == 0 else "de") for i in range(300)]
    flags = [_problem_row(i, i % 2 == 0) for i in range(300)]
    with engine.begin() as conn:
        assert upsert(conn, post, posts) == 300
        assert upsert(conn, post_problem, flags) == 300
        bulk = _dump(conn, post), _dump(conn, post_problem)
        conn.execute(post.delete())
        conn.execute(post_problem.delete())
        conn.execute(insert(post), posts)
        conn.execute(insert(post_problem), flags)
        core = _dump(conn, post), _dump(conn, post_problem)
    assert bulk == core
    assert bulk[0][1][7].startswith("Grüße 1 – ünïcode")  # text survives COPY escaping


def test_reruns_and_repeats_in_one_transaction(warehouse_url: str) -> None:
    engine = make_engine(warehouse_url)
    migrate(engine)
    rows = [{"post_id": f"p{i}", "brand": "Acme", "day": date(2026, 3, 1 + i % 3),
             "matched": ["Acme"]} for i in range(1500)]
    with engine.begin() as conn:  # two batches of one table in one transaction
        upsert(conn, mention, rows[:700])
        upsert(conn, mention, rows[700:])
    with engine.begin() as conn:  # a retried batch changes nothing
        upsert(conn, mention, [{**r, "matched": ["changed"]} for r in rows])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(mention)).scalar() == 1500
        assert conn.execute(select(mention.c.matched).where(
            mention.c.post_id == "p3")).scalar() == ["Acme"]
    with engine.begin() as conn:  # named columns win
        upsert(conn, mention, [{**rows[3], "matched": ["new"]}], update=["matched"])
    with engine.connect() as conn:
        assert conn.execute(select(mention.c.matched).where(
            mention.c.post_id == "p3")).scalar() == ["new"]


def test_a_rolled_back_load_does_not_break_the_next(warehouse_url: str) -> None:
    engine = make_engine(warehouse_url, pool_size=1) if "postgresql" in warehouse_url \
        else make_engine(warehouse_url)
    migrate(engine)
    row = {"post_id": "p1", "brand": "Acme", "day": date(2026, 3, 1), "matched": []}
    with pytest.raises(RuntimeError), engine.begin() as conn:
        upsert(conn, mention, [row])  # creates the staging table inside this transaction
        raise RuntimeError("the load fails after the copy")
    with engine.begin() as conn:  # same pooled connection: staging is created again
        upsert(conn, mention, [row])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(mention)).scalar() == 1
        if conn.dialect.name == "postgresql":
            staged = conn.execute(text('SELECT count(*) FROM "_load_mention"')).scalar()
            assert staged == 0



def _sentiment(i: int) -> dict[str, Any]:
    return {"post_id": f"p{i:05d}", "model": "m", "version": "v", "label": "negative",
            "negative": 0.1 + i / 1000, "neutral": 1 / 3, "positive": 2.0**-i,
            "scored_at": datetime(2026, 3, 1, 8, tzinfo=timezone(timedelta(hours=2)))}


def _copy_format(rows: list[dict[str, Any]], table: Any) -> str:
    from sqlalchemy.dialects import postgresql

    columns = list(rows[0])
    types = _binary_types(postgresql.dialect(), table, columns,
                          [[r[c] for r in rows] for c in columns])
    return "text" if types is None else "binary"


@pytest.mark.parametrize("odd", ["none", "naive datetime", "int score", "datetime day"])
def test_binary_and_text_copies_store_what_a_core_insert_stores(
        warehouse_url: str, odd: str) -> None:
    """PostgreSQL copies in binary when every value has its column's Python type, else
    in text (the server converts, as for an INSERT); both store a Core insert's rows."""
    posts = [_post(i) for i in range(50)]
    scores = [_sentiment(i) for i in range(50)]
    if odd == "naive datetime":
        posts[7]["processed_at"] = datetime(2026, 3, 1, 12, 0)
        scores[3]["scored_at"] = datetime(2026, 3, 1, 9, 30)
    elif odd == "int score":
        scores[5]["neutral"] = 1
    elif odd == "datetime day":  # a datetime where a date belongs
        posts[9]["day"] = datetime(2026, 3, 2, 0, 0)
    changed = {"none": set(), "naive datetime": {"post", "sentiment"},
               "int score": {"sentiment"}, "datetime day": {"post"}}[odd]
    for rows, table in ((posts, post), (scores, sentiment)):
        assert _copy_format(rows, table) == ("text" if table.name in changed else "binary")
    engine = make_engine(warehouse_url)
    migrate(engine)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # naive times mean the session's zone
            conn.execute(text("SET LOCAL timezone = 'Asia/Kolkata'"))
        upsert(conn, post, posts)
        upsert(conn, sentiment, scores)
        bulk = _dump(conn, post), _dump(conn, sentiment)
        conn.execute(post.delete())
        conn.execute(sentiment.delete())
        conn.execute(insert(post), posts)
        conn.execute(insert(sentiment), scores)
        core = _dump(conn, post), _dump(conn, sentiment)
    assert bulk == core


_ZONES = [None, UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-11))]


@pytest.mark.parametrize(("column", "values"), [
    (post.c.created_at, st.datetimes(timezones=st.sampled_from(_ZONES))),
    (post.c.day, st.dates()),
], ids=["datetime", "date"])
def test_sqlite_dates_are_written_as_sqlalchemy_writes_them(
        column: Any, values: st.SearchStrategy[Any]) -> None:
    """The fast date and datetime texts of the SQLite load equal SQLAlchemy's own."""
    dialect = sqlite.dialect()
    impl = column.type.dialect_impl(dialect)
    processor = impl.bind_processor(dialect)
    kind, fast = _SQLITE_FAST[impl._storage_format]

    @settings(max_examples=300, deadline=None)
    @given(values)
    def same(value: Any) -> None:
        assert value.__class__ is kind
        assert fast(value) == processor(value)

    same()
