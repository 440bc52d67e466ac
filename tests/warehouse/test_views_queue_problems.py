"""The BI views v_response_queue and v_problem_daily, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from pipeline.warehouse.db import make_engine, migrate
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import (
    daily_brand_metrics,
    intent,
    mention,
    official_account,
    post,
    post_problem,
    problem,
    sentiment,
    sentiment_override,
)
from pipeline.warehouse.views import apply_views, view_files

T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)
DAY = T0.date()
OFF = "a_off"


def _post(pid: str, author: str | None, at: datetime = T0, *, parent: str | None = None,
          dup: str | None = None) -> dict[str, Any]:
    return {"post_id": pid, "source": "forum", "external_id": pid, "url": f"https://f/{pid}",
            "author_id": author, "community": "help", "title": None, "text": pid, "lang": "de",
            "created_at": at, "day": at.date(), "engagement": {"score": 2},
            "parent_post_id": parent, "content_hash": pid, "simhash": 0, "duplicate_of": dup,
            "processed_at": T0}


@pytest.fixture
def engine(warehouse_url: str) -> Engine:
    engine = make_engine(warehouse_url)
    migrate(engine)
    names = apply_views(engine)
    assert apply_views(engine) == names == [n for n, _ in view_files()]
    assert {"v_response_queue", "v_problem_daily"} <= set(names)
    with engine.begin() as conn:
        upsert(conn, official_account, [{"brand": "A", "source": "forum", "author_id": OFF,
                                         "updated_at": T0}])
    return engine


def test_v_response_queue(engine: Engine) -> None:
    h = timedelta(hours=1)
    posts = [
        _post("q1", "a_1"),  # answered directly, twice: the first answer counts
        _post("q1r1", OFF, T0 + 3 * h, parent="q1"),
        _post("q1r2", OFF, T0 + 2 * h, parent="q1"),
        _post("q2", "a_2"),  # answered two levels deep, through a duplicate "+1" reply
        _post("q2r", "a_3", T0 + h, parent="q2", dup="elsewhere"),
        _post("q2rr", OFF, T0 + 4 * h, parent="q2r"),
        _post("c3", "a_4"),  # a complaint answered by a customer only
        _post("c3r", "a_5", T0 + h, parent="c3"),
        _post("c4", "a_6", dup="c3"),  # duplicate
        _post("q5", OFF),  # the brand's own question
        _post("p6", "a_7"),  # praise
        _post("q7", "a_8"),  # an official reply below an answer to another post does not count
        _post("x7", "a_9", parent="q7"),
        _post("x7b", "a_9", T0 + h),
        _post("x7br", OFF, T0 + 2 * h, parent="x7b"),
    ]
    intents = {"q1": "question", "q2": "question", "c3": "complaint", "c4": "complaint",
               "q5": "question", "p6": "praise", "q7": "question", "q2r": "question"}
    with engine.begin() as conn:
        upsert(conn, post, posts)
        upsert(conn, mention, [{"post_id": p, "brand": b, "day": DAY, "matched": []}
                               for p in intents for b in ("A", "B")])
        upsert(conn, intent, [{"post_id": p, "model": "im", "version": "1", "label": lab,
                               "scored_at": T0} for p, lab in intents.items()])
        upsert(conn, sentiment, [{"post_id": p, "model": m, "version": "1", "label": lab,
                                  "negative": 0.1, "neutral": 0.1, "positive": 0.8,
                                  "scored_at": T0}
                                 for p, m, lab in (("c3", "m", "negative"),
                                                   ("c3", "other", "positive"),
                                                   ("q1", "m", "neutral"))])
        upsert(conn, sentiment_override, [{"post_id": "q1", "label": "positive", "note": None,
                                           "created_at": T0}])
        upsert(conn, daily_brand_metrics, [{
            "brand": "A", "day": DAY, "model": "m", "version": "1", "volume": 1, "negative": 0,
            "neutral": 0, "positive": 0, "unscored": 1, "net_sentiment": None,
            "share_of_voice": None, "computed_at": T0}])
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT brand, post_id, intent, label, answered, first_answer_at, url, "
            "intent_model, intent_version FROM v_response_queue ORDER BY brand, post_id")).all()
        open_a = conn.execute(text("SELECT post_id FROM v_response_queue "
                                   "WHERE brand = 'A' AND answered = 0 ORDER BY post_id")).all()
    got = [(r.brand, r.post_id, r.intent, r.label, r.answered) for r in rows]
    assert got == [
        ("A", "c3", "complaint", "negative", 0),  # the model behind A's metrics that day
        ("A", "q1", "question", "positive", 1),  # the human label
        ("A", "q2", "question", None, 1),
        ("A", "q7", "question", None, 0),
        # brand B has no official account: nothing is answered, the question q5 of A's
        # account counts for B; B has no metrics that day, so only human labels show
        ("B", "c3", "complaint", None, 0),
        ("B", "q1", "question", "positive", 0),
        ("B", "q2", "question", None, 0),
        ("B", "q5", "question", None, 0),
        ("B", "q7", "question", None, 0),
    ]
    first = {r.post_id: r.first_answer_at for r in rows if r.brand == "A"}
    assert _utc(first["q1"]) == T0 + 2 * h
    assert _utc(first["q2"]) == T0 + 4 * h
    assert first["c3"] is None
    assert rows[0].url == "https://f/c3" and (rows[0].intent_model, rows[0].intent_version) == (
        "im", "1")
    assert [r.post_id for r in open_a] == ["c3", "q7"]


def _utc(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite hands back text from a view
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _problem(pid: str, brand: str, status: str = "active", merged_into: str | None = None,
             label: str | None = None) -> dict[str, Any]:
    return {"problem_id": pid, "brand": brand, "model": "pm", "version": "1",
            "label": label or f"label {pid}", "size": 1, "status": status,
            "merged_into": merged_into, "centroid": {}, "terms": {}, "examples": [],
            "first_day": DAY, "last_day": DAY, "updated_at": T0}


def test_v_problem_daily(engine: Engine) -> None:
    d1 = DAY + timedelta(days=1)
    posts = [_post(f"p{i}", f"a_{i}") for i in range(1, 8)]
    posts[3] = _post("p4", "a_4", dup="p1")
    posts[4] = _post("p5", OFF)
    posts.append(_post("p8", "a_8", T0 + timedelta(days=1)))
    posts.append(_post("p9", "a_9"))
    posts.append(_post("p10", "a_10"))
    # (post, problem, negative at assignment, day)
    assigned: list[tuple[str, str | None, bool, date]] = [
        ("p1", "P1", True, DAY),
        ("p2", "P2", False, DAY),  # P2 -> P3 -> P1; a human label makes it negative
        ("p3", "P3", True, DAY),  # P3 -> P1; a human label makes it not negative
        ("p4", "P1", True, DAY),  # a duplicate
        ("p5", "P1", True, DAY),  # the brand's own account
        ("p6", None, True, DAY),  # pending
        ("p7", "PX", True, DAY),  # merged into a problem that does not exist
        ("p8", "P1", False, d1),
        ("p9", "Q1", True, DAY),  # brand B
        ("p10", "P1", False, DAY),
    ]
    with engine.begin() as conn:
        upsert(conn, post, posts)
        upsert(conn, problem, [_problem("P1", "A", label="Entkalkungswarnung"),
                               _problem("P2", "A", "merged", "P3"),
                               _problem("P3", "A", "merged", "P1"),
                               _problem("PX", "A", "merged", "gone"),
                               _problem("Q1", "B")])
        upsert(conn, post_problem, [{
            "post_id": p, "brand": "B" if pr == "Q1" else "A", "model": "pm", "version": "1",
            "problem_id": pr, "similarity": 0.5, "negative": neg, "day": day,
            "assigned_at": T0} for p, pr, neg, day in assigned])
        upsert(conn, sentiment_override, [
            {"post_id": "p2", "label": "negative", "note": None, "created_at": T0},
            {"post_id": "p3", "label": "neutral", "note": None, "created_at": T0}])
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT brand, problem_id, label, day, posts, negative, negative_share, model, "
            "version FROM v_problem_daily ORDER BY brand, problem_id, day")).all()
    got = [(r.brand, r.problem_id, r.label, str(r.day)[:10], r.posts, r.negative,
            round(r.negative_share, 3), r.model, r.version) for r in rows]
    assert got == [
        # p1 (negative), p2 (human: negative), p3 (human: neutral), p10 (not negative)
        ("A", "P1", "Entkalkungswarnung", str(DAY), 4, 2, 0.5, "pm", "1"),
        ("A", "P1", "Entkalkungswarnung", str(d1), 1, 0, 0.0, "pm", "1"),
        ("B", "Q1", "label Q1", str(DAY), 1, 1, 1.0, "pm", "1"),
    ]
