from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.config import parse_config
from pipeline.records import post_key
from pipeline.stages.enrich import build_enricher


def _raw(i: int, body: str, *, title: str | None = None, author: str | None = "anna",
         parent: str | None = None) -> dict[str, Any]:
    return {"post_id": post_key("forum", str(i)), "source": "forum", "external_id": str(i),
            "url": f"http://f.test/{i}", "author": author, "community": "kaffee",
            "title": title, "body": body, "created_at": datetime(2026, 10, 1, 9, tzinfo=UTC),
            "parent_id": parent, "engagement": {"score": 3}}


def _enricher(tmp_path: Path, **brand: Any):  # type: ignore[no-untyped-def]
    config = parse_config({"brands": [{"name": "Kaffeekraft", **brand}, {"name": "Velora"}]},
                          base_dir=tmp_path)
    return build_enricher(config)


def test_clean_text_language_mentions_and_pseudonyms(tmp_path: Path) -> None:
    enricher = _enricher(tmp_path)
    long_de = ("<p>Meine <b>Kaffeekraft</b> Maschine macht seit dem Update komische "
               "Geräusche beim Mahlen, und der Kundendienst meldet sich nicht.</p>")
    posts, mentions = enricher.enrich([
        _raw(1, long_de, title="Ärger mit Kaffeekraft"),
        _raw(2, "My Velora e-bike battery died after only twenty kilometres today, "
                "what a disappointment for such an expensive bike.", author="[deleted]",
             parent="1"),
        _raw(3, "Nothing about any brand here, just coffee talk with friends."),
    ])
    first, second, third = posts
    assert first.text.startswith("Ärger mit Kaffeekraft\n\nMeine Kaffeekraft Maschine")
    assert "<p>" not in first.text and first.lang == "de" and second.lang == "en"
    assert first.author_id and first.author_id.startswith("a_") and "anna" not in first.author_id
    assert third.author_id == first.author_id  # same author, same source: same pseudonym
    assert second.author_id is None  # [deleted]
    assert second.parent_post_id == post_key("forum", "1")
    assert {(m.post_id, m.brand) for m in mentions} == {(first.post_id, "Kaffeekraft"),
                                                        (second.post_id, "Velora")}


def test_duplicates_point_to_the_first_post(tmp_path: Path) -> None:
    enricher = _enricher(tmp_path)
    text = "Kaffeekraft Barista Pro: the milk frother stopped working after the update!!"
    posts, _ = enricher.enrich([_raw(1, text), _raw(2, text.upper() + " https://t.co/x")])
    assert posts[0].duplicate_of is None
    assert posts[1].duplicate_of == posts[0].post_id
    # across batches too, and from posts seeded out of the warehouse
    later, _ = enricher.enrich([_raw(3, text)])
    assert later[0].duplicate_of == posts[0].post_id
    fresh = _enricher(tmp_path)
    fresh.remember(posts[0].post_id, posts[0].content_hash, posts[0].simhash)
    again, _ = fresh.enrich([_raw(4, text)])
    assert again[0].duplicate_of == posts[0].post_id


def test_brand_languages_restrict_matching(tmp_path: Path) -> None:
    enricher = _enricher(tmp_path, languages=["de"])
    _, mentions = enricher.enrich([
        _raw(1, "Die Kaffeekraft Maschine ist wirklich super und macht tollen Espresso."),
        _raw(2, "The Kaffeekraft machine is really great and makes lovely espresso."),
    ])
    assert [m.post_id for m in mentions] == [post_key("forum", "1")]
