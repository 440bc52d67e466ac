"""Reply threads, official accounts and chiefs in the demo corpus."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import BrandConfig
from pipeline.demo.corpus import (
    BRANDS,
    CHIEFS,
    KAFFEEKRAFT,
    THREAD_CHANNELS,
    DemoManifest,
    DemoPost,
    generate_corpus,
    spike_day_for,
    write_demo_data,
)
from pipeline.demo.run import demo_config
from pipeline.sources.base import SourceContext, build_source

OFFICIAL = {h: name for name, b in BRANDS.items() for h in b["official_accounts"]}
ASKS = ("question", "complaint")


@pytest.fixture(scope="module")
def posts() -> list[DemoPost]:
    return generate_corpus()


@pytest.fixture(scope="module")
def by_id(posts: list[DemoPost]) -> dict[str, DemoPost]:
    return {p.external_id: p for p in posts}


@pytest.fixture(scope="module")
def replies(posts: list[DemoPost]) -> list[DemoPost]:
    return [p for p in posts if p.gold.parent is not None]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoManifest]:
    out = tmp_path_factory.mktemp("demo-threads")
    return out, write_demo_data(out)


def test_threads_are_deterministic_extra_rows(posts: list[DemoPost],
                                              replies: list[DemoPost]) -> None:
    assert generate_corpus() == posts
    assert generate_corpus(seed=8) != posts
    base = generate_corpus(threads=False)
    assert len(posts) - len(base) == len(replies)
    assert 250 <= len(replies) <= 450
    assert len({p.external_id for p in posts}) == len(posts)


def test_top_level_posts_stay_as_without_threads(posts: list[DemoPost]) -> None:
    top = [replace(p, gold=replace(p.gold, answered_by_official=False, answered_by=()))
           for p in posts if p.gold.parent is None]
    assert top == generate_corpus(threads=False)


def test_every_reply_has_an_older_parent_in_the_same_file(
        replies: list[DemoPost], by_id: dict[str, DemoPost]) -> None:
    last = max(p.created_at for p in by_id.values())
    for r in replies:
        parent = by_id[r.gold.parent or ""]
        assert r.channel == parent.channel and r.channel in THREAD_CHANNELS
        assert parent.created_at < r.created_at <= last
        assert r.community == parent.community and r.lang == parent.lang
        assert r.title == "" and r.gold.intent == "other" and r.gold.signal is None
    # nested threads exist (answers to answers), and reply counts match the children
    assert any(by_id[r.gold.parent or ""].gold.parent for r in replies)
    children = Counter(r.gold.parent for r in replies)
    assert all(r.comments == children[r.external_id] for r in replies)


def test_official_accounts_answer_some_but_not_all(posts: list[DemoPost],
                                                   replies: list[DemoPost],
                                                   by_id: dict[str, DemoPost]) -> None:
    answers: dict[str, set[str]] = {}
    delays: list[timedelta] = []
    for r in replies:
        if r.author in OFFICIAL:
            brand = OFFICIAL[r.author]
            parent = by_id[r.gold.parent or ""]
            assert r.gold.official and r.gold.sentiment in ("neutral", "positive")
            assert parent.gold.parent is None and parent.gold.intent in ASKS
            assert brand in parent.gold.brands
            delays.append(r.created_at - parent.created_at)
            assert timedelta(0) < delays[-1] <= timedelta(hours=60)
            assert 7 <= r.created_at.hour < 22
            answers.setdefault(parent.external_id, set()).add(brand)
        else:
            assert not r.gold.official
    assert sorted(delays)[len(delays) // 2] <= timedelta(hours=8)  # within hours
    named = [r for r in replies if r.gold.official and r.gold.brands]
    assert len(named) >= 0.6 * sum(r.gold.official for r in replies)
    for p in posts:
        assert p.gold.answered_by == tuple(sorted(answers.get(p.external_id, ())))
        assert p.gold.answered_by_official == bool(p.gold.answered_by)
    for brand in BRANDS:
        asked = [p for p in posts if p.channel in THREAD_CHANNELS and p.gold.parent is None
                 and brand in p.gold.brands and p.gold.intent in ASKS]
        answered = sum(brand in p.gold.answered_by for p in asked)
        assert 0.3 * len(asked) <= answered <= 0.75 * len(asked), (brand, answered, len(asked))


def test_no_official_kaffeekraft_reply_on_spike_day(replies: list[DemoPost]) -> None:
    spike_day = spike_day_for()
    assert not [r for r in replies if r.author in OFFICIAL
                and OFFICIAL[r.author] == KAFFEEKRAFT and r.created_at.date() == spike_day]


def test_chiefs_are_the_most_replied_to_in_their_community(
        replies: list[DemoPost], by_id: dict[str, DemoPost]) -> None:
    received: dict[str, Counter[str]] = {}
    for r in replies:
        parent = by_id[r.gold.parent or ""]
        if parent.author != r.author and parent.author not in OFFICIAL:
            received.setdefault(r.community, Counter())[parent.author] += 1
    assert set(received) == set(CHIEFS)
    for community, chief in CHIEFS.items():
        (top, n), (_, second) = received[community].most_common(2)
        assert top == chief and n >= 1.5 * second, received[community].most_common(3)
    written_by = Counter(r.author for r in replies)
    assert all(written_by[chief] >= 15 for chief in CHIEFS.values())


def test_counts_and_manifest(written: tuple[Path, DemoManifest], posts: list[DemoPost]) -> None:
    info = written[1].to_dict()
    counts = info["counts"]
    assert counts["replies"] == sum(1 for p in posts if p.gold.parent)
    assert counts["official_replies"] == sum(1 for p in posts if p.gold.official)
    for name, row in counts["response"].items():
        assert row["answered"] + row["unanswered"] == row["questions_complaints"]
        assert 0 < row["unanswered_threaded"] < row["questions_complaints_threaded"]
        assert row["answered"] == sum(name in p.gold.answered_by for p in posts)
    handles = {b["name"]: b["official_accounts"] for b in info["brands"]}
    assert handles == {name: b["official_accounts"] for name, b in BRANDS.items()}
    assert all(handles.values())
    assert info["threads"]["chiefs"] == CHIEFS
    config = demo_config(written[1], "http://127.0.0.1:1", written[0])
    for brand in config["brands"]:
        assert BrandConfig(**brand).official_accounts == handles[brand["name"]]


def test_file_source_reads_parent_ids(written: tuple[Path, DemoManifest],
                                      posts: list[DemoPost]) -> None:
    out, manifest = written
    file: dict[str, Any] = manifest.to_dict()["files"][0]
    assert file["mapping"]["parent_id"] == "parent" and "parent" in file["columns"]
    rows = [json.loads(line) for line in (out / file["path"]).read_text().splitlines()]
    gold = {p.external_id: p.gold for p in posts}
    assert all(row["parent"] == gold[row["id"]].parent for row in rows)
    source = build_source(file["name"], "file",
                          {"path": file["path"], "mapping": file["mapping"],
                           "engagement": file["engagement"]},
                          SourceContext(base_dir=str(out)))
    raws = list(source.fetch({}))
    assert len(raws) == file["rows"] == len(rows)
    assert all(r.parent_id == gold[r.external_id].parent for r in raws)
    assert sum(r.parent_id is not None for r in raws) == manifest.counts["replies"]


def test_gold_rows_carry_the_thread_fields(written: tuple[Path, DemoManifest]) -> None:
    out, manifest = written
    rows = [json.loads(line) for line in (out / manifest.gold_path).read_text().splitlines()]
    assert len(rows) == manifest.total_posts
    for key in ("parent", "official", "answered_by_official", "answered_by"):
        assert all(key in row for row in rows)
    assert any(row["official"] for row in rows) and any(row["answered_by"] for row in rows)
