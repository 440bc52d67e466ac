from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

from pipeline.warehouse.db import make_engine, migrate
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import daily_brand_metrics, mention, post, sentiment
from pipeline.warehouse.views import apply_views, view_files

NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)
DAY = date(2026, 10, 1)


def _post(pid: str, dup: str | None = None) -> dict[str, object]:
    return {"post_id": pid, "source": "s", "external_id": pid, "url": None, "author_id": "a_1",
            "community": "c", "title": None, "text": "t", "lang": "de", "created_at": NOW,
            "day": DAY, "engagement": {}, "parent_post_id": None, "content_hash": pid,
            "simhash": 0, "duplicate_of": dup, "processed_at": NOW}


def test_views_apply_twice_and_agree_with_the_metrics(warehouse_url: str) -> None:
    engine = make_engine(warehouse_url)
    migrate(engine)
    names = apply_views(engine)
    assert apply_views(engine) == names == [n for n, _ in view_files()]
    assert {"v_brand_daily", "v_share_of_voice", "v_mention_sentiment",
            "v_community_daily", "v_source_health"} <= set(names)
    with engine.begin() as conn:
        upsert(conn, post, [_post("p1"), _post("p2"), _post("p3", dup="p1")])
        upsert(conn, mention, [{"post_id": p, "brand": "A", "day": DAY, "matched": []}
                               for p in ("p1", "p2", "p3")]
               + [{"post_id": "p2", "brand": "B", "day": DAY, "matched": []}])
        upsert(conn, sentiment, [{"post_id": p, "model": "m", "version": "1", "label": lab,
                                  "negative": 0.1, "neutral": 0.1, "positive": 0.8,
                                  "scored_at": NOW}
                                 for p, lab in (("p1", "positive"), ("p2", "negative"),
                                                ("p3", "positive"))])
        upsert(conn, daily_brand_metrics, [{
            "brand": b, "day": DAY, "model": "m", "version": "1", "volume": v, "negative": n,
            "neutral": 0, "positive": v - n, "unscored": 0, "net_sentiment": 0.0,
            "share_of_voice": None, "computed_at": NOW} for b, v, n in (("A", 2, 1), ("B", 1, 1))])
    with engine.connect() as conn:
        daily = conn.execute(text("SELECT brand, negative_share FROM v_brand_daily "
                                  "ORDER BY brand")).all()
        sov = conn.execute(text("SELECT brand, share_all_brands FROM v_share_of_voice "
                                "ORDER BY brand")).all()
        mentions = conn.execute(text("SELECT brand, post_id, label FROM v_mention_sentiment "
                                     "ORDER BY brand, post_id")).all()
        communities = conn.execute(text("SELECT brand, volume, negative, authors "
                                        "FROM v_community_daily ORDER BY brand")).all()
    assert [(b, round(s, 3)) for b, s in daily] == [("A", 0.5), ("B", 1.0)]
    assert [(b, round(s, 3)) for b, s in sov] == [("A", 0.667), ("B", 0.333)]
    assert [tuple(r) for r in mentions] == [("A", "p1", "positive"), ("A", "p2", "negative"),
                                            ("B", "p2", "negative")]  # the duplicate p3 is out
    assert [tuple(r) for r in communities] == [("A", 2, 1, 1), ("B", 1, 1, 1)]


def test_opening_the_warehouse_recreates_a_missing_view(tmp_path: Path,
                                                        warehouse_url: str) -> None:
    from sqlalchemy import inspect

    from pipeline.config import parse_config
    from pipeline.stages.base import open_warehouse

    config = parse_config({"warehouse": {"url": warehouse_url}, "brands": [{"name": "A"}]},
                          base_dir=tmp_path)
    engine = open_warehouse(config)
    assert "v_brand_daily" in inspect(engine).get_view_names()
    with engine.begin() as conn:
        conn.execute(text("DROP VIEW v_source_health"))
    engine = open_warehouse(config)
    assert "v_source_health" in inspect(engine).get_view_names()
