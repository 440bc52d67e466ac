"""Raw posts to clean posts and brand mentions: html→text, language, dedup, pseudonyms, queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import Config
from pipeline.records import Mention, Post, as_utc, post_key
from pipeline.text.clean import html_to_text
from pipeline.text.dedup import Deduplicator
from pipeline.text.language import detect_languages
from pipeline.text.pseudonym import Pseudonymiser
from pipeline.text.query import BrandMatcher, brand_query


def build_enricher(config: Config) -> Enricher:
    return Enricher(
        matcher=BrandMatcher({b.name: brand_query(b.name, b.aliases, b.query)
                              for b in config.brands}),
        pseudonymiser=Pseudonymiser.from_env(config.privacy.pseudonym_key_env),
        languages={b.name: frozenset(b.languages) for b in config.brands if b.languages},
    )


@dataclass(slots=True)
class Enricher:
    """Stateful across batches of one run: remembers hashes to find duplicates."""

    matcher: BrandMatcher
    pseudonymiser: Pseudonymiser
    dedup: Deduplicator = field(default_factory=Deduplicator)
    # brand -> the languages it is matched in (brands not listed: every language)
    languages: dict[str, frozenset[str]] = field(default_factory=dict)

    def remember(self, post_id: str, hash_: str, simhash: int) -> None:
        """Seed with a stored post so new posts can be its duplicates."""
        self.dedup.seed(post_id, hash_, simhash)

    def enrich(self, raws: Sequence[Mapping[str, Any]]) -> tuple[list[Post], list[Mention]]:
        """Enrich rows of the `raw_post` table (as mappings)."""
        texts = [post_text(r["title"], html_to_text(r["body"] or "")) for r in raws]
        langs = detect_languages(texts)
        posts: list[Post] = []
        mentions: list[Mention] = []
        dups = self.dedup.check_many([r["post_id"] for r in raws], texts)
        for raw, text, lang, dup in zip(raws, texts, langs, dups, strict=True):
            duplicate_of = str(dup.duplicate_of) if dup.duplicate_of is not None else None
            created = as_utc(raw["created_at"])
            parent = raw.get("parent_id")
            post = Post(
                post_id=raw["post_id"], source=raw["source"], external_id=raw["external_id"],
                text=text, created_at=created, lang=lang, content_hash=dup.content_hash,
                simhash=dup.simhash,
                url=raw.get("url"),
                author_id=self.pseudonymiser.pseudonymise(raw["source"], raw.get("author")),
                community=raw.get("community"), title=raw.get("title"),
                engagement=dict(raw.get("engagement") or {}),
                parent_post_id=post_key(raw["source"], parent) if parent else None,
                duplicate_of=duplicate_of if duplicate_of != raw["post_id"] else None,
            )
            posts.append(post)
            for brand, matched in self.matcher.match(text).items():
                allowed = self.languages.get(brand)
                if allowed and lang not in allowed:
                    continue
                mentions.append(Mention(post.post_id, brand, tuple(matched)))
        return posts, mentions


def post_text(title: str | None, body: str) -> str:
    """The text analysed for a post: its title, then its body (once if the body repeats it)."""
    if title and title.strip() and not body.startswith(title.strip()):
        return f"{title.strip()}\n\n{body}".strip()
    return body.strip()

