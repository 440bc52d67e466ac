"""Render `ReportData` into one self-contained HTML file (no external requests).

The template only lays out a view model built here: numbers are formatted, text is
truncated, urls are checked, and charts are pre-rendered inline SVG. Jinja2 runs with
autoescaping and ``StrictUndefined``, so post text is always escaped and a typo in a
template fails loudly instead of rendering an empty string.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipeline.report import charts
from pipeline.report.charts import day_label, fmt_int
from pipeline.report.data import AlertSummary, DayPoint, ReportData

__all__ = [
    "SECTION_IDS",
    "AlertView",
    "ChiefView",
    "CompetitorView",
    "Headline",
    "IdeaView",
    "KpiCard",
    "MethodView",
    "PostView",
    "ProblemView",
    "QueueView",
    "ReportView",
    "TribeView",
    "build_view",
    "environment",
    "fmt_compact",
    "format_age",
    "render_html",
    "render_report",
    "safe_url",
    "short_author",
    "truncate_text",
]

# the report's sections, in page order: each template section carries one of these ids
SECTION_IDS: tuple[str, ...] = (
    "headline",
    "kpis",
    "trend",
    "reputation",
    "competitors",
    "share-of-voice",
    "alerts",
    "problems",
    "response-queue",
    "most-negative",
    "ideas",
    "tribes",
    "chiefs",
    "method",
)
TEXT_LIMIT = 400
SHORT_TEXT_LIMIT = 280  # examples, ideas, queue and alert posts: many per section
RECENT_DAYS = 7  # ProblemSummary.recent counts the last 7 days of the period
MINUS = "\u2212"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WS = re.compile(r"\s+")


def _severity_band(severity: int) -> tuple[str, str]:
    """Alert severity is 1..10: 1-3 low, 4-6 medium, 7-10 high."""
    if severity <= 3:
        return "low", "sev-low"
    if severity <= 6:
        return "medium", "sev-medium"
    return "high", "sev-high"


@dataclass(frozen=True, slots=True)
class Headline:
    """One line of the period's headline: a bold lead, then the detail."""

    tone: str  # "good" | "bad" | "warn" | "info": colour of the mark
    mark: str  # a shape that carries the tone without colour: ▲ ▼ ! ? ✓ •
    lead: str
    text: str


@dataclass(frozen=True, slots=True)
class KpiCard:
    """One KPI tile: a big value, an optional change against the previous period."""

    key: str
    label: str
    value: str
    change: str | None  # e.g. "+12% vs previous period"
    tone: str  # "good" | "bad" | "flat": colour of the change
    arrow: str  # "▲" | "▼" | "" (shape carries the direction, not only colour)
    note: str  # a short explanation under the value


@dataclass(frozen=True, slots=True)
class CompetitorView:
    """The brand or a competitor, side by side over the same period."""

    brand: str
    is_self: bool
    mentions: str
    share_of_voice: str
    net_sentiment: str
    reputation: str
    reputation_tone: str  # "good" | "bad" | "flat"
    negative_share: str


@dataclass(frozen=True, slots=True)
class PostView:
    """A negative post, ready to show: text truncated, url checked."""

    day: str
    source: str
    community: str | None
    lang: str
    title: str | None
    text: str
    score: str
    score_pct: int
    href: str | None  # only http(s) urls become links
    url_text: str | None  # any other url is shown as plain text


@dataclass(frozen=True, slots=True)
class AlertPostView:
    """A post behind an alert."""

    text: str
    source: str
    community: str | None
    negative: str
    href: str | None
    url_text: str | None


@dataclass(frozen=True, slots=True)
class GrownView:
    """A problem or keyphrase that grew in the alert window against its baseline."""

    name: str
    count: str
    expected: str


@dataclass(frozen=True, slots=True)
class AlertView:
    """An alert of the period, with the explanation stored when it fired."""

    day: str
    severity: int
    severity_label: str
    severity_class: str
    rule: str
    rule_label: str
    message: str
    status: str
    status_label: str
    window: str | None  # "14:00–15:00 UTC" for hourly alerts
    top_posts: list[AlertPostView]
    problems: list[GrownView]
    keyphrases: list[GrownView]
    sources: list[str]  # "forum (12)"
    communities: list[str]
    report_href: str | None  # only http(s) links; anything else is plain text
    report_text: str | None

    @property
    def has_details(self) -> bool:
        return bool(
            self.top_posts or self.problems or self.keyphrases or self.sources
            or self.communities or self.report_href or self.report_text
        )


@dataclass(frozen=True, slots=True)
class ProblemView:
    """A customer problem: how often, how fast it grows, what people write."""

    rank: int
    label: str
    emerging: bool
    new: bool
    recent: str
    before: str
    baseline_days: int
    negative_pct: str
    spark: Markup
    examples: list[str]


@dataclass(frozen=True, slots=True)
class IdeaView:
    """A suggestion from a customer."""

    day: str
    source: str
    community: str | None
    lang: str
    text: str
    reach: str
    href: str | None
    url_text: str | None


@dataclass(frozen=True, slots=True)
class TribeView:
    """A community where the brand is discussed."""

    rank: int
    source: str
    community: str
    unnamed: bool  # posts without a community, grouped together
    mentions: str
    mentions_prev: str
    growth: str
    growth_tone: str  # "up" | "down" | "flat" | "new"
    negative_pct: int
    neutral_pct: int
    positive_pct: int
    net_sentiment: str
    authors: str
    reach: str


@dataclass(frozen=True, slots=True)
class ChiefView:
    """An opinion leader, known only by a shortened pseudonym."""

    rank: int
    author: str
    source: str
    community: str | None
    posts: str
    mentions: str
    influence: str
    influence_pct: int
    centrality: str
    consistency: str
    net_sentiment: str
    negative_pct: int
    neutral_pct: int
    positive_pct: int


@dataclass(frozen=True, slots=True)
class QueueView:
    """A question or complaint that waits for an answer."""

    rank: int
    intent: str  # "question" | "complaint" (css class)
    intent_label: str
    age: str
    old: bool  # waiting for two days or more
    posted: str
    source: str
    community: str | None
    lang: str
    sentiment: str | None
    title: str | None
    text: str
    reach: str
    href: str | None
    url_text: str | None


@dataclass(frozen=True, slots=True)
class SourceView:
    """One source's health."""

    source: str
    kind: str
    status: str
    status_class: str
    last_success: str
    last_items: str
    failures: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class MethodView:
    """The method note: models, coverage, source health and the reputation formula."""

    models: list[tuple[str, str]]  # (role, "name version")
    prior: str  # K
    trend_days: int
    coverage_mentions: str | None  # None: coverage not measured
    coverage_scored: str
    coverage_scored_pct: str
    coverage_human: str
    coverage_langs: str
    sources: list[SourceView]
    sources_failing: int


@dataclass(frozen=True, slots=True)
class ReportView:
    """Everything the template shows, formatted."""

    data: ReportData
    title: str
    period: str
    period_days: int
    generated: str
    headline: list[Headline]
    kpis: list[KpiCard]
    has_volume: bool
    trend_svg: Markup
    trend_summary: str
    has_reputation: bool
    reputation_svg: Markup
    reputation_summary: str
    competitors: list[CompetitorView]
    compare_svg: Markup
    competitor_summary: str
    has_competitors: bool
    sov_svg: Markup
    posts: list[PostView]
    alerts: list[AlertView]
    alerts_open: int
    problems: list[ProblemView]
    ideas: list[IdeaView]
    tribes: list[TribeView]
    chiefs: list[ChiefView]
    queue: list[QueueView]
    queue_questions: int
    queue_complaints: int
    queue_intro: str
    method: MethodView
    model: str


# ---------------------------------------------------------------------------- formatting


def _signed(v: float, decimals: int = 0) -> str:
    """``+12``, ``−7`` (true minus sign) or ``0``."""
    s = f"{abs(v):.{decimals}f}"
    if float(s) == 0:
        return s
    return ("+" if v > 0 else MINUS) + s


def _pct(share: float | None, decimals: int = 0) -> str:
    return "—" if share is None else f"{share * 100:.{decimals}f}%"


def _long_date(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def format_period(start: date, end: date) -> str:
    """``3 – 9 Nov 2026``, ``28 Oct – 3 Nov 2026`` or ``29 Dec 2025 – 4 Jan 2026``."""
    if start == end:
        return _long_date(start)
    if start.year != end.year:
        return f"{_long_date(start)} – {_long_date(end)}"
    if start.month != end.month:
        return f"{day_label(start)} – {_long_date(end)}"
    return f"{start.day} – {_long_date(end)}"


def format_datetime(dt: datetime) -> str:
    """UTC timestamp such as ``2026-11-10 06:00 UTC`` (naive values are taken as UTC)."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%d %H:%M") + " UTC"


def truncate_text(text: str, limit: int = TEXT_LIMIT) -> str:
    """Collapse whitespace, drop control characters, cut at a word boundary with ``…``."""
    cleaned = "".join(
        ch for ch in text if ch in "\t\n\r" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    cleaned = _WS.sub(" ", cleaned).strip()
    if len(cleaned) <= limit:
        return cleaned
    cut = cleaned[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.8:
        cut = cut[:space]
    return cut.rstrip(" .,;:-") + "…"


def safe_url(url: str | None) -> str | None:
    """Return the url if it is a plain http(s) url that may become a link, else None."""
    if not url:
        return None
    candidate = url.strip()
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return candidate


def fmt_compact(x: float) -> str:
    """``950``, ``12.3k``, ``4.1M``: a reach or engagement figure at a glance."""
    if not math.isfinite(x):
        return "—"
    a = abs(x)
    if a < 999.5:
        return fmt_int(round(x))
    if a < 999_950:
        s = f"{x / 1000:.1f}".removesuffix(".0") if a < 9_950 else f"{x / 1000:.0f}"
        return s + "k"
    s = f"{x / 1_000_000:.1f}".removesuffix(".0")
    return s + "M"


def format_age(hours: float) -> str:
    """How long a post has waited: ``< 1 h``, ``5 h``, ``2 d 3 h``, ``12 d``."""
    if not math.isfinite(hours) or hours < 1:
        return "< 1 h"
    if hours < 48:
        return f"{int(hours)} h"
    days, rest = divmod(int(hours), 24)
    return f"{days} d {rest} h" if days < 7 and rest else f"{days} d"


def short_author(author_id: str) -> str:
    """A pseudonymous author id shortened for display: ``a_3f9c…``."""
    author_id = author_id.strip()
    return author_id if len(author_id) <= 7 else author_id[:6] + "…"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{fmt_int(n)} {word if n == 1 else (plural or word + 's')}"


def _net(value: float | None) -> str:
    """Net sentiment (-1..1) as -100..100 points."""
    return "—" if value is None or not math.isfinite(value) else _signed(round(value * 100))


def _score(value: float | None) -> str:
    """A -100..100 score."""
    return "—" if value is None or not math.isfinite(value) else _signed(round(value))


def _tone(value: float | None) -> str:
    if value is None or round(value) == 0:
        return "flat"
    return "good" if value > 0 else "bad"


def _split_pct(neg: int, neu: int, pos: int) -> tuple[int, int, int]:
    """Integer percentages of negative, neutral, positive that add up to 100 (or all 0)."""
    total = neg + neu + pos
    if total <= 0:
        return 0, 0, 0
    n, p = round(neg / total * 100), round(pos / total * 100)
    return n, max(0, 100 - n - p), p


def _point_change(
    now: float | None, prev: float | None, scale: float, higher_is_better: bool | None
) -> tuple[str | None, str, str]:
    """``(+3 pts vs previous period, tone, arrow)`` for figures shown in points."""
    if now is None or prev is None:
        return None, "flat", ""
    delta = round(now * scale) - round(prev * scale)
    arrow = "▲" if delta > 0 else "▼" if delta < 0 else ""
    tone = "flat"
    if delta and higher_is_better is not None:
        tone = "good" if (delta > 0) == higher_is_better else "bad"
    return f"{_signed(delta)} pts vs previous period", tone, arrow


def _count_change(now: float, prev: float, unit: str) -> tuple[str | None, str]:
    """``(+23% vs previous period, arrow)`` for counts."""
    if prev > 0:
        change = (now - prev) / prev * 100
        arrow = "▲" if round(change) > 0 else "▼" if round(change) < 0 else ""
        return f"{_signed(change)}% vs previous period", arrow
    if now > 0:
        return f"new: no {unit} in the previous period", "▲"
    return None, ""


# ---------------------------------------------------------------------------- view model


def _kpis(data: ReportData) -> list[KpiCard]:
    """Six tiles: how the brand is felt (reputation, net sentiment, negative share), then
    how loud it is (mentions, reach, share of voice), each against the previous period."""
    k = data.kpis
    cards: list[KpiCard] = []

    # Reputation (-100..100) and its change in points.
    change, tone, arrow = _point_change(k.reputation, k.reputation_prev, 1, True)
    if k.reputation is None:
        note = "no scored mentions"
    elif k.reputation_prev is None:
        note = "−100 … +100; no score in the previous period"
    else:
        note = f"−100 … +100; previous period: {_score(k.reputation_prev)}"
    cards.append(KpiCard("reputation", "Reputation", _score(k.reputation), change, tone,
                         arrow, note))

    # Net sentiment on a -100..100 scale and its change in points.
    change, tone, arrow = _point_change(k.net_sentiment, k.net_sentiment_prev, 100, True)
    cards.append(
        KpiCard(
            key="net_sentiment",
            label="Net sentiment",
            value=_net(k.net_sentiment),
            change=change,
            tone=tone,
            arrow=arrow,
            note="−100 (all negative) … +100 (all positive)"
            if k.net_sentiment is not None
            else "no positive or negative mentions",
        )
    )

    change, tone, arrow = _point_change(k.negative_share, k.negative_share_prev, 100, False)
    cards.append(
        KpiCard(
            key="negative_share",
            label="Negative share",
            value=_pct(k.negative_share),
            change=change,
            tone=tone,
            arrow=arrow,
            note="of all mentions" if k.negative_share is not None else "no mentions",
        )
    )

    # Mentions and their change: more mentions is neither good nor bad by itself.
    change, arrow = _count_change(k.volume, k.volume_prev, "mentions")
    cards.append(
        KpiCard(
            key="mentions",
            label="Mentions",
            value=fmt_int(k.volume),
            change=change,
            tone="flat",
            arrow=arrow,
            note=f"previous period: {fmt_int(k.volume_prev)}",
        )
    )

    change, arrow = _count_change(k.reach, k.reach_prev, "reach")
    cards.append(
        KpiCard(
            key="reach",
            label="Reach",
            value=fmt_compact(k.reach),
            change=change,
            tone="flat",
            arrow=arrow,
            note=f"views or interactions; previous period: {fmt_compact(k.reach_prev)}",
        )
    )

    if not data.competitors:
        sov_note = "no competitors configured"
    elif k.share_of_voice is None:
        sov_note = "no mentions of the brand or its competitors"
    else:
        sov_note = f"against {_plural(len(data.competitors), 'competitor')}"
    change, tone, arrow = (None, "flat", "")
    if data.competitors:
        change, tone, arrow = _point_change(k.share_of_voice, k.share_of_voice_prev, 100, True)
    cards.append(
        KpiCard(
            key="share_of_voice",
            label="Share of voice",
            value=_pct(k.share_of_voice) if data.competitors else "—",
            change=change,
            tone=tone,
            arrow=arrow,
            note=sov_note,
        )
    )
    return cards


def _fill_days(data: ReportData) -> list[DayPoint]:
    """All days of the period in order; days without a row get zero counts."""
    by_day = {p.day: p for p in data.daily}
    days: list[DayPoint] = []
    d = data.period_start
    while d <= data.period_end:
        point = by_day.pop(d, None)
        days.append(point if point is not None else DayPoint(d, 0, 0, 0, 0, None, None))
        d += timedelta(days=1)
    days.extend(by_day.values())  # rows outside the period, if a caller passed any
    days.sort(key=lambda p: p.day)
    return days


def _trend(data: ReportData) -> tuple[bool, Markup, str]:
    days = _fill_days(data)
    total = sum(p.negative + p.neutral + p.positive for p in days)
    if total == 0:
        return False, Markup(""), ""
    markers = [
        (a.day, f"{a.rule} (severity {a.severity}): {a.message}")
        for a in sorted(data.alerts, key=lambda a: (a.day, -a.severity))
    ]
    svg = charts.stacked_bar_trend(
        [p.day for p in days],
        [p.negative for p in days],
        [p.neutral for p in days],
        [p.positive for p in days],
        line=[p.net_sentiment for p in days],
        markers=markers,
    )
    peak = max(days, key=lambda p: p.volume)
    worst = max(days, key=lambda p: (p.negative, -p.day.toordinal()))
    summary = f"Busiest day: {_long_date(peak.day)} with {fmt_int(peak.volume)} mentions."
    if worst.negative > 0:
        summary += f" Most negative mentions: {_long_date(worst.day)} ({fmt_int(worst.negative)})."
    return True, svg, summary


def _sov(data: ReportData) -> tuple[bool, Markup]:
    if not data.competitors:
        return False, Markup("")
    rows = sorted(data.share_of_voice, key=lambda s: (-s.mentions, s.brand != data.brand))
    svg = charts.horizontal_bars(
        [s.brand for s in rows], [s.mentions for s in rows], highlight=data.brand
    )
    return True, svg


def _posts(data: ReportData) -> list[PostView]:
    views: list[PostView] = []
    for p in sorted(data.most_negative, key=lambda p: -p.negative_score):
        href = safe_url(p.url)
        views.append(
            PostView(
                day=_long_date(p.created_at.date()),
                source=p.source,
                community=p.community or None,
                lang=(p.lang or "?").lower(),
                title=truncate_text(p.title, 200) if p.title else None,
                text=truncate_text(p.text),
                score=f"{p.negative_score:.2f}",
                score_pct=max(0, min(100, round(p.negative_score * 100))),
                href=href,
                url_text=None if href or not p.url else truncate_text(p.url, 200),
            )
        )
    return views


def _reputation(data: ReportData) -> tuple[bool, Markup, str]:
    days = _fill_days(data)
    scored = [p for p in days if p.reputation is not None and math.isfinite(p.reputation)]
    if not scored:
        return False, Markup(""), ""
    k = data.kpis.reputation
    reference = None if k is None else (k, f"Whole period: {_score(k)}")
    markers = [
        (a.day, f"{a.rule} (severity {a.severity}): {a.message}")
        for a in sorted(data.alerts, key=lambda a: (a.day, -a.severity))
    ]
    svg = charts.reputation_line(
        [p.day for p in days],
        [p.reputation for p in days],
        markers=markers,
        reference=reference,
        window_days=data.trend_days,
    )
    low = min(scored, key=lambda p: (p.reputation or 0.0, p.day))
    high = max(scored, key=lambda p: (p.reputation or 0.0, -p.day.toordinal()))
    last = scored[-1]
    parts = [f"Latest: {_score(last.reputation)} on {_long_date(last.day)}"]
    if _score(low.reputation) != _score(high.reputation):  # else the line is flat
        for name, point in (("lowest", low), ("highest", high)):
            if _score(point.reputation) != _score(last.reputation):
                parts.append(f"{name}: {_score(point.reputation)} on {_long_date(point.day)}")
    return True, svg, "; ".join(parts) + "."


def _competitors(data: ReportData) -> tuple[list[CompetitorView], Markup, str]:
    rows = list(data.competitor_kpis)
    if not any(not r.is_self for r in rows):
        return [], Markup(""), ""
    rows.sort(key=lambda r: (not r.is_self,))  # the brand first, then as given
    views = [
        CompetitorView(
            brand=r.brand,
            is_self=r.is_self,
            mentions=fmt_int(r.mentions),
            share_of_voice=_pct(r.share_of_voice),
            net_sentiment=_net(r.net_sentiment),
            reputation=_score(r.reputation),
            reputation_tone=_tone(r.reputation),
            negative_share=_pct(r.negative_share),
        )
        for r in rows
    ]
    svg = Markup("")
    if any(r.reputation is not None for r in rows):
        svg = charts.diverging_bars(
            [r.brand for r in rows], [r.reputation for r in rows], highlight=data.brand
        )
    summary = ""
    me = next((r for r in rows if r.is_self), None)
    ranked = sorted((r for r in rows if r.reputation is not None),
                    key=lambda r: -(r.reputation or 0.0))
    if me is not None and me.reputation is not None:
        place = next(i for i, r in enumerate(ranked, 1) if r is me)
        summary = (f"{me.brand} ranks {_ordinal(place)} of {len(ranked)} brands on "
                   f"reputation")
        by_voice = sorted(rows, key=lambda r: -r.mentions)
        summary += f" and {_ordinal(by_voice.index(me) + 1)} of {len(rows)} on mentions."
    return views, svg, summary


def _dicts(value: object) -> list[dict[str, Any]]:
    """The list of objects under a key of `AlertSummary.details`, ignoring anything else."""
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict)]


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _text(value: object, limit: int = 120) -> str:
    return truncate_text("" if value is None else str(value), limit)


def _grown(items: list[dict[str, Any]], name_key: str, count_key: str) -> list[GrownView]:
    out = []
    for item in items:
        name = _text(item.get(name_key))
        count = _number(item.get(count_key))
        if not name or count is None:
            continue
        expected = _number(item.get("expected"))
        out.append(GrownView(name, fmt_int(round(count)),
                             "—" if expected is None else f"{expected:.1f}"))
    return out


def _places(items: list[dict[str, Any]]) -> list[str]:
    out = []
    for item in items:
        name = _text(item.get("name"), 80)
        count = _number(item.get("negative"))
        if name:
            out.append(name if count is None else f"{name} ({fmt_int(round(count))})")
    return out


def _window(hour: datetime | None) -> str | None:
    if hour is None:
        return None
    if hour.tzinfo is not None:
        hour = hour.astimezone(UTC)
    end = hour + timedelta(hours=1)
    return f"{hour:%H:%M}–{end:%H:%M} UTC"


_STATUS = {"open": "open", "acknowledged": "acknowledged", "resolved": "resolved"}


def _alerts(data: ReportData) -> list[AlertView]:
    views: list[AlertView] = []
    def order(a: AlertSummary) -> tuple[date, float, int]:
        hour = -math.inf
        if a.hour is not None:
            hour = (a.hour if a.hour.tzinfo else a.hour.replace(tzinfo=UTC)).timestamp()
        return a.day, hour, -a.severity

    for a in sorted(data.alerts, key=order):
        label, css = _severity_band(a.severity)
        if a.severity <= 0:
            label, css = "info", "sev-low"
        details = a.details if isinstance(a.details, dict) else {}
        posts = []
        for p in _dicts(details.get("top_posts")):
            url = p.get("url") if isinstance(p.get("url"), str) else None
            href = safe_url(url)
            negative = _number(p.get("negative"))
            posts.append(AlertPostView(
                text=_text(p.get("text"), SHORT_TEXT_LIMIT),
                source=_text(p.get("source"), 60),
                community=_text(p.get("community"), 80) or None,
                negative="—" if negative is None else f"{negative:.2f}",
                href=href,
                url_text=None if href or not url else truncate_text(url, 200),
            ))
        report = details.get("report") if isinstance(details.get("report"), str) else None
        report_href = safe_url(report)
        status = a.status if a.status in _STATUS else "open"
        views.append(
            AlertView(
                day=_long_date(a.day),
                severity=a.severity,
                severity_label=label,
                severity_class=css,
                rule=a.rule,
                rule_label=a.rule.replace("_", " "),
                message=a.message,
                status=status,
                status_label=_STATUS[status],
                window=_window(a.hour),
                top_posts=posts,
                problems=_grown(_dicts(details.get("problems")), "label", "negative"),
                keyphrases=_grown(_dicts(details.get("keyphrases")), "phrase", "posts"),
                sources=_places(_dicts(details.get("sources"))),
                communities=_places(_dicts(details.get("communities"))),
                report_href=report_href,
                report_text=None if report_href or not report else truncate_text(report, 200),
            )
        )
    return views


def _problems(data: ReportData) -> list[ProblemView]:
    views = []
    # one scale for all sparklines, so a quiet problem looks quiet next to a loud one
    top = max((max(p.daily, default=0) for p in data.problems), default=0)
    for i, p in enumerate(data.problems, 1):
        n = len(p.daily)
        baseline_days = max(n - RECENT_DAYS, 0)
        label = truncate_text(p.label, 120)
        spark = charts.sparkline(
            p.daily,
            f"Posts per day about “{label}” over the last {n} days "
            f"(the last {RECENT_DAYS} shaded): {', '.join(str(v) for v in p.daily)}",
            recent=RECENT_DAYS if n > RECENT_DAYS else 0,
            top=top,
        )
        views.append(ProblemView(
            rank=i,
            label=label,
            emerging=p.emerging,
            new=p.emerging and p.before == 0,
            recent=fmt_int(p.recent),
            before=fmt_int(p.before),
            baseline_days=baseline_days,
            negative_pct=_pct(p.share_negative),
            spark=spark,
            examples=[truncate_text(e, SHORT_TEXT_LIMIT) for e in p.examples[:3] if e.strip()],
        ))
    return views


def _ideas(data: ReportData) -> list[IdeaView]:
    views = []
    for idea in data.ideas:
        href = safe_url(idea.url)
        views.append(IdeaView(
            day=_long_date(idea.created_at.date()),
            source=idea.source,
            community=idea.community or None,
            lang=(idea.lang or "?").lower(),
            text=truncate_text(idea.text, SHORT_TEXT_LIMIT),
            reach=fmt_compact(idea.reach),
            href=href,
            url_text=None if href or not idea.url else truncate_text(idea.url, 200),
        ))
    return views


def _tribes(data: ReportData) -> list[TribeView]:
    views = []
    for i, c in enumerate(data.communities, 1):
        if c.growth is not None and math.isfinite(c.growth):
            growth, tone = f"{_signed(c.growth * 100)}%", _tone(c.growth * 100)
            tone = {"good": "up", "bad": "down"}.get(tone, "flat")
        elif c.mentions_prev == 0 and c.mentions > 0:
            growth, tone = "new", "new"
        else:
            growth, tone = "—", "flat"
        neg, neu, pos = _split_pct(c.negative, c.neutral, c.positive)
        views.append(TribeView(
            rank=i,
            source=c.source,
            community=c.community.strip() or "no community",
            unnamed=not c.community.strip(),
            mentions=fmt_int(c.mentions),
            mentions_prev=fmt_int(c.mentions_prev),
            growth=growth,
            growth_tone=tone,
            negative_pct=neg,
            neutral_pct=neu,
            positive_pct=pos,
            net_sentiment=_net(c.net_sentiment),
            authors=fmt_int(c.authors),
            reach=fmt_compact(c.reach),
        ))
    return views


def _chiefs(data: ReportData) -> list[ChiefView]:
    views = []
    for i, a in enumerate(data.chiefs, 1):
        neg, neu, pos = _split_pct(a.negative, a.neutral, a.positive)
        influence = min(100.0, max(0.0, a.influence))
        views.append(ChiefView(
            rank=i,
            author=short_author(a.author_id),
            source=a.source,
            community=a.community or None,
            posts=fmt_int(a.posts),
            mentions=fmt_int(a.mentions),
            influence=f"{influence:.0f}",
            influence_pct=round(influence),
            centrality=f"{a.centrality:.2f}",
            consistency=f"{a.consistency:.2f}",
            net_sentiment=_net(a.net_sentiment),
            negative_pct=neg,
            neutral_pct=neu,
            positive_pct=pos,
        ))
    return views


_INTENTS = {"question": "Question", "complaint": "Complaint"}


def _queue(data: ReportData) -> list[QueueView]:
    views = []
    for i, q in enumerate(data.response_queue, 1):
        href = safe_url(q.url)
        intent = q.intent if q.intent in _INTENTS else "other"
        views.append(QueueView(
            rank=i,
            intent=intent,
            intent_label=_INTENTS.get(q.intent, truncate_text(q.intent, 30).capitalize()),
            age=format_age(q.age_hours),
            old=q.age_hours >= 48,
            posted=format_datetime(q.created_at),
            source=q.source,
            community=q.community or None,
            lang=(q.lang or "?").lower(),
            sentiment=q.sentiment or None,
            title=truncate_text(q.title, 200) if q.title else None,
            text=truncate_text(q.text, SHORT_TEXT_LIMIT),
            reach=fmt_compact(q.reach),
            href=href,
            url_text=None if href or not q.url else truncate_text(q.url, 200),
        ))
    return views


def _queue_intro(queue: list[QueueView]) -> str:
    """``3 questions and 1 complaint``: only the kinds that are there."""
    counts: dict[str, int] = {}
    for q in queue:
        counts[q.intent] = counts.get(q.intent, 0) + 1
    words = {"question": "question", "complaint": "complaint", "other": "other post"}
    parts = [_plural(counts[k], words[k]) for k in words if counts.get(k)]
    return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]


_SOURCE_STATUS = {"ok": "st-ok", "failed": "st-failed", "disabled": "st-disabled"}


def _method(data: ReportData) -> MethodView:
    models = [(role.replace("_", " ").capitalize(), version.strip())
              for role, version in data.models.items() if version.strip()]
    if not models and data.model.strip():
        models = [("Sentiment", data.model.strip())]
    cov = data.coverage
    langs = ""
    if cov is not None and cov.mentions > 0:
        top = sorted(cov.by_lang.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = [f"{(lang or '?').lower()} {n / cov.mentions * 100:.0f}%" for lang, n in top[:6]]
        rest = sum(n for _, n in top[6:])
        if rest:
            shown.append(f"other {rest / cov.mentions * 100:.0f}%")
        langs = " · ".join(shown)
    sources = [
        SourceView(
            source=s.source,
            kind=s.kind,
            status=s.status,
            status_class=_SOURCE_STATUS.get(s.status, "st-failed"),
            last_success=format_datetime(s.last_success_at) if s.last_success_at else "never",
            last_items="—" if s.last_items is None else fmt_int(s.last_items),
            failures=s.consecutive_failures,
            last_error=truncate_text(s.last_error, 160) if s.last_error else None,
        )
        for s in sorted(data.sources, key=lambda s: (s.status == "ok", s.source))
    ]
    prior = f"{data.reputation_prior:g}"
    return MethodView(
        models=models,
        prior=prior,
        trend_days=data.trend_days,
        coverage_mentions=None if cov is None else fmt_int(cov.mentions),
        coverage_scored="" if cov is None else fmt_int(cov.scored),
        coverage_scored_pct="" if cov is None or not cov.mentions
        else _pct(cov.scored / cov.mentions),
        coverage_human="" if cov is None else fmt_int(cov.human_labels),
        coverage_langs=langs,
        sources=sources,
        sources_failing=sum(1 for s in data.sources if s.status != "ok"),
    )


def _headline(data: ReportData, alerts: list[AlertView]) -> list[Headline]:
    """The period in a few lines: what changed, what burns, what waits."""
    k = data.kpis
    lines: list[Headline] = []

    # 1. How the brand is felt, and how that changed.
    if k.reputation is not None:
        lead = f"Reputation {_score(k.reputation)}"
        if k.reputation_prev is not None:
            delta = round(k.reputation) - round(k.reputation_prev)
            verb = "up" if delta > 0 else "down" if delta < 0 else "unchanged"
            text = (f"{verb} {abs(delta)} pts from {_score(k.reputation_prev)} in the previous "
                    "period" if delta else "unchanged from the previous period")
            tone = _tone(delta)
            mark = "▲" if delta > 0 else "▼" if delta < 0 else "•"
        else:
            text, tone, mark = "no score for the previous period to compare with", "info", "•"
        if k.net_sentiment is not None:
            text += f"; net sentiment {_net(k.net_sentiment)}"
        lines.append(Headline({"good": "good", "bad": "bad"}.get(tone, "info"), mark, lead,
                              text + "."))
    elif k.net_sentiment is not None:
        change, tone, arrow = _point_change(k.net_sentiment, k.net_sentiment_prev, 100, True)
        lines.append(Headline({"good": "good", "bad": "bad"}.get(tone, "info"), arrow or "•",
                              f"Net sentiment {_net(k.net_sentiment)}",
                              (change or "no previous period to compare with") + "."))
    else:
        lines.append(Headline("info", "•", "No sentiment yet",
                              f"no scored mentions of {data.brand} in this period."))

    # 2. How loud, against the previous period and the competitors.
    change, _ = _count_change(k.volume, k.volume_prev, "mentions")
    text = change or "none in the previous period either"
    if data.competitors and k.share_of_voice is not None:
        text += f"; share of voice {_pct(k.share_of_voice)}"
    lines.append(Headline("info", "•", _plural(k.volume, "mention"), text + "."))

    # 3. Alerts.
    if alerts:
        open_n = sum(1 for a in alerts if a.status == "open")
        worst = max(alerts, key=lambda a: a.severity)
        text = (f"{open_n} still open; " if open_n else "all handled; ") + (
            f"the strongest: {worst.rule_label} on {worst.day}: {truncate_text(worst.message, 90)}"
        )
        lines.append(Headline("bad" if open_n else "warn", "!", _plural(len(alerts), "alert"),
                              text + "."))
    else:
        lines.append(Headline("good", "✓", "No alerts", "sentiment stayed in its usual range."))

    # 4. The biggest rising problem.
    rising = [p for p in data.problems if p.emerging]
    if rising:
        p = rising[0]
        lines.append(Headline(
            "bad", "▲", f"Rising problem: “{truncate_text(p.label, 80)}”",
            f"{_plural(p.recent, 'post')} in the last {RECENT_DAYS} days "
            f"({fmt_int(p.before)} in the weeks before), {_pct(p.share_negative)} negative"
            + (f"; {len(rising) - 1} more rising." if len(rising) > 1 else "."),
        ))
    elif data.problems:
        lines.append(Headline("good", "✓", "No rising problem",
                              f"{_plural(len(data.problems), 'known problem')}, none growing."))

    # 5. What waits for an answer.
    queue = data.response_queue
    if queue:
        questions = sum(1 for q in queue if q.intent == "question")
        complaints = sum(1 for q in queue if q.intent == "complaint")
        oldest = max(q.age_hours for q in queue)
        parts = [p for p in (_plural(questions, "question") if questions else "",
                             _plural(complaints, "complaint") if complaints else "") if p]
        lines.append(Headline(
            "warn", "?", f"{_plural(len(queue), 'post')} wait for an answer"
            if len(queue) != 1 else "1 post waits for an answer",
            f"{' and '.join(parts) or 'posts'}; the oldest has waited {format_age(oldest)}.",
        ))
    else:
        lines.append(Headline("good", "✓", "Nothing waits for an answer",
                              "no unanswered questions or complaints."))

    if data.ideas:
        lines.append(Headline("info", "•", _plural(len(data.ideas), "idea"),
                              "from customers: suggestions worth a look."))
    return lines


def build_view(data: ReportData) -> ReportView:
    """Turn report data into the formatted view model the template renders."""
    has_volume, trend_svg, trend_summary = _trend(data)
    has_reputation, reputation_svg, reputation_summary = _reputation(data)
    competitors, compare_svg, competitor_summary = _competitors(data)
    has_competitors, sov_svg = _sov(data)
    alerts = _alerts(data)
    queue = _queue(data)
    period = format_period(data.period_start, data.period_end)
    return ReportView(
        data=data,
        title=f"{data.brand} — reputation report, {period}",
        period=period,
        period_days=(data.period_end - data.period_start).days + 1,
        generated=format_datetime(data.generated_at),
        headline=_headline(data, alerts),
        kpis=_kpis(data),
        has_volume=has_volume,
        trend_svg=trend_svg,
        trend_summary=trend_summary,
        has_reputation=has_reputation,
        reputation_svg=reputation_svg,
        reputation_summary=reputation_summary,
        competitors=competitors,
        compare_svg=compare_svg,
        competitor_summary=competitor_summary,
        has_competitors=has_competitors,
        sov_svg=sov_svg,
        posts=_posts(data),
        alerts=alerts,
        alerts_open=sum(1 for a in alerts if a.status == "open"),
        problems=_problems(data),
        ideas=_ideas(data),
        tribes=_tribes(data),
        chiefs=_chiefs(data),
        queue=queue,
        queue_questions=sum(1 for q in queue if q.intent == "question"),
        queue_complaints=sum(1 for q in queue if q.intent == "complaint"),
        queue_intro=_queue_intro(queue),
        method=_method(data),
        model=data.model.strip(),
    )


# ---------------------------------------------------------------------------- rendering


def environment() -> Environment:
    """The Jinja2 environment: package templates, autoescape on, StrictUndefined."""
    return Environment(
        loader=PackageLoader("pipeline.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(data: ReportData) -> str:
    """Render the report to an HTML string."""
    template = environment().get_template("report.html.j2")
    return template.render(r=build_view(data))


def render_report(data: ReportData, path: Path) -> Path:
    """Write the report as one self-contained HTML file to *path* and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_html(data)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
