from __future__ import annotations

import json
import statistics
from collections import Counter
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest

from pipeline.demo.corpus import DemoManifest, generate_corpus, write_demo_data
from pipeline.text.query import parse_query


@pytest.fixture(scope="module")
def posts():  # type: ignore[no-untyped-def]
    return generate_corpus()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoManifest]:
    out = tmp_path_factory.mktemp("demo")
    return out, write_demo_data(out)


def test_deterministic_and_seeded(posts) -> None:  # type: ignore[no-untyped-def]
    assert generate_corpus() == posts
    assert generate_corpus(seed=8) != posts


def test_size_span_and_languages(posts) -> None:  # type: ignore[no-untyped-def]
    assert len(posts) >= 1500
    assert len({p.created_at.date() for p in posts}) == 60
    langs = Counter(p.lang for p in posts)
    assert set(langs) == {"de", "en"}
    assert 0.45 <= langs["de"] / len(posts) <= 0.65


def test_injected_spike_and_emerging_problem(posts, written) -> None:  # type: ignore[no-untyped-def]
    info = written[1].to_dict()
    spike_day = str(info["spike_day"])
    negatives: Counter[str] = Counter(
        str(p.created_at.date()) for p in posts
        if "Kaffeekraft" in p.gold.brands and p.gold.sentiment == "negative")
    others = [n for day, n in negatives.items() if day != spike_day]
    assert negatives[spike_day] >= 4 * statistics.median(others)
    emerging = [p for p in posts if p.gold.signal == "emerging"]
    start = str(info["emerging_problem"]["start"])
    assert emerging and all(str(p.created_at.date()) >= start for p in emerging)
    end = max(p.created_at.date() for p in posts)
    week1 = sum(1 for p in emerging if end - timedelta(days=13) <= p.created_at.date()
                <= end - timedelta(days=7))
    week2 = sum(1 for p in emerging if p.created_at.date() > end - timedelta(days=7))
    assert week2 > week1 > 0


def test_feeds_parse_and_hold_their_posts(written) -> None:  # type: ignore[no-untyped-def]
    out, manifest = written
    info = manifest.to_dict()
    assert len(info["feeds"]) == 3
    for feed in info["feeds"]:
        parsed = feedparser.parse((out / feed["path"]).read_bytes())
        assert not parsed.bozo, (feed["path"], parsed.get("bozo_exception"))
        assert len(parsed.entries) == feed["entries"] > 100
    total = sum(f["entries"] for f in info["feeds"]) + sum(f["rows"] for f in info["files"])
    assert total == info["total_posts"]


def test_jsonl_rows_have_the_mapped_columns(written) -> None:  # type: ignore[no-untyped-def]
    out, manifest = written
    file = manifest.to_dict()["files"][0]
    rows = [json.loads(line) for line in (out / file["path"]).read_text().splitlines()]
    assert len(rows) == file["rows"]
    for column in file["mapping"].values():
        assert all(column in row for row in rows)


def test_brand_queries_parse_and_name_the_brand(written) -> None:  # type: ignore[no-untyped-def]
    for brand in written[1].to_dict()["brands"]:
        query = parse_query(brand["query"])
        assert brand["name"].lower() in str(query).lower()
        assert query.matches(f"Ich habe eine {brand['name']} gekauft")
