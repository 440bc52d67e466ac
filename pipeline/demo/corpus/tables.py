"""The demo's texts and brand facts, read from the YAML files in `texts/` (edit them there).

`texts/brands.yaml` holds the brands, `texts/community.yaml` where posts appear and who writes;
`texts/<domain>/<lang>.yaml` what posts say about a product line (coffee, bike);
`texts/forum/<lang>.yaml` the rest: openers and closers, titles, posts without a brand,
replies. The generator draws from every list by position, so their order is part of the
corpus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TEXTS_DIR = Path(__file__).with_name("texts")
LANGS = ("de", "en")
DOMAINS = ("coffee", "bike")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(name: str) -> dict[str, Any]:
    with (TEXTS_DIR / name).open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=_Loader)
    if not isinstance(data, dict):
        raise ValueError(f"{TEXTS_DIR / name}: expected a mapping at the top")
    return data


@dataclass(frozen=True, slots=True)
class DomainTexts:
    """`texts/<domain>/<lang>.yaml`: what posts say about one product line in one language."""

    topics: dict[str, dict[str, list[str]]]  # topic -> kind (neg, neu, pos, q, sug) -> sentences
    news: list[str]
    id_kind: str  # what official accounts ask for: serial number, frame number
    chief_tips: dict[str, list[str]]  # topic ("*": any other) -> tips
    comparison: dict[str, list[str]] = field(default_factory=dict)  # neg, neu, pos
    spike: dict[str, list[str]] = field(default_factory=dict)  # neg, q
    emerging: dict[str, list[str]] = field(default_factory=dict)  # keyphrases, neg, q


@dataclass(frozen=True, slots=True)
class ForumTexts:
    """`texts/forum/<lang>.yaml`: the texts of one language that belong to no product line."""

    frames: dict[str, list[str]]
    title_frames: dict[str, list[str]]  # intent -> title frames
    topic_titles: dict[str, str]
    noise: list[tuple[str, str, str]]  # (text, gold sentiment, topic) of posts without a brand
    cities: list[str]
    official: dict[str, list[str]]
    chief_frame: dict[str, list[str]]
    replies: dict[str, list[tuple[str, str]]]  # kind -> (text, gold sentiment)
    tails: dict[str, list[str]]  # sentiment -> second sentences


def _forum(raw: dict[str, Any]) -> ForumTexts:
    noise = [(row["text"], row["sentiment"], row["topic"]) for row in raw.pop("noise")]
    replies = {kind: [(text, sentiment) for row in rows for sentiment, text in row.items()]
               for kind, rows in raw.pop("replies").items()}
    return ForumTexts(noise=noise, replies=replies, **raw)


_brands = _load("brands.yaml")
_community = _load("community.yaml")

BRANDS: dict[str, dict[str, Any]] = _brands["brands"]
COMPETITORS: dict[str, list[str]] = _brands["competitors"]
SURFACES: dict[str, dict[str, int]] = _brands["surfaces"]  # brand -> spelling -> weight
AGENTS: list[str] = _brands["agents"]
CHANNELS: dict[str, dict[str, str]] = _community["channels"]
ID_PREFIX: dict[str, str] = _community["id_prefixes"]
CHIEFS: dict[str, str] = _community["chiefs"]
HANDLES: dict[str, list[str]] = _community["handles"]  # first, second: parts of author handles
EMOJI: dict[str, list[str]] = _community["emoji"]

DOMAIN_TEXTS: dict[str, dict[str, DomainTexts]] = {
    domain: {lang: DomainTexts(**_load(f"{domain}/{lang}.yaml")) for lang in LANGS}
    for domain in DOMAINS
}
FORUM: dict[str, ForumTexts] = {lang: _forum(_load(f"forum/{lang}.yaml")) for lang in LANGS}
