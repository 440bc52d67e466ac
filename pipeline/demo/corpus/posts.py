"""The demo's top-level posts: brand posts, noise, the injected spike and emerging problem,
cross-posts. The texts come from `texts/` (see `tables.py`); this module decides who writes
what, when, where, and with which gold labels."""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pipeline.demo.corpus.tables import (
    BRANDS,
    CHANNELS,
    COMPETITORS,
    DOMAIN_TEXTS,
    EMOJI,
    FORUM,
    HANDLES,
    ID_PREFIX,
    LANGS,
    SURFACES,
)

DEFAULT_END = date(2026, 10, 31)

SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("complaint", "question", "suggestion", "praise", "other")

KAFFEEKRAFT, BRUEHWERK, VELORA = "Kaffeekraft", "Brühwerk", "Velora"

# the spike (app update 4.8 breaks the milk frother) and the emerging problem (descaling
# warning after firmware 3.2): Kaffeekraft only
_SPIKE = {lang: DOMAIN_TEXTS["coffee"][lang].spike for lang in LANGS}
_EMERGING = {lang: DOMAIN_TEXTS["coffee"][lang].emerging for lang in LANGS}
EMERGING_KEYPHRASES: dict[str, list[str]] = {lang: _EMERGING[lang]["keyphrases"] for lang in LANGS}


@dataclass(frozen=True, slots=True)
class Gold:
    """Hidden labels of a demo post (never written into the feeds or the export, except
    `parent`: the export's `parent` column)."""

    sentiment: str
    intent: str
    topic: str
    brands: tuple[str, ...]
    signal: str | None = None  # "spike" | "emerging" | None
    duplicate_of: str | None = None  # external id of the original for cross-posts
    parent: str | None = None  # external id of the post this one replies to
    official: bool = False  # written by an official account of a brand
    answered_by_official: bool = False  # a question/complaint an official account answered
    answered_by: tuple[str, ...] = ()  # the brands whose official accounts answered it


@dataclass(frozen=True, slots=True)
class DemoPost:
    """One synthetic post. `body` is plain text; `body_html` is what feeds carry."""

    external_id: str
    channel: str
    title: str
    body: str
    body_html: str
    author: str
    community: str
    created_at: datetime
    score: int
    comments: int
    lang: str
    url: str
    gold: Gold

    @property
    def engagement(self) -> dict[str, float]:
        return {"score": float(self.score), "comments": float(self.comments)}


@dataclass
class _Draft:
    channel: str
    title: str
    body: str
    author: str
    community: str
    created_at: datetime
    score: int
    comments: int
    lang: str
    gold: Gold
    link: bool = False
    dup_of: int | None = None


# ----------------------------------------------------------------------------- authors

def make_authors(rng: random.Random, count: int = 150) -> tuple[list[str], list[float]]:
    handles: list[str] = []
    seen: set[str] = set()
    while len(handles) < count:
        a, b = rng.choice(HANDLES["first"]), rng.choice(HANDLES["second"])
        style = rng.random()
        if style < 0.35:
            handle = f"{a}_{b}"
        elif style < 0.6:
            handle = f"{b}{a.capitalize()}"
        elif style < 0.85:
            handle = f"{a}{b}{rng.randint(1, 99)}"
        else:
            handle = f"{b}.{a}{rng.randint(70, 99)}"
        if handle not in seen:
            seen.add(handle)
            handles.append(handle)
    # 8 opinion leaders write a lot; the long tail writes a little
    weights = [14.0] * 8 + [rng.choice((0.6, 1.0, 1.5, 2.5)) for _ in range(count - 8)]
    return handles, weights


# ----------------------------------------------------------------------------- generation

def _community(channel: str, domain: str, topic: str, lang: str) -> str:
    """The sub-forum, subreddit or blog of a channel where a post on `topic` appears."""
    if channel == "kaffeeliebe_forum":
        sub = {"grinder_noise": "muehlen", "app_pairing": "apps-und-smart-home",
               "frother_update": "apps-und-smart-home", "price": "kaufberatung",
               "comparison": "kaufberatung", "descaling_warning": "wartung-und-pflege"}
        if domain != "coffee":
            return "forum.kaffeeliebe.de/plauderecke"
        return "forum.kaffeeliebe.de/" + sub.get(topic, "maschinen")
    if channel == "cremalab_blog":
        if topic in ("company_news", "comparison"):
            return "blog.cremalab.net/reviews"
        if domain != "coffee":
            return "threadly.net/r/offtopic_brews"
        if topic == "grinder_noise":
            return "threadly.net/r/grinders"
        return "threadly.net/r/homebarista"
    if channel == "velora_riders":
        if lang == "de":
            return "forum.velora-riders.com/de/technik"
        if topic == "company_news":
            return "blog.velora-riders.com"
        if topic in ("ride_quality", "delivery_delay"):
            return "threadly.net/r/ebike_commuters"
        return "forum.velora-riders.com/tech"
    return {"coffee": f"hub/kaffee-talk-{lang}", "bike": "hub/ebike-talk"}.get(domain, "hub/lounge")


_HOUR_WEIGHTS = (1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.2, 3.0, 3.2, 3.3, 3.4, 3.8, 3.6, 3.2,
                 3.1, 3.2, 3.6, 4.2, 4.6, 4.8, 4.2, 3.0, 1.8)
_WEEKDAY_FACTOR = (1.05, 1.1, 1.1, 1.05, 0.95, 0.8, 0.55)  # Mon .. Sun
_BASE_PER_DAY = 27.0
_BRAND_SHARE = ((KAFFEEKRAFT, 0.38), (BRUEHWERK, 0.22), (VELORA, 0.30), (None, 0.10))
_LANG_DE = {KAFFEEKRAFT: 0.68, BRUEHWERK: 0.68, VELORA: 0.30, None: 0.55}
_SENTIMENT_MIX = {
    KAFFEEKRAFT: (0.30, 0.40, 0.30),
    BRUEHWERK: (0.22, 0.40, 0.38),
    VELORA: (0.33, 0.32, 0.35),
}
_TOPIC_WEIGHTS = {
    "coffee": (("grinder_noise", 3), ("milk_foam", 3), ("app_pairing", 3),
               ("customer_service", 3), ("price", 2), ("taste", 2)),
    "bike": (("battery_range", 4), ("motor_noise", 2), ("delivery_delay", 3),
             ("dealer_service", 3), ("price", 1), ("ride_quality", 3)),
}
SPIKE_EXTRA = (30, 6)  # extra negative posts on spike day and the next day
EMERGING_DAILY = (1, 2, 2, 3, 3, 4, 5, 5, 6, 7, 7, 8, 9, 10)  # last 14 days
SPIKE_OFFSET = 15  # spike day = end - 15 days (day 45 of 60)


class SafeDict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def pick(rng: random.Random, options: tuple[str, ...] | list[str]) -> str:
    return options[rng.randrange(len(options))]


def weighted(rng: random.Random, pairs: Any) -> Any:
    items = list(pairs)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items], k=1)[0]


def _typo(rng: random.Random, text: str) -> str:
    """Swap two letters or drop one in a random lowercase word (brands are untouched)."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha() and w.islower()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.6 else w[:j] + w[j + 1:]
    return " ".join(words)


class TopLevelPosts:
    """The posts that start a thread, with their gold labels; `run()` makes them."""

    def __init__(self, end: date, days: int, seed: int) -> None:
        if days < 15:
            raise ValueError(
                "days must be at least 15 (the spike and the emerging problem need room)")
        self.rng = random.Random(seed)
        self.end = end
        self.days = days
        self.start = end - timedelta(days=days - 1)
        self.spike_day = end - timedelta(days=SPIKE_OFFSET)
        self.emerging_start = end - timedelta(days=len(EMERGING_DAILY) - 1)
        self.authors, self.author_weights = make_authors(random.Random(seed * 7919 + 1))
        self.leaders = set(self.authors[:8])
        self.drafts: list[_Draft] = []

    # -- slot filling
    def _slots(self, brand: str | None, lang: str, sentiment: str) -> SafeDict:
        rng = self.rng
        generic = "Maschine" if lang == "de" else "machine"
        products = BRANDS[brand]["products"] if brand else [generic]
        domain = BRANDS[brand]["domain"] if brand else "coffee"
        prices = ((449, 499, 649, 799, 899, 1099) if domain == "coffee"
                  else (2499, 2999, 3490, 3999, 4290))
        price = rng.choice(prices)
        return SafeDict(
            p=rng.choice(products),
            n=str(rng.randint(2, 9)),
            city=rng.choice(FORUM[lang].cities),
            e=rng.choice(EMOJI[sentiment]),
            v=f"4.{rng.randint(3, 7)}.{rng.randint(0, 9)}",
            price=f"{price}" if lang == "de" else f"€{price}",
            km=str(rng.choice((25, 30, 35, 40, 45, 60, 70, 85))),
        )

    def _fill(self, template: str, slots: SafeDict, brand: str | None,
              competitor: str | None = None) -> str:
        text = template.format_map(slots)
        text = text.replace("{b}", self._surface(brand) if brand else "")
        if competitor:
            spellings = [competitor, *BRANDS[competitor]["aliases"][:1]]
            text = text.replace("{c}", pick(self.rng, spellings))
        return re.sub(r"\s+([.,!?])", r"\1", re.sub(r" {2,}", " ", text)).strip()

    def _surface(self, brand: str) -> str:
        return str(weighted(self.rng, SURFACES[brand].items()))

    # -- one post
    def _when(self, day: date, hour_from: int = 0) -> datetime:
        rng = self.rng
        hours = list(range(hour_from, 24))
        hour = rng.choices(hours, weights=[_HOUR_WEIGHTS[h] for h in hours], k=1)[0]
        return datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60),
                        tzinfo=UTC)

    def _author(self) -> str:
        return self.rng.choices(self.authors, weights=self.author_weights, k=1)[0]

    def _engagement(self, author: str, sentiment: str, boost: float = 1.0) -> tuple[int, int]:
        rng = self.rng
        score = rng.lognormvariate(1.0, 0.9) * boost
        if author in self.leaders:
            score *= 3.5
        if sentiment == "negative":
            score *= 1.3
        comments = int(score * rng.uniform(0.1, 0.6)) + rng.randint(0, 3)
        return int(score), comments

    def _channel(self, domain: str, lang: str) -> str:
        if self.rng.random() < 0.2:
            return "support_export"
        if domain == "bike":
            return "velora_riders"
        return "kaffeeliebe_forum" if lang == "de" else "cremalab_blog"

    def _intent(self, sentiment: str) -> str:
        r = self.rng.random()
        if sentiment == "negative":
            return "complaint" if r < 0.72 else "question"
        if sentiment == "positive":
            return "praise" if r < 0.82 else "suggestion"
        return "question" if r < 0.45 else ("suggestion" if r < 0.70 else "other")

    def _title(self, lang: str, intent: str, topic: str, brand: str | None, slots: SafeDict,
               comment: bool) -> str:
        if comment:
            return ""
        frame = pick(self.rng, FORUM[lang].title_frames[intent])
        tt = FORUM[lang].topic_titles.get(topic, topic.replace("_", " "))
        frame = frame.replace("{tt}", tt).replace("{B}", self._surface(brand) if brand else "")
        return self._fill(frame, slots, brand).strip(" :–-")

    def _compose(self, lang: str, intent: str, sentiment: str, core: list[str],
                 slots: SafeDict, brand: str | None) -> str:
        rng, fr = self.rng, FORUM[lang].frames
        parts: list[str] = []
        if intent == "complaint" and rng.random() < 0.55:
            parts.append(pick(rng, fr["neg_open"]))
        elif intent == "praise" and rng.random() < 0.45:
            parts.append(pick(rng, fr["pos_open"]))
        elif intent == "suggestion" and rng.random() < 0.5:
            parts.append(pick(rng, fr["sug_open"]))
        parts.extend(core)
        if intent != "other" and rng.random() < 0.35:
            parts.append(pick(rng, fr["context"]))
        close = {"complaint": "neg_close", "praise": "pos_close", "question": "q_close",
                 "suggestion": "sug_close"}.get(intent)
        if close and rng.random() < 0.5:
            parts.append(pick(rng, fr[close]))
        sentences = [self._fill(p, slots, brand) for p in parts]
        # paragraphs: 1-3 sentences each
        paragraphs: list[str] = []
        while sentences:
            k = rng.randint(1, 3)
            paragraphs.append(" ".join(sentences[:k]))
            sentences = sentences[k:]
        return "\n\n".join(paragraphs)

    def _add(self, *, day: date, brand: str | None, lang: str, sentiment: str, intent: str,
             topic: str, body: str, slots: SafeDict, brands: tuple[str, ...],
             signal: str | None = None, hour_from: int = 0, boost: float = 1.0) -> None:
        rng = self.rng
        unbranded = "bike" if topic == "cycling" else "coffee"
        domain = BRANDS[brand]["domain"] if brand else unbranded
        if signal is None:
            if rng.random() < 0.06:
                body = _typo(rng, body)
            if rng.random() < 0.04:
                body = body.lower()
        channel = self._channel(domain, lang)
        comment = rng.random() < (0.4 if channel == "cremalab_blog" else 0.25)
        title = self._title(lang, intent, topic, brand, slots, comment)
        author = self._author()
        score, comments = self._engagement(author, sentiment, boost)
        self.drafts.append(_Draft(
            channel=channel, title=title, body=body, author=author,
            community=_community(channel, domain, topic, lang),
            created_at=self._when(day, hour_from), score=score, comments=comments, lang=lang,
            gold=Gold(sentiment, intent, topic, brands, signal), link=rng.random() < 0.12,
        ))

    def _brand_post(self, day: date, brand: str) -> None:
        rng = self.rng
        lang = "de" if rng.random() < _LANG_DE[brand] else "en"
        sentiment = rng.choices(SENTIMENTS, weights=_SENTIMENT_MIX[brand], k=1)[0]
        domain = BRANDS[brand]["domain"]
        slots = self._slots(brand, lang, sentiment)
        competitors = COMPETITORS.get(brand) or ([KAFFEEKRAFT] if brand == BRUEHWERK else [])
        if competitors and rng.random() < 0.09:
            competitor = competitors[0]
            key = sentiment[:3]
            comparison = DOMAIN_TEXTS[domain][lang].comparison
            sentence = self._fill(pick(rng, comparison[key]), slots, brand, competitor)
            intent = {"neg": "complaint", "pos": "praise", "neu": "question"}[key]
            body = self._compose(lang, intent, sentiment, [sentence], slots, brand)
            self._add(day=day, brand=brand, lang=lang, sentiment=sentiment, intent=intent,
                      topic="comparison", body=body, slots=slots,
                      brands=tuple(sorted((brand, competitor))))
            return
        intent = self._intent(sentiment)
        if intent == "other":
            core = [pick(rng, DOMAIN_TEXTS[domain][lang].news)]
            topic = "company_news"
        else:
            topic = weighted(rng, _TOPIC_WEIGHTS[domain])
            cell = DOMAIN_TEXTS[domain][lang].topics[topic]
            kind = {"complaint": "neg", "praise": "pos", "suggestion": "sug"}.get(intent, "q")
            core = [pick(rng, cell[kind])]
            if intent == "question" and sentiment == "negative":
                core.insert(0, pick(rng, cell["neg"]))
            elif intent == "question" and rng.random() < 0.3:
                core.insert(0, pick(rng, cell["neu"]))
            elif intent == "complaint" and rng.random() < 0.3:
                second = pick(rng, cell["neg"])
                if second != core[0]:
                    core.append(second)
            elif intent == "praise" and rng.random() < 0.3:
                second = pick(rng, cell["pos"])
                if second != core[0]:
                    core.append(second)
            elif intent == "suggestion" and sentiment == "neutral" and rng.random() < 0.4:
                core.insert(0, pick(rng, cell["neu"]))
        body = self._compose(lang, intent, sentiment, core, slots, brand)
        self._add(day=day, brand=brand, lang=lang, sentiment=sentiment, intent=intent,
                  topic=topic, body=body, slots=slots, brands=(brand,))

    def _noise_post(self, day: date) -> None:
        rng = self.rng
        lang = "de" if rng.random() < _LANG_DE[None] else "en"
        noise = FORUM[lang].noise
        text, sentiment, topic = noise[rng.randrange(len(noise))]
        slots = self._slots(None, lang, sentiment)
        intent = "question" if "?" in text else {"positive": "praise",
                                                 "negative": "complaint"}.get(sentiment, "other")
        body = self._fill(text, slots, None)
        self._add(day=day, brand=None, lang=lang, sentiment=sentiment, intent=intent,
                  topic=topic, body=body, slots=slots, brands=())

    def _signal_post(self, day: date, table: dict[str, dict[str, list[str]]], topic: str,
                     signal: str, de_share: float, hour_from: int, boost: float) -> None:
        rng = self.rng
        lang = "de" if rng.random() < de_share else "en"
        slots = self._slots(KAFFEEKRAFT, lang, "negative")
        intent = "question" if rng.random() < 0.25 else "complaint"
        core = [pick(rng, table[lang]["q" if intent == "question" else "neg"])]
        if intent == "question":
            core.insert(0, pick(rng, table[lang]["neg"]))
        body = self._compose(lang, intent, "negative", core, slots, KAFFEEKRAFT)
        # the keyphrase carries the brand implicitly; make sure the brand is named
        if not re.search(r"kaffee-?kraft|\bKK\b", body, re.IGNORECASE):
            body = f"{body}\n\n({self._surface(KAFFEEKRAFT)} {slots['p']})"
        self._add(day=day, brand=KAFFEEKRAFT, lang=lang, sentiment="negative", intent=intent,
                  topic=topic, body=body, slots=slots, brands=(KAFFEEKRAFT,), signal=signal,
                  hour_from=hour_from, boost=boost)

    def _cross_posts(self) -> None:
        rng = self.rng
        originals = [i for i, d in enumerate(self.drafts) if rng.random() < 0.03]
        last = datetime(self.end.year, self.end.month, self.end.day, 23, 59, 59, tzinfo=UTC)
        for i in originals:
            src = self.drafts[i]
            body = src.body
            if rng.random() < 0.5:  # near duplicate
                edit = {"de": ("\n\nEdit: Tippfehler korrigiert.", " (Crosspost)", "!!"),
                        "en": ("\n\nEdit: fixed typo.", " (cross-post)", "!!")}[src.lang]
                body = body.rstrip(".!") + pick(rng, edit)
            channels = [c for c in CHANNELS if c != src.channel]
            channel = rng.choice(channels)
            domain = BRANDS[src.gold.brands[0]]["domain"] if src.gold.brands else "coffee"
            when = min(src.created_at + timedelta(minutes=rng.randint(3, 240)), last)
            self.drafts.append(replace(
                src, channel=channel, body=body, created_at=when,
                community=_community(channel, domain, src.gold.topic, src.lang),
                score=max(0, src.score // 3), comments=src.comments // 3, dup_of=i,
            ))

    def run(self) -> list[DemoPost]:
        rng = self.rng
        for offset in range(self.days):
            day = self.start + timedelta(days=offset)
            n = round(_BASE_PER_DAY * _WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.85, 1.15))
            for _ in range(n):
                brand = weighted(rng, _BRAND_SHARE)
                if brand is None:
                    self._noise_post(day)
                else:
                    self._brand_post(day, brand)
            if day == self.spike_day:
                for _ in range(SPIKE_EXTRA[0]):
                    self._signal_post(day, _SPIKE, "frother_update", "spike", 0.7, 7, 2.5)
            if day == self.spike_day + timedelta(days=1):
                for _ in range(SPIKE_EXTRA[1]):
                    self._signal_post(day, _SPIKE, "frother_update", "spike", 0.7, 0, 1.5)
            if day >= self.emerging_start:
                k = EMERGING_DAILY[(day - self.emerging_start).days]
                for _ in range(k):
                    self._signal_post(day, _EMERGING, "descaling_warning", "emerging", 0.6, 0, 1.0)
        self._cross_posts()
        return self._finish()

    def _finish(self) -> list[DemoPost]:
        order = sorted(range(len(self.drafts)), key=lambda i: (self.drafts[i].created_at, i))
        ids: dict[int, str] = {}
        for seq, i in enumerate(order, 1):
            ids[i] = f"{ID_PREFIX[self.drafts[i].channel]}-{seq:05d}"
        posts: list[DemoPost] = []
        for i in order:
            d = self.drafts[i]
            ext = ids[i]
            url = f"{CHANNELS[d.channel]['site']}p/{ext}"
            html_body = to_html(d.body, d.lang, url if d.link else None)
            body = d.body
            if d.link:
                body += "\n\n" + ("Mehr dazu im Thread hier." if d.lang == "de"
                                  else "More in the thread here.")
            gold = d.gold if d.dup_of is None else replace(d.gold, duplicate_of=ids[d.dup_of])
            posts.append(DemoPost(
                external_id=ext, channel=d.channel, title=d.title, body=body,
                body_html=html_body, author=d.author, community=d.community,
                created_at=d.created_at, score=d.score, comments=d.comments, lang=d.lang,
                url=url, gold=gold,
            ))
        return posts


def to_html(text: str, lang: str, link: str | None) -> str:
    """Render plain text as feed HTML: <p> per paragraph, <br> between lines, a link."""
    paragraphs = [html.escape(p, quote=False).replace("\n", "<br>") for p in text.split("\n\n")]
    if link:
        word, lead = (("hier", "Mehr dazu im Thread") if lang == "de"
                      else ("here", "More in the thread"))
        paragraphs.append(f'{lead} <a href="{html.escape(link)}">{word}</a>.')
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def spike_day_for(end: date = DEFAULT_END) -> date:
    """The day of the injected negative spike for the corpus ending at `end`."""
    return end - timedelta(days=SPIKE_OFFSET)


def emerging_start_for(end: date = DEFAULT_END) -> date:
    """The first day of the emerging customer problem for the corpus ending at `end`."""
    return end - timedelta(days=len(EMERGING_DAILY) - 1)
