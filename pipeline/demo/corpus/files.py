"""`write_demo_data`: the demo corpus as the files the pipeline reads (two RSS feeds, an
Atom feed, a JSONL export), its gold labels and a manifest of what the pipeline should find."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from pipeline.demo.corpus.generate import generate_corpus
from pipeline.demo.corpus.posts import (
    DEFAULT_END,
    EMERGING_DAILY,
    EMERGING_KEYPHRASES,
    KAFFEEKRAFT,
    SENTIMENTS,
    SPIKE_EXTRA,
    DemoPost,
    emerging_start_for,
    spike_day_for,
)
from pipeline.demo.corpus.tables import BRANDS, CHANNELS, CHIEFS, COMPETITORS
from pipeline.demo.corpus.threads import THREAD_CHANNELS

JSONL_COLUMNS = ("id", "text", "author", "created", "channel", "lang", "likes", "replies",
                 "url", "title", "parent")
# the file source's mapping: post field -> column (see pipeline/sources/file.py)
JSONL_MAPPING = {"external_id": "id", "body": "text", "created_at": "created",
                 "author": "author", "community": "channel", "title": "title", "url": "url",
                 "parent_id": "parent"}
JSONL_ENGAGEMENT = {"score": "likes", "comments": "replies"}


@dataclass
class DemoManifest:
    """What `write_demo_data` wrote and what the pipeline should find in it."""

    start: date
    end: date
    seed: int
    total_posts: int
    feeds: list[dict[str, Any]]
    files: list[dict[str, Any]]
    brands: list[dict[str, Any]]
    competitors: dict[str, list[str]]
    spike_day: date
    spike_brand: str
    spike: dict[str, Any]
    emerging_problem: dict[str, Any]
    gold_path: str
    counts: dict[str, Any] = field(default_factory=dict)
    threads: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (dates as ISO strings)."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rss(channel: str, posts: list[DemoPost], build: datetime) -> str:
    meta = CHANNELS[channel]
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:slash="http://purl.org/rss/1.0/modules/slash/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom">',
        "<channel>",
        f"<title>{xml_escape(meta['title'])}</title>",
        f"<link>{xml_escape(meta['site'])}</link>",
        f"<description>{xml_escape(meta['title'])} (stimmung demo data)</description>",
        f"<language>{meta['lang']}</language>",
        f"<lastBuildDate>{format_datetime(build, usegmt=True)}</lastBuildDate>",
    ]
    for p in sorted(posts, key=lambda p: p.created_at, reverse=True):
        summary = p.body if len(p.body) <= 200 else p.body[:197].rstrip() + "…"
        out += [
            "<item>",
            f"<title>{xml_escape(p.title)}</title>",
            f"<link>{xml_escape(p.url)}</link>",
            f'<guid isPermaLink="false">{xml_escape(p.external_id)}</guid>',
            f"<pubDate>{format_datetime(p.created_at, usegmt=True)}</pubDate>",
            f"<dc:creator>{xml_escape(p.author)}</dc:creator>",
            f"<category>{xml_escape(p.community)}</category>",
            f"<description>{xml_escape(summary)}</description>",
            f"<content:encoded>{xml_escape(p.body_html)}</content:encoded>",
            f"<slash:comments>{p.comments}</slash:comments>",
            "</item>",
        ]
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def _atom(channel: str, posts: list[DemoPost], build: datetime) -> str:
    meta = CHANNELS[channel]
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{meta["lang"]}">',
        f"<title>{xml_escape(meta['title'])}</title>",
        f"<id>{xml_escape(meta['site'])}</id>",
        f'<link rel="alternate" href="{xml_escape(meta["site"])}"/>',
        f"<updated>{_rfc3339(build)}</updated>",
    ]
    for p in sorted(posts, key=lambda p: p.created_at, reverse=True):
        out += [
            "<entry>",
            f"<id>tag:cremalab.demo.invalid,2026:{xml_escape(p.external_id)}</id>",
            f'<title type="text">{xml_escape(p.title)}</title>',
            f'<link rel="alternate" href="{xml_escape(p.url)}"/>',
            f"<published>{_rfc3339(p.created_at)}</published>",
            f"<updated>{_rfc3339(p.created_at)}</updated>",
            f"<author><name>{xml_escape(p.author)}</name></author>",
            f'<category term="{xml_escape(p.community, {chr(34): "&quot;"})}"/>',
            f'<content type="html">{xml_escape(p.body_html)}</content>',
            "</entry>",
        ]
    out += ["</feed>", ""]
    return "\n".join(out)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _jsonl_row(p: DemoPost) -> dict[str, Any]:
    return {
        "id": p.external_id, "text": p.body, "author": p.author,
        "created": p.created_at.isoformat(timespec="seconds"),
        "channel": p.community, "lang": p.lang, "likes": p.score, "replies": p.comments,
        "url": p.url, "title": p.title, "parent": p.gold.parent,
    }


def corpus_counts(posts: list[DemoPost]) -> dict[str, Any]:
    """Counts per brand, language, sentiment, intent and channel (gold labels)."""
    by_brand: Counter[str] = Counter()
    for p in posts:
        for b in p.gold.brands or ("(none)",):
            by_brand[b] += 1
    brand_sent: dict[str, dict[str, int]] = {}
    for p in posts:
        for b in p.gold.brands or ("(none)",):
            brand_sent.setdefault(b, dict.fromkeys(SENTIMENTS, 0))[p.gold.sentiment] += 1
    return {
        "posts": len(posts),
        "by_brand": dict(sorted(by_brand.items())),
        "by_lang": dict(sorted(Counter(p.lang for p in posts).items())),
        "by_sentiment": dict(sorted(Counter(p.gold.sentiment for p in posts).items())),
        "by_intent": dict(sorted(Counter(p.gold.intent for p in posts).items())),
        "by_channel": dict(sorted(Counter(p.channel for p in posts).items())),
        "brand_sentiment": dict(sorted(brand_sent.items())),
        "comparisons": sum(1 for p in posts if len(p.gold.brands) > 1),
        "duplicates": sum(1 for p in posts if p.gold.duplicate_of),
        "spike_posts": sum(1 for p in posts if p.gold.signal == "spike"),
        "emerging_posts": sum(1 for p in posts if p.gold.signal == "emerging"),
        "replies": sum(1 for p in posts if p.gold.parent),
        "official_replies": sum(1 for p in posts if p.gold.official),
        "response": _response_counts(posts),
    }


def _response_counts(posts: list[DemoPost]) -> dict[str, dict[str, int]]:
    """Per brand: its questions and complaints, how many an official account answered, and
    how many wait (in the whole corpus, and in the threaded channels where answers exist)."""
    out: dict[str, dict[str, int]] = {}
    for name in BRANDS:
        asked = [p for p in posts if name in p.gold.brands and p.gold.parent is None
                 and p.gold.intent in ("question", "complaint")]
        answered = sum(1 for p in asked if name in p.gold.answered_by)
        threaded = [p for p in asked if p.channel in THREAD_CHANNELS]
        out[name] = {
            "questions_complaints": len(asked), "answered": answered,
            "unanswered": len(asked) - answered,
            "questions_complaints_threaded": len(threaded),
            "unanswered_threaded": sum(1 for p in threaded if name not in p.gold.answered_by),
        }
    return out


def write_demo_data(out_dir: Path, *, end: date = DEFAULT_END, days: int = 60,
                    seed: int = 7) -> DemoManifest:
    """Write the feeds, the JSONL export, gold labels and manifest.json into `out_dir`."""
    out_dir = Path(out_dir)
    posts = generate_corpus(end, days, seed)
    build = datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=UTC)
    by_channel: dict[str, list[DemoPost]] = {c: [] for c in CHANNELS}
    for p in posts:
        by_channel[p.channel].append(p)

    feeds: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    for channel, meta in CHANNELS.items():
        path = out_dir / meta["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        items = by_channel[channel]
        if meta["format"] == "jsonl":
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                for p in items:
                    handle.write(json.dumps(_jsonl_row(p), ensure_ascii=False) + "\n")
            files.append({
                "name": channel, "kind": "file", "path": meta["path"], "format": "jsonl",
                "columns": list(JSONL_COLUMNS), "mapping": dict(JSONL_MAPPING),
                "engagement": dict(JSONL_ENGAGEMENT), "rows": len(items),
            })
            continue
        write_feed = _rss if meta["format"] == "rss" else _atom
        text = write_feed(channel, items, build)
        path.write_text(text, encoding="utf-8", newline="\n")
        feeds.append({
            "name": channel, "kind": "feed", "path": meta["path"], "format": meta["format"],
            "lang": meta["lang"], "community_from": "category", "entries": len(items),
        })

    gold_rel = "gold/labels.jsonl"
    (out_dir / "gold").mkdir(parents=True, exist_ok=True)
    with (out_dir / gold_rel).open("w", encoding="utf-8", newline="\n") as handle:
        for p in posts:
            row = {"source": p.channel, "external_id": p.external_id, "lang": p.lang,
                   **_jsonable(asdict(p.gold))}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    spike_day = spike_day_for(end)
    emerging_start = emerging_start_for(end)
    manifest = DemoManifest(
        start=end - timedelta(days=days - 1), end=end, seed=seed, total_posts=len(posts),
        feeds=feeds, files=files,
        brands=[{"name": name, "aliases": list(b["aliases"]), "query": b["query"],
                 "products": list(b["products"]), "competitors": COMPETITORS.get(name, []),
                 "official_accounts": list(b.get("official_accounts", [])),
                 "tracked": name in COMPETITORS} for name, b in BRANDS.items()],
        competitors={k: list(v) for k, v in COMPETITORS.items()},
        spike_day=spike_day, spike_brand=KAFFEEKRAFT,
        spike={"day": spike_day, "brand": KAFFEEKRAFT, "topic": "frother_update",
               "label": "App-Update 4.8 legt den Milchaufschäumer lahm"
                        " / app update 4.8 breaks the milk frother",
               "keyphrases": {"de": ["Milchaufschäumer", "Update 4.8"],
                              "en": ["frother", "update 4.8"]},
               "extra_negative_posts": list(SPIKE_EXTRA)},
        emerging_problem={"brand": KAFFEEKRAFT, "topic": "descaling_warning",
                          "label": "Entkalkungswarnung nach Firmware 3.2"
                                   " / descaling warning after firmware 3.2",
                          "keyphrases": EMERGING_KEYPHRASES, "start": emerging_start,
                          "daily_posts": list(EMERGING_DAILY)},
        gold_path=gold_rel, counts=corpus_counts(posts),
        threads={"channels": list(THREAD_CHANNELS), "parent_column": "parent",
                 "chiefs": dict(CHIEFS),
                 "official_accounts": {name: list(b.get("official_accounts", []))
                                       for name, b in BRANDS.items()}},
    )
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest
