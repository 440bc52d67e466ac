"""Reply threads of the demo corpus: official answers, chiefs' tips, members' replies.

Replies exist only in `THREAD_CHANNELS` (the JSONL export carries a `parent` column; the
feeds have no thread structure). They are generated after the top-level posts, from their
own random stream, so the top-level posts do not change.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from pipeline.demo.corpus.posts import (
    BRUEHWERK,
    KAFFEEKRAFT,
    SPIKE_OFFSET,
    VELORA,
    DemoPost,
    Gold,
    SafeDict,
    make_authors,
    pick,
    to_html,
    weighted,
)
from pipeline.demo.corpus.tables import (
    AGENTS,
    BRANDS,
    CHANNELS,
    CHIEFS,
    DOMAIN_TEXTS,
    FORUM,
    ID_PREFIX,
)
from pipeline.text.dedup import Deduplicator

THREAD_CHANNELS = ("support_export",)
# share of a brand's questions and complaints that its official accounts answer
_ANSWER_RATE = {KAFFEEKRAFT: 0.55, BRUEHWERK: 0.55, VELORA: 0.5}
_CHIEF_RATE = {"question": 0.6, "complaint": 0.35, "suggestion": 0.1, "praise": 0.06, "other": 0.06}
_USER_REPLIES = {  # parent intent -> weights of 0, 1, 2 ordinary replies
    "question": (0.68, 0.27, 0.05), "complaint": (0.68, 0.27, 0.05),
    "suggestion": (0.9, 0.1, 0.0), "praise": (0.9, 0.1, 0.0), "other": (0.9, 0.1, 0.0),
}

# what an ordinary member says to a post of this intent
_REPLY_KINDS = {
    "question": (("same_question", 2), ("hint", 3)),
    "complaint": (("metoo", 3), ("sympathy", 2), ("hint", 1)),
    "praise": (("agree", 1),),
    "suggestion": (("plus_one", 1),),
    "other": (("remark", 1),),
}


@dataclass
class _ReplyDraft:
    parent: str | int  # external id of a top-level post or index of another reply draft
    channel: str
    community: str
    author: str
    created_at: datetime
    body: str
    lang: str
    sentiment: str
    topic: str
    brands: tuple[str, ...]
    score: int
    official: bool = False


class ReplyThreads:
    """Adds reply threads and official answers to the posts of `THREAD_CHANNELS`."""

    def __init__(self, end: date, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 2)
        self.authors, self.author_weights = make_authors(random.Random(seed * 7919 + 1))
        self.last = datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=UTC)
        self.spike_day = end - timedelta(days=SPIKE_OFFSET)
        self.drafts: list[_ReplyDraft] = []
        self.answered: dict[str, set[str]] = {}  # external id -> brands that answered
        self.dedup = Deduplicator()

    def add(self, posts: list[DemoPost]) -> list[DemoPost]:
        for post in posts:
            self.dedup.check(post.external_id, f"{post.title}\n\n{post.body}".strip())
        for post in posts:
            if post.channel in THREAD_CHANNELS:
                self._thread(post)
        return self._finish(posts)

    def _fresh(self, make: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        """A reply text that is no (near) duplicate of any earlier post, if a few draws find one:
        short replies would otherwise collapse into duplicates, which the pipeline drops."""
        for attempt in range(25):
            text, sentiment = make()
            if self.dedup.check(("reply", len(self.drafts), attempt), text).duplicate_of is None:
                break
        return text, sentiment

    # -- helpers
    def _fill(self, text: str, lang: str, **extra: str) -> str:
        rng = self.rng
        slots = SafeDict(n=str(rng.randint(2, 9)), city=rng.choice(FORUM[lang].cities), **extra)
        return text.format_map(slots)

    def _after(self, when: datetime, median_minutes: float, sigma: float = 1.0) -> datetime | None:
        minutes = min(max(self.rng.lognormvariate(math.log(median_minutes), sigma), 2.0), 2880.0)
        later = when + timedelta(minutes=minutes, seconds=self.rng.randrange(60))
        return later if later <= self.last else None

    def _member(self, *exclude: str) -> str:
        while True:
            author = self.rng.choices(self.authors, weights=self.author_weights, k=1)[0]
            if author not in exclude:
                return author

    def _reply(self, parent: str | int, anchor: DemoPost, author: str, when: datetime,
               body: str, sentiment: str, score: int, brands: tuple[str, ...] = (),
               official: bool = False) -> int:
        self.drafts.append(_ReplyDraft(
            parent=parent, channel=anchor.channel, community=anchor.community, author=author,
            created_at=when, body=body, lang=anchor.lang, sentiment=sentiment,
            topic=anchor.gold.topic, brands=brands, score=score, official=official))
        return len(self.drafts) - 1

    def _said(self, kind: str, lang: str) -> tuple[str, str]:
        def make() -> tuple[str, str]:
            rng = self.rng
            replies = FORUM[lang].replies[kind]
            text, sentiment = replies[rng.randrange(len(replies))]
            if rng.random() < 0.6:
                text = f"{text} {pick(rng, FORUM[lang].tails[sentiment])}"
            return self._fill(text, lang), sentiment
        return self._fresh(make)

    # -- one thread
    def _thread(self, post: DemoPost) -> None:
        rng = self.rng
        intent = post.gold.intent
        if intent in ("question", "complaint"):
            for brand in post.gold.brands:
                self._official(post, brand)
        chief = CHIEFS.get(post.community)
        if chief and chief != post.author and rng.random() < _CHIEF_RATE[intent]:
            self._chief(post, chief)
        count = rng.choices((0, 1, 2), weights=_USER_REPLIES[intent], k=1)[0]
        for _ in range(count):
            when = self._after(post.created_at, 150)
            if when is None:
                continue
            author = self._member(post.author, *CHIEFS.values())
            text, sentiment = self._said(weighted(rng, _REPLY_KINDS[intent]), post.lang)
            idx = self._reply(post.external_id, post, author, when, text, sentiment,
                              int(rng.lognormvariate(0.3, 0.8)))
            if rng.random() < 0.15 and (later := self._after(when, 60)) is not None:
                text, sentiment = self._said("ack", post.lang)
                self._reply(idx, post, post.author, later, text, sentiment,
                            int(rng.lognormvariate(0.0, 0.7)))

    def _chief(self, post: DemoPost, chief: str) -> None:
        rng, lang, intent = self.rng, post.lang, post.gold.intent
        when = self._after(post.created_at, 50, 0.9)
        if when is None:
            return

        def tip() -> tuple[str, str]:
            tips = DOMAIN_TEXTS[_domain(post)][lang].chief_tips
            frame = FORUM[lang].chief_frame
            parts = [pick(rng, frame["open"]), pick(rng, tips.get(post.gold.topic, tips["*"])),
                     pick(rng, frame["close"])]
            return self._fill(" ".join(p for p in parts if p), lang), "neutral"

        if intent in ("question", "complaint"):
            body, sentiment = self._fresh(tip)
        else:
            kind = {"praise": "agree", "suggestion": "plus_one"}.get(intent, "remark")
            body, sentiment = self._said(kind, lang)
        idx = self._reply(post.external_id, post, chief, when, body, sentiment,
                          int(rng.lognormvariate(1.6, 0.6)))
        if intent in ("question", "complaint") and rng.random() < 0.7:
            later = self._after(when, 90)
            if later is not None:
                text, sentiment = self._said("thanks" if rng.random() < 0.8 else "no_luck", lang)
                self._reply(idx, post, post.author, later, text, sentiment,
                            int(rng.lognormvariate(0.2, 0.7)))
        if rng.random() < 0.3:
            later = self._after(when, 240)
            if later is not None:
                text, sentiment = self._said("also_helped" if intent in ("question", "complaint")
                                             else "remark", lang)
                self._reply(idx, post, self._member(post.author, chief), later, text, sentiment,
                            int(rng.lognormvariate(0.3, 0.7)))

    def _official(self, post: DemoPost, brand: str) -> None:
        rng = self.rng
        accounts: list[str] = BRANDS[brand].get("official_accounts", [])
        if not accounts:
            return
        rate = _ANSWER_RATE.get(brand, 0.5) * (0.5 if post.gold.signal == "spike" else 1.0)
        if rng.random() >= rate:
            return
        hours = min(max(rng.lognormvariate(math.log(3.0), 0.7), 0.3), 30.0)
        when = self._office_hours(post.created_at + timedelta(hours=hours), brand)
        if when > self.last:
            return
        first = len(accounts) == 1 or rng.random() < 0.8
        account = accounts[0] if first else rng.choice(accounts[1:])
        body, sentiment = self._fresh(lambda: self._official_text(post, brand))
        named = (brand,) if brand in body else ()
        idx = self._reply(post.external_id, post, account, when, body, sentiment,
                          int(rng.lognormvariate(0.5, 0.7)), named, official=True)
        self.answered.setdefault(post.external_id, set()).add(brand)
        if rng.random() < 0.35 and (later := self._after(when, 120)) is not None:
            text, sentiment = self._said("official_ok" if rng.random() < 0.6 else "official_bad",
                                         post.lang)
            self._reply(idx, post, post.author, later, text, sentiment,
                        int(rng.lognormvariate(0.2, 0.7)))

    def _office_hours(self, when: datetime, brand: str) -> datetime:
        """Official accounts write 07:00-22:00; the spike brand's team is silent on spike day."""
        rng = self.rng
        if when.hour < 7:
            when = when.replace(hour=7, minute=rng.randrange(60))
        elif when.hour >= 22:
            when = (when + timedelta(days=1)).replace(hour=7, minute=rng.randrange(60))
        if brand == KAFFEEKRAFT and when.date() == self.spike_day:
            when = (when + timedelta(days=1)).replace(hour=8, minute=rng.randrange(60))
        return when

    def _official_text(self, post: DemoPost, brand: str) -> tuple[str, str]:
        rng, lang = self.rng, post.lang
        table = FORUM[lang].official
        warm = rng.random() < 0.25
        parts = [pick(rng, table["warm" if warm else "greet"])]
        if post.gold.intent == "complaint" and rng.random() < 0.6:
            parts.append(pick(rng, table["sorry"]))
        if post.gold.signal is not None:
            parts.append(pick(rng, table["known"]))
        ask = "complaint" if post.gold.intent == "complaint" else "question"
        parts.append(pick(rng, table[ask]))
        body = " ".join(parts) + "\n\n" + pick(rng, table["sign"])
        body = self._fill(body, lang, b=brand, agent=rng.choice(AGENTS),
                          id=DOMAIN_TEXTS[_domain(post)][lang].id_kind)
        return body, "positive" if warm else "neutral"

    # -- ids, engagement, gold
    def _finish(self, posts: list[DemoPost]) -> list[DemoPost]:
        drafts = self.drafts
        order = sorted(range(len(drafts)), key=lambda i: (drafts[i].created_at, i))
        ids = {i: f"{ID_PREFIX[drafts[i].channel]}-r{seq:05d}" for seq, i in enumerate(order, 1)}
        children = Counter(d.parent for d in drafts)
        replies: list[DemoPost] = []
        for i in order:
            d = drafts[i]
            ext = ids[i]
            parent = ids[d.parent] if isinstance(d.parent, int) else d.parent
            replies.append(DemoPost(
                external_id=ext, channel=d.channel, title="", body=d.body,
                body_html=to_html(d.body, d.lang, None), author=d.author, community=d.community,
                created_at=d.created_at, score=d.score, comments=children[i], lang=d.lang,
                url=f"{CHANNELS[d.channel]['site']}p/{ext}",
                gold=Gold(d.sentiment, "other", d.topic, d.brands, parent=parent,
                          official=d.official),
            ))
        top = [p if p.external_id not in self.answered else replace(p, gold=replace(
            p.gold, answered_by_official=True,
            answered_by=tuple(sorted(self.answered[p.external_id])))) for p in posts]
        return sorted(top + replies, key=lambda p: p.created_at)


def _domain(post: DemoPost) -> str:
    if post.gold.brands:
        return str(BRANDS[post.gold.brands[0]]["domain"])
    bike = post.community == "hub/ebike-talk" or post.gold.topic == "cycling"
    return "bike" if bike else "coffee"
