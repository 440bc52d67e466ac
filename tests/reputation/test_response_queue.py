"""The response queue: unanswered questions and complaints, on SQLite and PostgreSQL."""

from __future__ import annotations

import math
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from pipeline.config import parse_config
from pipeline.nlp.intent import INTENT_MODEL
from pipeline.reputation.official import official_author_ids, sync_official_accounts
from pipeline.reputation.response_queue import priority, response_queue
from pipeline.text.pseudonym import Pseudonymiser
from pipeline.warehouse.db import make_engine, migrate
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import (
    intent,
    mention,
    official_account,
    post,
    sentiment,
    sentiment_override,
)
from pipeline.warehouse.views import apply_views

NOW = datetime(2026, 10, 10, 12, tzinfo=UTC)
IM, IV = INTENT_MODEL


def _config(tmp_path: Path) -> Any:
    return parse_config({
        "brands": [{"name": "Acme", "official_accounts": ["AcmeSupport", " AcmeSupport",
                                                          "AcmeTeam"]},
                   {"name": "Other", "official_accounts": ["OtherCare"]},
                   {"name": "Quiet"}],
        "sources": [{"name": "forum", "kind": "feed", "options": {"url": "http://x/feed"}},
                    {"name": "blog", "kind": "feed", "options": {"url": "http://y/feed"}}],
    }, base_dir=tmp_path)


def _post(pid: str, author: str | None, at: datetime, *, parent: str | None = None,
          engagement: dict[str, Any] | None = None, dup: str | None = None,
          source: str = "forum") -> dict[str, Any]:
    return {"post_id": pid, "source": source, "external_id": pid,
            "url": f"https://forum.example/{pid}", "author_id": author, "community": "help",
            "title": f"title {pid}", "text": f"text of {pid}", "lang": "en", "created_at": at,
            "day": at.date(), "engagement": engagement or {}, "parent_post_id": parent,
            "content_hash": pid, "simhash": 0, "duplicate_of": dup, "processed_at": NOW}


@pytest.fixture
def engine(warehouse_url: str) -> Engine:
    engine = make_engine(warehouse_url)
    migrate(engine)
    apply_views(engine)
    return engine


def _official(engine: Engine, tmp_path: Path) -> tuple[str, str]:
    with engine.begin() as conn:
        sync_official_accounts(conn, _config(tmp_path), Pseudonymiser.from_env())
    pseudo = Pseudonymiser.from_env()
    return pseudo("forum", "AcmeSupport") or "", pseudo("forum", "OtherCare") or ""


def _load(engine: Engine, posts: list[dict[str, Any]], mentions: dict[str, list[str]],
          intents: dict[str, str], labels: dict[str, str] | None = None) -> None:
    with engine.begin() as conn:
        upsert(conn, post, posts)
        by_id = {p["post_id"]: p for p in posts}
        upsert(conn, mention, [{"post_id": pid, "brand": b, "day": by_id[pid]["day"],
                                "matched": []} for pid, brands in mentions.items()
                               for b in brands])
        upsert(conn, intent, [{"post_id": pid, "model": IM, "version": IV, "label": lab,
                               "scored_at": NOW} for pid, lab in intents.items()])
        if labels:
            upsert(conn, sentiment, [{"post_id": pid, "model": "m", "version": "1",
                                      "label": lab, "negative": 0.2, "neutral": 0.3,
                                      "positive": 0.5, "scored_at": NOW}
                                     for pid, lab in labels.items()])


def test_sync_official_accounts_is_idempotent_and_per_source(engine: Engine,
                                                            tmp_path: Path) -> None:
    config = _config(tmp_path)
    pseudo = Pseudonymiser.from_env()
    with engine.begin() as conn:
        upsert(conn, official_account, [
            {"brand": "Acme", "source": "forum", "author_id": "a_stale", "updated_at": NOW},
            {"brand": "Gone", "source": "forum", "author_id": "a_gone", "updated_at": NOW}])
        first = sync_official_accounts(conn, config, pseudo)
        second = sync_official_accounts(conn, config, pseudo)
    # Acme: 2 distinct handles x 2 sources; Other: 1 x 2; Quiet: none
    assert first == second == 6
    with engine.connect() as conn:
        rows = conn.execute(select(official_account.c.brand, official_account.c.source,
                                   official_account.c.author_id)).all()
        acme = official_author_ids(conn, "Acme")
    assert len(rows) == 7  # the unconfigured brand "Gone" is left alone
    assert acme == {pseudo("forum", "AcmeSupport"), pseudo("blog", "AcmeSupport"),
                    pseudo("forum", "AcmeTeam"), pseudo("blog", "AcmeTeam")}
    assert "a_stale" not in acme
    assert ("Gone", "forum", "a_gone") in [tuple(r) for r in rows]


def test_concurrent_syncs_do_not_collide(pg_url: str, tmp_path: Path) -> None:
    """Analysis and metrics tasks sync at the same time in Airflow (PostgreSQL)."""
    config = _config(tmp_path)
    pseudo = Pseudonymiser.from_env()
    engine = make_engine(pg_url)
    migrate(engine)
    with engine.begin() as conn:
        sync_official_accounts(conn, config, pseudo)
    errors: list[BaseException] = []

    def second_task() -> None:
        try:
            with engine.begin() as conn:
                sync_official_accounts(conn, config, pseudo)
        except BaseException as exc:  # reported below
            errors.append(exc)

    with engine.begin() as conn:
        sync_official_accounts(conn, config, pseudo)  # holds its row locks until commit
        other = threading.Thread(target=second_task)
        other.start()
        other.join(timeout=1.0)  # the second sync waits for this transaction
        assert other.is_alive()
    other.join(timeout=30)
    assert errors == []
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(official_account)).scalar() == 6
    engine.dispose()


def _thread_fixture(engine: Engine, tmp_path: Path) -> None:
    off, other_off = _official(engine, tmp_path)
    h = timedelta(hours=1)
    posts = [
        # answered two levels deep: q_deep <- r_user <- r_official
        _post("q_deep", "a_u1", NOW - 10 * h, engagement={"score": 500}),
        _post("r_user", "a_u2", NOW - 9 * h, parent="q_deep"),
        _post("r_off", off, NOW - 8 * h, parent="r_user"),
        # a complaint answered only by another customer stays open
        _post("c_open", "a_u3", NOW - 30 * h),
        _post("r_c_open", "a_u4", NOW - 29 * h, parent="c_open"),
        # a wide-reaching fresh question
        _post("q_wide", "a_u5", NOW - 2 * h, engagement={"score": 150, "comments": 50}),
        # a duplicate (cross-post) of the open complaint never counts
        _post("c_dup", "a_u6", NOW - 20 * h, dup="c_open"),
        # too old for the 14-day queue
        _post("q_old", "a_u7", NOW - timedelta(days=15)),
        # written by the brand's own account
        _post("q_own", off, NOW - 3 * h),
        # answered only after `now`: still open as of now
        _post("c_late", "a_u8", NOW - 5 * h),
        _post("r_late", off, NOW + h, parent="c_late"),
        # praise is not for the queue
        _post("p_praise", "a_u9", NOW - 4 * h),
        # mentions both brands; only Other's official account answered (a canned answer
        # that is an exact duplicate of another post: it still answers)
        _post("q_both", "a_u10", NOW - 6 * h),
        _post("r_other", other_off, NOW - 5 * h, parent="q_both", dup="r_other_first"),
        # in the future of `now`
        _post("q_future", "a_u11", NOW + 2 * h),
        # an official reply to a post that is not in the warehouse (no crash, no effect)
        _post("r_orphan", off, NOW - h, parent="not_loaded"),
    ]
    mentions = {pid: ["Acme"] for pid in ("q_deep", "c_open", "q_wide", "c_dup", "q_old",
                                           "q_own", "c_late", "p_praise", "q_future")}
    mentions["q_both"] = ["Acme", "Other"]
    intents = {"q_deep": "question", "c_open": "complaint", "q_wide": "question",
               "c_dup": "complaint", "q_old": "question", "q_own": "question",
               "c_late": "complaint", "p_praise": "praise", "q_both": "question",
               "q_future": "question", "r_user": "other", "r_c_open": "complaint"}
    _load(engine, posts, mentions, intents,
          labels={"c_open": "negative", "q_wide": "neutral", "c_late": "negative"})
    with engine.begin() as conn:
        # a newer sentiment model disagrees; the queue uses the one it is given
        upsert(conn, sentiment, [{"post_id": "q_wide", "model": "m", "version": "2",
                                  "label": "negative", "negative": 0.8, "neutral": 0.1,
                                  "positive": 0.1, "scored_at": NOW}])
        # a human label wins
        upsert(conn, sentiment_override, [{"post_id": "c_late", "label": "neutral",
                                           "note": None, "created_at": NOW}])


def test_queue_keeps_only_unanswered_questions_and_complaints(engine: Engine,
                                                              tmp_path: Path) -> None:
    _thread_fixture(engine, tmp_path)
    with engine.connect() as conn:
        queue = response_queue(conn, "Acme", NOW, "m", "1", IM, IV)
        other = response_queue(conn, "Other", NOW, "m", "1", IM, IV)
        config = _config(tmp_path)
        as_config = response_queue(conn, config.brand("Acme"), NOW, "m", "1", IM, IV)
    # reach leads (q_wide), then age among equal reach: 30 h, 6 h, 5 h
    assert [p.post_id for p in queue] == ["q_wide", "c_open", "q_both", "c_late"]
    assert [p.post_id for p in as_config] == [p.post_id for p in queue]
    assert [p.post_id for p in other] == []  # Other's official account answered q_both
    wide, c_open, both, late = queue
    assert (wide.intent, wide.sentiment, wide.reach) == ("question", "neutral", 201.0)
    assert wide.age_hours == pytest.approx(2.0)
    assert wide.priority == pytest.approx(math.log(202) + math.log(3) / 2, abs=1e-3)
    assert (c_open.intent, c_open.sentiment, c_open.reach) == ("complaint", "negative", 1.0)
    assert c_open.priority == pytest.approx(math.log(2) + math.log(31) / 2, abs=1e-3)
    assert late.sentiment == "neutral"  # the human label
    assert both.sentiment is None  # not scored by model m 1
    assert wide.url == "https://forum.example/q_wide"
    assert wide.created_at == NOW - timedelta(hours=2)
    assert (wide.title, wide.text, wide.lang, wide.community) == (
        "title q_wide", "text of q_wide", "en", "help")


def test_queue_as_of_a_later_time_and_limits(engine: Engine, tmp_path: Path) -> None:
    _thread_fixture(engine, tmp_path)
    later = NOW + timedelta(hours=3)
    with engine.connect() as conn:
        queue = response_queue(conn, "Acme", later, "m", "1", IM, IV)
        top = response_queue(conn, "Acme", NOW, "m", "1", IM, IV, limit=2)
        week = response_queue(conn, "Acme", NOW, "m", "1", IM, IV, max_age_days=1)
        month = response_queue(conn, "Acme", NOW, "m", "1", IM, IV, max_age_days=30)
        other_intent = response_queue(conn, "Acme", NOW, "m", "1", IM, "0.9")
    # c_late is answered by now, q_future has been written
    assert [p.post_id for p in queue] == ["q_wide", "c_open", "q_both", "q_future"]
    assert [p.post_id for p in top] == ["q_wide", "c_open"]
    assert "c_open" not in [p.post_id for p in week]  # 30 hours old
    # 15 days waiting (reach 1) passes the younger posts of reach 1
    assert [p.post_id for p in month] == ["q_wide", "q_old", "c_open", "q_both", "c_late"]
    assert other_intent == []


def test_older_posts_rise_among_equal_reach() -> None:
    assert priority(1, 30) > priority(1, 5) > priority(1, 0)
    assert priority(201, 2) > priority(1, 24 * 14)  # reach leads
    assert priority(0, 0) == 0.0


def test_queue_matches_the_view(engine: Engine, tmp_path: Path) -> None:
    _thread_fixture(engine, tmp_path)
    with engine.connect() as conn:
        view = conn.execute(text(
            "SELECT post_id, answered FROM v_response_queue WHERE brand = 'Acme' "
            "ORDER BY post_id")).all()
        queue = response_queue(conn, "Acme", NOW + timedelta(days=1), "m", "1", IM, IV,
                               max_age_days=365, limit=100)
    assert [tuple(r) for r in view] == [
        ("c_late", 1), ("c_open", 0), ("q_both", 0), ("q_deep", 1), ("q_future", 0),
        ("q_old", 0), ("q_wide", 0)]
    assert sorted(p.post_id for p in queue) == [pid for pid, answered in view if not answered]
