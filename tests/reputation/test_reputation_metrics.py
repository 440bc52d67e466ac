"""Reputation score, reach, hourly and per-slice metrics, hourly alerts and their
explanation, on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pipeline.config import Config, parse_config
from pipeline.nlp.keyphrases import KEYPHRASE_MODEL
from pipeline.nlp.problems import PROBLEM_MODEL
from pipeline.reputation.alerts import _alert_body, evaluate_alerts, notify_pending
from pipeline.reputation.metrics import compute_daily_metrics
from pipeline.reputation.reach import interactions, reach, weight
from pipeline.reputation.score import reputation
from pipeline.warehouse.db import make_engine, migrate
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import (
    alert,
    brand_metrics_slice,
    daily_brand_metrics,
    keyphrase,
    mention,
    official_account,
    post,
    post_problem,
    problem,
    sentiment,
    sentiment_override,
)

MODEL = ("m", "1")
DAY = date(2026, 10, 20)


def _post(pid: str, when: datetime, label: str, *, source: str = "forum",
          community: str = "c1", lang: str = "de", author: str = "a_x",
          engagement: dict[str, float] | None = None, duplicate_of: str | None = None,
          text: str = "text") -> dict[str, Any]:
    return {"post_id": pid, "when": when, "label": label, "source": source,
            "community": community, "lang": lang, "author": author,
            "engagement": engagement or {}, "duplicate_of": duplicate_of, "text": text}


def _load(engine: Any, posts: list[dict[str, Any]], brand: str = "Acme") -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        upsert(conn, post, [{
            "post_id": p["post_id"], "source": p["source"], "external_id": p["post_id"],
            "url": f"https://example.test/{p['post_id']}", "author_id": p["author"],
            "community": p["community"], "title": None, "text": p["text"], "lang": p["lang"],
            "created_at": p["when"], "day": p["when"].date(), "engagement": p["engagement"],
            "parent_post_id": None, "content_hash": p["post_id"], "simhash": 0,
            "duplicate_of": p["duplicate_of"], "processed_at": now,
        } for p in posts])
        upsert(conn, mention, [{"post_id": p["post_id"], "brand": brand,
                                "day": p["when"].date(), "matched": []} for p in posts])
        scores = {"negative": (0.8, 0.1, 0.1), "neutral": (0.1, 0.8, 0.1),
                  "positive": (0.1, 0.1, 0.8)}
        upsert(conn, sentiment, [{
            "post_id": p["post_id"], "model": MODEL[0], "version": MODEL[1],
            "label": p["label"], "negative": scores[p["label"]][0],
            "neutral": scores[p["label"]][1], "positive": scores[p["label"]][2],
            "scored_at": now} for p in posts])


@pytest.fixture
def engine(warehouse_url: str) -> Any:
    engine = make_engine(warehouse_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _config(tmp_path: Path, **extra: Any) -> Config:
    return parse_config({"brands": [{"name": "Acme"}], **extra}, base_dir=tmp_path)


def test_reach_and_weight_formulas() -> None:
    e = {"score": 10, "comments": 4, "views": 500, "bogus": "x", "negative": -3}
    assert interactions(e) == 14
    assert reach(e) == 500
    assert reach({"likes": 3}) == 4
    assert weight({}) == 1.0
    assert weight(e) == pytest.approx(1 + math.log(15))
    assert reputation(0, 0, 5) is None
    # three angry posts on a quiet day are shrunk towards 0, a busy day barely
    assert reputation(-3, 3, 5) == pytest.approx(-37.5)
    assert reputation(-300, 300, 5) == pytest.approx(-98.36, abs=0.01)


def test_metrics_weight_reach_exclude_official_and_duplicates(engine: Any,
                                                             tmp_path: Path) -> None:
    t = datetime(2026, 10, 20, 9, 15, tzinfo=UTC)
    _load(engine, [
        _post("p1", t, "positive", engagement={"score": 20, "comments": 5}),
        _post("p2", t + timedelta(minutes=10), "negative", source="blog", community="c2",
              lang="en"),
        _post("p3", t + timedelta(hours=2), "neutral"),
        _post("p4", t + timedelta(hours=2), "negative", duplicate_of="p2"),
        _post("p5", t + timedelta(hours=3), "positive", author="a_official"),
        _post("p6", t + timedelta(hours=3), "negative"),
    ])
    with engine.begin() as conn:
        upsert(conn, official_account, [{"brand": "Acme", "source": "forum",
                                         "author_id": "a_official", "updated_at": t}])
        # a human label wins: p6 is positive after all
        upsert(conn, sentiment_override, [{"post_id": "p6", "label": "positive",
                                           "note": None, "created_at": t}])
        compute_daily_metrics(conn, _config(tmp_path), *MODEL, DAY, DAY)
        row = conn.execute(select(daily_brand_metrics)).mappings().one()
        slices = conn.execute(select(brand_metrics_slice)).mappings().all()
    # p1, p2, p3, p6 count; p4 is a duplicate, p5 the brand's own account
    assert (row["volume"], row["negative"], row["neutral"], row["positive"]) == (4, 1, 1, 2)
    w1 = 1 + math.log(26)
    assert row["rep_weight"] == pytest.approx(w1 + 3)
    assert row["rep_sum"] == pytest.approx(w1 - 1 + 1)
    assert row["reputation"] == pytest.approx(100 * w1 / (w1 + 3 + 5), abs=1e-3)
    assert row["reach"] == pytest.approx(26 + 3)
    hourly = {s["period_start"].replace(tzinfo=UTC).hour if s["period_start"].tzinfo is None
              else s["period_start"].astimezone(UTC).hour: s["volume"]
              for s in slices if s["grain"] == "hour"}
    assert hourly == {9: 2, 11: 1, 12: 1}
    by_dim = {(s["dimension"], s["value"]): s["volume"] for s in slices if s["grain"] == "day"}
    assert by_dim == {("source", "forum"): 3, ("source", "blog"): 1, ("community", "c1"): 3,
                      ("community", "c2"): 1, ("lang", "de"): 3, ("lang", "en"): 1}
    # recomputing after an erasure drops the slice instead of leaving it stale
    with engine.begin() as conn:
        conn.execute(mention.delete().where(mention.c.post_id == "p2"))
        compute_daily_metrics(conn, _config(tmp_path), *MODEL, DAY, DAY)
        values = {s.value for s in conn.execute(select(brand_metrics_slice))}
    assert "blog" not in values and "en" not in values


def _hourly_history(start: datetime, days: int) -> list[dict[str, Any]]:
    """One neutral post every hour and a negative one every sixth hour."""
    posts = []
    for h in range(days * 24):
        when = start + timedelta(hours=h, minutes=5)
        posts.append(_post(f"n{h}", when, "neutral"))
        if h % 6 == 0:
            posts.append(_post(f"x{h}", when + timedelta(minutes=1), "negative",
                               text="slow delivery"))
    return posts


def test_hourly_burst_fires_an_hourly_alert_with_its_explanation(engine: Any,
                                                                 tmp_path: Path) -> None:
    start = datetime(2026, 10, 1, tzinfo=UTC)
    burst = datetime(2026, 10, 15, 14, tzinfo=UTC)
    posts = _hourly_history(start, 15)
    angry = [_post(f"b{i}", burst + timedelta(minutes=2 * i), "negative",
                   source="reddit", community="r/acme", author=f"a_{i}",
                   text=f"milk frother dead after update {i}") for i in range(12)]
    _load(engine, posts + angry)
    with engine.begin() as conn:
        upsert(conn, problem, [{
            "problem_id": "pr1", "brand": "Acme", "model": PROBLEM_MODEL[0],
            "version": PROBLEM_MODEL[1], "label": "milk frother · update", "size": 12,
            "status": "active", "merged_into": None, "centroid": {}, "terms": {},
            "examples": [], "first_day": burst.date(), "last_day": burst.date(),
            "updated_at": burst}])
        upsert(conn, post_problem, [{
            "post_id": p["post_id"], "brand": "Acme", "model": PROBLEM_MODEL[0],
            "version": PROBLEM_MODEL[1], "problem_id": "pr1", "similarity": 0.9,
            "negative": True, "day": burst.date(), "assigned_at": burst} for p in angry])
        upsert(conn, keyphrase, [{
            "post_id": p["post_id"], "model": KEYPHRASE_MODEL[0],
            "version": KEYPHRASE_MODEL[1],
            "phrases": [["milk frother", 1.0], ["acme", 0.7], ["update", 0.5]],
            "extracted_at": burst} for p in angry])
        config = _config(tmp_path, alerts={"rules": [
            {"name": "hourly", "freq": "H", "baseline_days": 7, "min_history": 2}]},
            report={"output_dir": "reports"})
        compute_daily_metrics(conn, config, *MODEL, start.date(), burst.date())
        created = evaluate_alerts(conn, config, *MODEL, burst.date(), burst.date())
    assert [a.alert_id for a in created] == ["hourly:Acme:2026-10-15T14"]
    record = created[0]
    assert record.hour == burst and record.value == 12 and record.severity >= 5
    details = record.details
    assert details["window"]["start"].startswith("2026-10-15T14:00")
    assert len(details["top_posts"]) == 3
    assert all(p["post_id"].startswith("b") for p in details["top_posts"])
    assert details["sources"][0] == {"name": "reddit", "negative": 12}
    assert details["communities"][0]["name"] == "r/acme"
    assert details["problems"][0]["problem_id"] == "pr1"
    assert details["problems"][0]["negative"] == 12
    # the brand's own name grew too, but says nothing
    assert [k["phrase"] for k in details["keyphrases"]][:2] == ["milk frother", "update"]
    assert details["report"].endswith("/reports/acme-latest.html")
    with engine.connect() as conn:
        stored = conn.execute(select(alert)).mappings().one()
    assert stored["freq"] == "H"
    body = _alert_body(stored)
    assert "problems that grew: milk frother · update (12 vs" in body
    assert "report: file://" in body


def test_notifications_are_capped_per_brand_and_day(engine: Any, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(tmp_path, alerts={"max_notifications_per_day": 1},
                     notifications=[{"name": "hook", "url": "json://127.0.0.1:9/none"}])
    now = datetime.now(UTC)
    with engine.begin() as conn:
        upsert(conn, daily_brand_metrics, [{
            "brand": "Acme", "day": DAY, "model": "m", "version": "1", "volume": 1,
            "negative": 1, "neutral": 0, "positive": 0, "unscored": 0, "net_sentiment": -1.0,
            "share_of_voice": None, "computed_at": now}])
        upsert(conn, alert, [{
            "alert_id": f"r{i}:Acme:{DAY}", "rule": f"r{i}", "brand": "Acme", "day": DAY,
            "severity": 5, "status": "open", "value": 9.0, "baseline": 1.0, "score": 4.0,
            "message": f"alert {i}", "details": {}, "created_at": now, "notified_at": None,
            "delivery": None, "freq": "D", "period_start": None} for i in range(3)])
    sent: list[str] = []
    monkeypatch.setattr("pipeline.reputation.alerts.deliver",
                        lambda channels, title, body: sent.append(body) or {"hook": "ok"})
    stats = notify_pending(engine, config)
    assert stats["sent"] == 1 and stats["capped"] == 2
    assert sent == ["alert 0"]
    with engine.connect() as conn:
        deliveries = [r.delivery for r in conn.execute(select(alert).order_by(alert.c.rule))]
    assert deliveries[0] == {"hook": "ok"}
    assert all("max_notifications_per_day" in d["_"] for d in deliveries[1:])


def test_share_of_voice_per_slice(engine: Any, tmp_path: Path) -> None:
    t = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
    _load(engine, [_post(f"a{i}", t, "neutral") for i in range(3)], brand="Acme")
    _load(engine, [_post("r0", t, "neutral"),
                   _post("r1", t + timedelta(hours=5), "neutral", source="blog"),
                   _post("r2", t + timedelta(hours=5), "neutral", source="blog")],
          brand="Rival")
    config = parse_config({"brands": [{"name": "Acme", "competitors": ["Rival"]},
                                      {"name": "Rival"}]}, base_dir=tmp_path)
    with engine.begin() as conn:
        compute_daily_metrics(conn, config, *MODEL, DAY, DAY)
        rows = conn.execute(select(brand_metrics_slice)).mappings().all()
    sov = {(r["brand"], r["grain"], r["dimension"], r["value"]): r["share_of_voice"]
           for r in rows}
    assert sov[("Acme", "day", "source", "forum")] == pytest.approx(0.75)
    assert sov[("Acme", "hour", "all", "")] == pytest.approx(0.75)  # 09:00: 3 vs 1
    assert ("Acme", "day", "source", "blog") not in sov  # no Acme mention on the blog
    assert sov[("Rival", "day", "source", "blog")] is None  # Rival has no competitors
