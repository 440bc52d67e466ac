"""Render `ReportData` into one self-contained HTML file (no external requests).

The template only lays out a view model built here: numbers are formatted, text is
truncated, urls are checked, and charts are pre-rendered inline SVG. Jinja2 runs with
autoescaping and ``StrictUndefined``, so post text is always escaped and a typo in a
template fails loudly instead of rendering an empty string.

Everything a reader sees goes through `pipeline.report.i18n` (messages, numbers, dates,
durations in the report's language and time zone), and every rate that rests on few
mentions is shrunk and marked (`pipeline.report.honest`).
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

from babel.numbers import format_compact_decimal
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from pipeline.report import charts, i18n
from pipeline.report.charts import fmt_int
from pipeline.report.data import AlertSummary, ChiefRow, DayPoint, ReportData
from pipeline.report.honest import FEW, few, shrunk_net
from pipeline.report.i18n import _, n_

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
    "report_lang",
    "safe_url",
    "short_author",
    "truncate_text",
]

# the report's sections, in page order: each template section carries one of these ids
SECTION_IDS: tuple[str, ...] = (
    "data-state",
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
    "experts",
    "method",
)
TEXT_LIMIT = 400
SHORT_TEXT_LIMIT = 280  # examples, ideas, queue and alert posts: many per section
RECENT_DAYS = 7  # ProblemSummary.recent counts the last 7 days of the period
MINUS = "\u2212"
_WS = re.compile(r"\s+")


def _severity_band(severity: int) -> tuple[str, str]:
    """Alert severity is 1..10: 1-3 low, 4-6 medium, 7-10 high."""
    if severity <= 3:
        return _("low"), "sev-low"
    if severity <= 6:
        return _("medium"), "sev-medium"
    return _("high"), "sev-high"


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
    few: bool = False  # rests on fewer than FEW mentions


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
    few: bool = False


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
    message: str  # what happened, without the day and severity shown beside it
    status: str
    status_label: str
    window: str | None  # "14:00–15:00 CET" for hourly alerts
    top_posts: list[AlertPostView]
    problems: list[GrownView]
    keyphrases: list[GrownView]
    sources: list[str]  # "forum (12)"
    communities: list[str]
    report_href: str | None  # only http(s) links; a local file path is not shown

    @property
    def has_details(self) -> bool:
        return bool(
            self.top_posts or self.problems or self.keyphrases or self.sources
            or self.communities or self.report_href
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
    stats: str  # "12 posts in the last 7 days · 3 in the 21 days before · 80% negative"


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
    net_sentiment: str  # shrunk (pipeline.report.honest)
    authors: str
    reach: str
    few: bool = False  # fewer than FEW positive + negative mentions
    mix_title: str = ""


@dataclass(frozen=True, slots=True)
class ChiefView:
    """An opinion leader or a community expert, known only by a shortened pseudonym."""

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
    net_sentiment: str  # shrunk (pipeline.report.honest)
    negative_pct: int
    neutral_pct: int
    positive_pct: int
    few: bool = False
    brand_replies: str = "0"
    mix_title: str = ""


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
    """What one source delivered in the period."""

    source: str
    kind: str
    status: str
    status_class: str
    status_label: str
    posts: str  # posts dated in the period (not the last run's items)
    days: str  # days with posts
    runs: str  # "3 runs, 1 failed" in the period
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
    coverage_text: str = ""
    one_negative: str = ""  # net sentiment of a single negative post, shrunk


@dataclass(frozen=True, slots=True)
class ReportView:
    """Everything the template shows, formatted."""

    data: ReportData
    title: str
    period: str
    period_days: int
    generated: str
    state: list[Headline]  # the state of the data: shown first
    state_ok: bool
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
    experts: list[ChiefView]
    queue: list[QueueView]
    queue_questions: int
    queue_complaints: int
    queue_intro: str
    method: MethodView
    model: str
    lang: str
    timezone: str
    few_threshold: int


# ---------------------------------------------------------------------------- formatting


def _signed(v: float, decimals: int = 0) -> str:
    """``+12``, ``−7`` (true minus sign) or ``0``."""
    return i18n.signed(v, decimals)


def _pct(share: float | None, decimals: int = 0) -> str:
    return i18n.pct(share, decimals)


def _long_date(d: date) -> str:
    return i18n.date_long(d)


def format_period(start: date, end: date) -> str:
    """``Nov 3 – 9, 2026`` / ``3.–9. Nov. 2026``: the period as the language writes it."""
    return i18n.period(start, end)


def format_datetime(dt: datetime) -> str:
    """A moment in the report's time zone, e.g. ``Nov 10, 2026, 07:00 CET``."""
    return i18n.when(dt)


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
    """``950``, ``12K``, ``4.1M`` / ``950``, ``12.345``, ``4,1 Mio.``: a reach at a glance."""
    if not math.isfinite(x):
        return "—"
    if abs(x) < 999.5:
        return fmt_int(round(x))
    lead = abs(x) / 10 ** (3 * int(math.log10(abs(x)) // 3))  # 1.4 of 1.4K, 48 of 48K
    text = format_compact_decimal(x, format_type="short", fraction_digits=1 if lead < 9.95
                                  else 0, locale=i18n.current().locale)
    # a language without a short form for thousands (German) writes the full number
    return text if any(ch.isalpha() for ch in text) else fmt_int(round(x))


def format_age(hours: float) -> str:
    """How long a post has waited, in the one duration format (`i18n.duration`)."""
    return i18n.duration(hours)


def short_author(author_id: str) -> str:
    """A pseudonymous author id shortened for display: ``a_3f9c…``."""
    author_id = author_id.strip()
    return author_id if len(author_id) <= 7 else author_id[:6] + "…"


def _score(value: float | None) -> str:
    """A -100..100 score."""
    return "—" if value is None or not math.isfinite(value) else _signed(round(value))


def _net(value: float | None) -> str:
    """Net sentiment (-1..1) as -100..100 points."""
    return "—" if value is None or not math.isfinite(value) else _signed(round(value * 100))


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


def _mix_title(neg: int, neu: int, pos: int) -> str:
    return _("%(neg)s negative, %(neu)s neutral, %(pos)s positive", neg=fmt_int(neg),
             neu=fmt_int(neu), pos=fmt_int(pos))


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
    return _("%(delta)s pts vs previous period", delta=_signed(delta)), tone, arrow


def _count_change(now: float, prev: float, what: str) -> tuple[str | None, str]:
    """``(+23% vs previous period, arrow)`` for counts; `what` names the count."""
    if prev > 0:
        change = (now - prev) / prev * 100
        arrow = "▲" if round(change) > 0 else "▼" if round(change) < 0 else ""
        return _("%(change)s%% vs previous period", change=_signed(change)), arrow
    if now > 0:
        return _("new: no %(what)s in the previous period", what=what), "▲"
    return None, ""


def _honest_net(data: ReportData, positive: int, negative: int) -> tuple[float | None, bool]:
    """Net sentiment shrunk with the reputation prior, and whether it rests on few posts."""
    return (shrunk_net(positive, negative, data.reputation_prior),
            few(positive + negative))


# ---------------------------------------------------------------------------- view model


def _kpis(data: ReportData) -> list[KpiCard]:
    """Six tiles: how the brand is felt (reputation, net sentiment, negative share), then
    how loud it is (mentions, reach, share of voice), each against the previous period."""
    k = data.kpis
    cards: list[KpiCard] = []

    # Reputation (-100..100) and its change in points.
    change, tone, arrow = _point_change(k.reputation, k.reputation_prev, 1, True)
    if k.reputation is None:
        note = _("no scored mentions")
    elif k.reputation_prev is None:
        note = _("−100 … +100; no score in the previous period")
    else:
        note = _("−100 … +100; previous period: %(prev)s", prev=_score(k.reputation_prev))
    cards.append(KpiCard("reputation", _("Reputation"), _score(k.reputation), change, tone,
                         arrow, note, few=few(k.volume)))

    # Net sentiment, shrunk like the reputation, on a -100..100 scale.
    counted = bool(k.positive or k.negative or k.positive_prev or k.negative_prev)
    net, is_few = _honest_net(data, k.positive, k.negative) if counted else (
        k.net_sentiment, False)
    net_prev = (shrunk_net(k.positive_prev, k.negative_prev, data.reputation_prior)
                if counted else k.net_sentiment_prev)
    change, tone, arrow = _point_change(net, net_prev, 100, True)
    cards.append(KpiCard(
        key="net_sentiment", label=_("Net sentiment"), value=_net(net), change=change,
        tone=tone, arrow=arrow,
        note=_("−100 (all negative) … +100 (all positive), shrunk when few")
        if net is not None else _("no positive or negative mentions"),
        few=is_few,
    ))

    change, tone, arrow = _point_change(k.negative_share, k.negative_share_prev, 100, False)
    cards.append(KpiCard(
        key="negative_share", label=_("Negative share"), value=_pct(k.negative_share),
        change=change, tone=tone, arrow=arrow,
        note=_("of all mentions") if k.negative_share is not None else _("no mentions"),
        few=few(k.volume) and k.volume > 0,
    ))

    # Mentions and their change: more mentions is neither good nor bad by itself.
    change, arrow = _count_change(k.volume, k.volume_prev, _("mentions"))
    cards.append(KpiCard(
        key="mentions", label=_("Mentions"), value=fmt_int(k.volume), change=change,
        tone="flat", arrow=arrow,
        note=_("previous period: %(prev)s", prev=fmt_int(k.volume_prev)),
    ))

    change, arrow = _count_change(k.reach, k.reach_prev, _("reach"))
    cards.append(KpiCard(
        key="reach", label=_("Reach"), value=fmt_compact(k.reach), change=change,
        tone="flat", arrow=arrow,
        note=_("views or interactions; previous period: %(prev)s",
               prev=fmt_compact(k.reach_prev)),
    ))

    if not data.competitors:
        sov_note = _("no competitors configured")
    elif k.share_of_voice is None:
        sov_note = _("no mentions of the brand or its competitors")
    else:
        sov_note = n_("against %(n)s competitor", "against %(n)s competitors",
                      len(data.competitors))
    change, tone, arrow = (None, "flat", "")
    if data.competitors:
        change, tone, arrow = _point_change(k.share_of_voice, k.share_of_voice_prev, 100, True)
    cards.append(KpiCard(
        key="share_of_voice", label=_("Share of voice"),
        value=_pct(k.share_of_voice) if data.competitors else "—",
        change=change, tone=tone, arrow=arrow, note=sov_note,
    ))
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


def _alert_markers(data: ReportData) -> list[tuple[date, str]]:
    return [
        (a.day, _alert_message(a))
        for a in sorted(data.alerts, key=lambda a: (a.day, -a.severity))
    ]


def _trend(data: ReportData) -> tuple[bool, Markup, str]:
    days = _fill_days(data)
    total = sum(p.negative + p.neutral + p.positive for p in days)
    if total == 0:
        return False, Markup(""), ""
    svg = charts.stacked_bar_trend(
        [p.day for p in days],
        [p.negative for p in days],
        [p.neutral for p in days],
        [p.positive for p in days],
        line=[shrunk_net(p.positive, p.negative, data.reputation_prior) for p in days],
        markers=_alert_markers(data),
        few=[few(p.positive + p.negative) for p in days],
        line_label=_("Net sentiment, shrunk (right axis)"),
    )
    peak = max(days, key=lambda p: p.volume)
    worst = max(days, key=lambda p: (p.negative, -p.day.toordinal()))
    summary = _("Busiest day: %(day)s with %(n)s mentions.", day=_long_date(peak.day),
                n=fmt_int(peak.volume))
    if worst.negative > 0:
        summary += " " + _("Most negative mentions: %(day)s (%(n)s).",
                           day=_long_date(worst.day), n=fmt_int(worst.negative))
    return True, svg, summary


def _sov(data: ReportData) -> tuple[bool, Markup]:
    if not data.competitors:
        return False, Markup("")
    rows = sorted(data.share_of_voice, key=lambda s: (-s.mentions, s.brand != data.brand))
    svg = charts.horizontal_bars(
        [s.brand for s in rows], [s.mentions for s in rows], highlight=data.brand
    )
    return True, svg


def _lang_tag(value: str | None) -> str:
    return (value or "?").lower()


def _posts(data: ReportData) -> list[PostView]:
    views: list[PostView] = []
    for p in sorted(data.most_negative, key=lambda p: -p.negative_score):
        href = safe_url(p.url)
        views.append(PostView(
            day=_long_date(p.created_at.date()),
            source=p.source,
            community=p.community or None,
            lang=_lang_tag(p.lang),
            title=truncate_text(p.title, 200) if p.title else None,
            text=truncate_text(p.text),
            score=i18n.num(p.negative_score, 2),
            score_pct=max(0, min(100, round(p.negative_score * 100))),
            href=href,
            url_text=None if href or not p.url else truncate_text(p.url, 200),
        ))
    return views


def _reputation(data: ReportData) -> tuple[bool, Markup, str]:
    days = _fill_days(data)
    scored = [p for p in days if p.reputation is not None and math.isfinite(p.reputation)]
    if not scored:
        return False, Markup(""), ""
    k = data.kpis.reputation
    reference = None if k is None else (k, _("Whole period: %(score)s", score=_score(k)))
    svg = charts.reputation_line(
        [p.day for p in days],
        [p.reputation for p in days],
        markers=_alert_markers(data),
        reference=reference,
        window_days=data.trend_days,
    )
    low = min(scored, key=lambda p: (p.reputation or 0.0, p.day))
    high = max(scored, key=lambda p: (p.reputation or 0.0, -p.day.toordinal()))
    last = scored[-1]
    parts = [_("Latest: %(score)s on %(day)s", score=_score(last.reputation),
               day=_long_date(last.day))]
    if _score(low.reputation) != _score(high.reputation):  # else the line is flat
        for name, point in ((_("lowest"), low), (_("highest"), high)):
            if _score(point.reputation) != _score(last.reputation):
                parts.append(_("%(which)s: %(score)s on %(day)s", which=name,
                               score=_score(point.reputation), day=_long_date(point.day)))
    return True, svg, "; ".join(parts) + "."


def _competitors(data: ReportData) -> tuple[list[CompetitorView], Markup, str]:
    rows = list(data.competitor_kpis)
    if not any(not r.is_self for r in rows):
        return [], Markup(""), ""
    rows.sort(key=lambda r: (not r.is_self,))  # the brand first, then as given
    views = []
    for r in rows:
        counted = bool(r.positive or r.negative)
        net, is_few = _honest_net(data, r.positive, r.negative) if counted else (
            r.net_sentiment, False)
        views.append(CompetitorView(
            brand=r.brand,
            is_self=r.is_self,
            mentions=fmt_int(r.mentions),
            share_of_voice=_pct(r.share_of_voice),
            net_sentiment=_net(net),
            reputation=_score(r.reputation),
            reputation_tone=_tone(r.reputation),
            negative_share=_pct(r.negative_share),
            few=is_few or (few(r.mentions) and r.mentions > 0),
        ))
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
        by_voice = sorted(rows, key=lambda r: -r.mentions)
        summary = _("%(brand)s is #%(place)s of %(n)s brands on reputation and "
                    "#%(voice)s of %(all)s on mentions.", brand=me.brand, place=place,
                    n=len(ranked), voice=by_voice.index(me) + 1, all=len(rows))
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
                             "—" if expected is None else i18n.num(expected, 1)))
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
    return None if hour is None else i18n.hour_window(hour)


_STATUS = ("open", "acknowledged", "resolved")


def _status_label(status: str) -> str:
    return {"open": _("open"), "acknowledged": _("acknowledged"),
            "resolved": _("resolved")}.get(status, status)


def _alert_message(a: AlertSummary) -> str:
    """What happened, in the report's language; the day and the severity are shown beside
    it, so they are not repeated here."""
    if a.value is None or a.baseline is None:
        return a.message
    n = round(a.value)
    if a.hour is not None:
        return n_("%(n)s negative mention in the hour, usually %(usual)s per hour",
                  "%(n)s negative mentions in the hour, usually %(usual)s per hour", n,
                  usual=i18n.num(a.baseline, 1))
    return n_("%(n)s negative mention, usually %(usual)s per day",
              "%(n)s negative mentions, usually %(usual)s per day", n,
              usual=i18n.num(a.baseline, 1))


def _rule_label(rule: str) -> str:
    known = {"negative-spike": _("negative spike"),
             "negative-spike-hourly": _("negative spike (hourly)")}
    return known.get(rule, rule.replace("_", " ").replace("-", " "))


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
            label, css = _("info"), "sev-low"
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
                negative="—" if negative is None else i18n.num(negative, 2),
                href=href,
                url_text=None if href or not url else truncate_text(url, 200),
            ))
        report = details.get("report") if isinstance(details.get("report"), str) else None
        status = a.status if a.status in _STATUS else "open"
        views.append(AlertView(
            day=_long_date(a.day),
            severity=a.severity,
            severity_label=label,
            severity_class=css,
            rule=a.rule,
            rule_label=_rule_label(a.rule),
            message=_alert_message(a),
            status=status,
            status_label=_status_label(status),
            window=_window(a.hour),
            top_posts=posts,
            problems=_grown(_dicts(details.get("problems")), "label", "negative"),
            keyphrases=_grown(_dicts(details.get("keyphrases")), "phrase", "posts"),
            sources=_places(_dicts(details.get("sources"))),
            communities=_places(_dicts(details.get("communities"))),
            report_href=safe_url(report),  # a file:// path means nothing to a reader
        ))
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
            _("Posts per day about “%(label)s” over the last %(n)s days (the last %(recent)s "
              "shaded): %(values)s", label=label, n=n, recent=RECENT_DAYS,
              values=", ".join(str(v) for v in p.daily)),
            recent=RECENT_DAYS if n > RECENT_DAYS else 0,
            top=top,
        )
        recent = n_("%(n)s post in the last %(days)s days",
                    "%(n)s posts in the last %(days)s days", p.recent, days=RECENT_DAYS)
        before = (n_("%(before)s in the %(n)s day before",
                     "%(before)s in the %(n)s days before", baseline_days,
                     before=fmt_int(p.before))
                  if baseline_days else _("%(before)s before", before=fmt_int(p.before)))
        neg = _("%(share)s negative", share=_pct(p.share_negative))
        if p.recent and few(p.recent):  # a share of fewer than FEW posts
            neg = _("%(share)s negative (n < %(few)s)", share=_pct(p.share_negative), few=FEW)
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
            stats=" · ".join((recent, before, neg)),
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
            lang=_lang_tag(idea.lang),
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
            growth, tone = _("new"), "new"
        else:
            growth, tone = "—", "flat"
        neg, neu, pos = _split_pct(c.negative, c.neutral, c.positive)
        net, is_few = _honest_net(data, c.positive, c.negative)
        views.append(TribeView(
            rank=i,
            source=c.source,
            community=c.community.strip() or _("no community"),
            unnamed=not c.community.strip(),
            mentions=fmt_int(c.mentions),
            mentions_prev=fmt_int(c.mentions_prev),
            growth=growth,
            growth_tone=tone,
            negative_pct=neg,
            neutral_pct=neu,
            positive_pct=pos,
            net_sentiment=_net(net),
            authors=fmt_int(c.authors),
            reach=fmt_compact(c.reach),
            few=is_few,
            mix_title=_mix_title(c.negative, c.neutral, c.positive),
        ))
    return views


def _people(data: ReportData, rows: list[ChiefRow]) -> list[ChiefView]:
    views = []
    for i, a in enumerate(rows, 1):
        neg, neu, pos = _split_pct(a.negative, a.neutral, a.positive)
        influence = min(100.0, max(0.0, a.influence))
        net, is_few = _honest_net(data, a.positive, a.negative)
        views.append(ChiefView(
            rank=i,
            author=short_author(a.author_id),
            source=a.source,
            community=a.community or None,
            posts=fmt_int(a.posts),
            mentions=fmt_int(a.mentions),
            influence=i18n.num(influence),
            influence_pct=round(influence),
            centrality=i18n.num(a.centrality, 2),
            consistency=i18n.num(a.consistency, 2),
            net_sentiment=_net(net),
            negative_pct=neg,
            neutral_pct=neu,
            positive_pct=pos,
            few=is_few,
            brand_replies=fmt_int(a.brand_replies),
            mix_title=_mix_title(a.negative, a.neutral, a.positive),
        ))
    return views


def _queue(data: ReportData) -> list[QueueView]:
    intents = {"question": _("Question"), "complaint": _("Complaint")}
    sentiments = {"negative": _("negative"), "neutral": _("neutral"),
                  "positive": _("positive")}
    views = []
    for i, q in enumerate(data.response_queue, 1):
        href = safe_url(q.url)
        intent = q.intent if q.intent in intents else "other"
        views.append(QueueView(
            rank=i,
            intent=intent,
            intent_label=intents.get(q.intent, truncate_text(q.intent, 30).capitalize()),
            age=format_age(q.age_hours),
            old=q.age_hours >= 48,
            posted=format_datetime(q.created_at),
            source=q.source,
            community=q.community or None,
            lang=_lang_tag(q.lang),
            sentiment=sentiments.get(q.sentiment or "", q.sentiment) or None,
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
    words = {
        "question": lambda n: n_("%(n)s question", "%(n)s questions", n),
        "complaint": lambda n: n_("%(n)s complaint", "%(n)s complaints", n),
        "other": lambda n: n_("%(n)s other post", "%(n)s other posts", n),
    }
    parts = [words[k](counts[k]) for k in words if counts.get(k)]
    if len(parts) < 2:
        return "".join(parts)
    return _("%(list)s and %(last)s", list=", ".join(parts[:-1]), last=parts[-1])


_SOURCE_STATUS = {"ok": "st-ok", "failed": "st-failed", "disabled": "st-disabled",
                  "never": "st-disabled"}


def _source_status(status: str) -> str:
    return {"ok": _("ok"), "failed": _("failed"), "disabled": _("disabled"),
            "never": _("never ran")}.get(status, status)


def _sources(data: ReportData) -> list[SourceView]:
    state = data.data_state
    if state is None:  # no period figures: the health recorded by the last runs
        return [SourceView(
            source=s.source, kind=s.kind, status=s.status,
            status_class=_SOURCE_STATUS.get(s.status, "st-failed"),
            status_label=_source_status(s.status), posts="—", days="—",
            runs=n_("%(n)s failure in a row", "%(n)s failures in a row",
                    s.consecutive_failures) if s.consecutive_failures else "—",
            last_error=truncate_text(s.last_error, 160) if s.last_error else None,
        ) for s in sorted(data.sources, key=lambda s: (s.status == "ok", s.source))]
    views = []
    for s in sorted(state.sources, key=lambda s: (not s.failed, not s.silent, s.source)):
        status = "failed" if s.failed_runs and s.status == "ok" else s.status
        runs = n_("%(n)s run", "%(n)s runs", s.runs)
        if s.failed_runs:
            runs += ", " + n_("%(n)s failed", "%(n)s failed", s.failed_runs)
        views.append(SourceView(
            source=s.source, kind=s.kind, status=status,
            status_class=_SOURCE_STATUS.get(status, "st-failed"),
            status_label=_source_status(status) if s.enabled or status != "ok"
            else _("not configured"),
            posts=fmt_int(s.posts), days=f"{fmt_int(s.days_with_posts)}/{fmt_int(state.days)}",
            runs=runs,
            last_error=truncate_text(s.last_error, 160) if s.last_error else None,
        ))
    return views


def _method(data: ReportData) -> MethodView:
    roles = {"sentiment": _("Sentiment"), "intent": _("Intent"),
             "keyphrases": _("Keyphrases"), "problems": _("Problems")}
    models = [(roles.get(role, role.replace("_", " ").capitalize()), version.strip())
              for role, version in data.models.items() if version.strip()]
    if not models and data.model.strip():
        models = [(_("Sentiment"), data.model.strip())]
    cov = data.coverage
    langs = ""
    if cov is not None and cov.mentions > 0:
        top = sorted(cov.by_lang.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = [f"{_lang_tag(lang)} {_pct(n / cov.mentions)}" for lang, n in top[:6]]
        rest = sum(n for _lang, n in top[6:])
        if rest:
            shown.append(_("other %(share)s", share=_pct(rest / cov.mentions)))
        langs = " · ".join(shown)
    text = _("not measured for this report.")
    if cov is not None:
        text = _("%(mentions)s mentions, %(scored)s scored by the sentiment model (%(pct)s), "
                 "%(human)s with a human label (a human label wins over the model).",
                 mentions=fmt_int(cov.mentions), scored=fmt_int(cov.scored),
                 pct=_pct(cov.scored / cov.mentions) if cov.mentions else "—",
                 human=fmt_int(cov.human_labels))
        if langs:
            text += " " + _("Languages: %(langs)s.", langs=langs)
    sources = _sources(data)
    failing = (len(data.data_state.failed) if data.data_state is not None
               else sum(1 for s in data.sources if s.status != "ok"))
    return MethodView(
        models=models,
        prior=f"{data.reputation_prior:g}",
        trend_days=data.trend_days,
        coverage_mentions=None if cov is None else fmt_int(cov.mentions),
        coverage_scored="" if cov is None else fmt_int(cov.scored),
        coverage_scored_pct="" if cov is None or not cov.mentions
        else _pct(cov.scored / cov.mentions),
        coverage_human="" if cov is None else fmt_int(cov.human_labels),
        coverage_langs=langs,
        sources=sources,
        sources_failing=failing,
        coverage_text=text,
        one_negative=_net(shrunk_net(0, 1, data.reputation_prior)),
    )


def _state(data: ReportData) -> tuple[list[Headline], bool]:
    """The state of the data, before any figure: failed and silent sources, coverage."""
    state = data.data_state
    if state is None:
        failing = [s for s in data.sources if s.status != "ok"]
        if not failing:
            return [], True
        names = ", ".join(s.source for s in failing)
        return [Headline("bad", "!", n_("%(n)s source not healthy", "%(n)s sources not healthy",
                                        len(failing)),
                         _("%(names)s: figures may miss their posts.", names=names))], False
    lines: list[Headline] = []
    for s in state.failed:
        what = (n_("%(n)s of %(runs)s run failed in the period",
                   "%(n)s of %(runs)s runs failed in the period", s.failed_runs, runs=s.runs)
                if s.failed_runs else _source_status(s.status))
        detail = _("%(what)s; %(posts)s posts on %(days)s of %(all)s days arrived.",
                   what=what, posts=fmt_int(s.posts), days=fmt_int(s.days_with_posts),
                   all=fmt_int(state.days))
        if s.last_error:
            detail += " " + _("Last error: %(error)s", error=truncate_text(s.last_error, 120))
        lines.append(Headline("bad", "!", _("Source %(name)s failed", name=s.source), detail))
    for s in state.silent:
        lines.append(Headline("warn", "!", _("Source %(name)s was silent", name=s.source),
                              _("no posts dated in the period: check that it still "
                                "collects what you expect.")))
    gaps = state.days - state.days_with_mentions
    coverage = n_("Mentions on %(n)s of %(days)s day", "Mentions on %(n)s of %(days)s days",
                  state.days_with_mentions, days=fmt_int(state.days))
    ok_sources = [s for s in state.sources if s.enabled and not s.failed and not s.silent]
    detail = n_("%(n)s source delivered", "%(n)s sources delivered", len(ok_sources))
    if gaps:
        detail += "; " + n_("%(n)s day without any mention of the brand",
                            "%(n)s days without any mention of the brand", gaps)
    lines.append(Headline("info" if lines or gaps else "good", "•" if lines or gaps else "✓",
                          coverage, detail + "."))
    return lines, not state.failed and not state.silent


def _headline(data: ReportData, alerts: list[AlertView], state_ok: bool) -> list[Headline]:
    """The period in a few lines: what changed, what burns, what waits."""
    k = data.kpis
    lines: list[Headline] = []

    # 1. How the brand is felt, and how that changed.
    if k.reputation is not None:
        lead = _("Reputation %(score)s", score=_score(k.reputation))
        if k.reputation_prev is not None:
            delta = round(k.reputation) - round(k.reputation_prev)
            if delta > 0:
                text = _("up %(n)s pts from %(prev)s in the previous period", n=abs(delta),
                         prev=_score(k.reputation_prev))
            elif delta < 0:
                text = _("down %(n)s pts from %(prev)s in the previous period", n=abs(delta),
                         prev=_score(k.reputation_prev))
            else:
                text = _("unchanged from the previous period")
            tone = _tone(delta)
            mark = "▲" if delta > 0 else "▼" if delta < 0 else "•"
        else:
            text, tone, mark = _("no score for the previous period to compare with"), "info", "•"
        net = shrunk_net(k.positive, k.negative, data.reputation_prior) if (
            k.positive or k.negative) else k.net_sentiment
        if net is not None:
            text += "; " + _("net sentiment %(net)s", net=_net(net))
        lines.append(Headline({"good": "good", "bad": "bad"}.get(tone, "info"), mark, lead,
                              text + "."))
    elif k.net_sentiment is not None:
        change, tone, arrow = _point_change(k.net_sentiment, k.net_sentiment_prev, 100, True)
        lines.append(Headline({"good": "good", "bad": "bad"}.get(tone, "info"), arrow or "•",
                              _("Net sentiment %(net)s", net=_net(k.net_sentiment)),
                              (change or _("no previous period to compare with")) + "."))
    else:
        lines.append(Headline("info", "•", _("No sentiment yet"),
                              _("no scored mentions of %(brand)s in this period.",
                                brand=data.brand)))

    # 2. How loud, against the previous period and the competitors.
    change, _arrow = _count_change(k.volume, k.volume_prev, _("mentions"))
    text = change or _("none in the previous period either")
    if data.competitors and k.share_of_voice is not None:
        text += "; " + _("share of voice %(share)s", share=_pct(k.share_of_voice))
    lines.append(Headline("info", "•", n_("%(n)s mention", "%(n)s mentions", k.volume),
                          text + "."))

    # 3. Alerts.
    if alerts:
        open_n = sum(1 for a in alerts if a.status == "open")
        worst = max(alerts, key=lambda a: a.severity)
        text = (n_("%(n)s still open", "%(n)s still open", open_n) if open_n
                else _("all handled")) + "; " + _(
            "the strongest: %(rule)s on %(day)s, %(what)s", rule=worst.rule_label,
            day=worst.day, what=worst.message)
        lines.append(Headline("bad" if open_n else "warn", "!",
                              n_("%(n)s alert", "%(n)s alerts", len(alerts)), text + "."))
    elif state_ok:
        lines.append(Headline("good", "✓", _("No alerts"),
                              _("sentiment stayed in its usual range.")))
    else:
        lines.append(Headline("warn", "•", _("No alerts on the data that arrived"),
                              _("a source failed or was silent (above): a spike there would "
                                "not show.")))

    # 4. The biggest rising problem.
    rising = [p for p in data.problems if p.emerging]
    if rising:
        p = rising[0]
        text = _("%(recent)s in the last %(days)s days (%(before)s in the weeks before), "
                 "%(neg)s negative", recent=n_("%(n)s post", "%(n)s posts", p.recent),
                 days=RECENT_DAYS, before=fmt_int(p.before), neg=_pct(p.share_negative))
        if len(rising) > 1:
            text += "; " + _("%(n)s more rising", n=len(rising) - 1)
        lines.append(Headline(
            "bad", "▲", _("Rising problem: “%(label)s”", label=truncate_text(p.label, 80)),
            text + "."))
    elif data.problems:
        lines.append(Headline("good", "✓", _("No rising problem"),
                              n_("%(n)s known problem, none growing.",
                                 "%(n)s known problems, none growing.", len(data.problems))))

    # 5. What waits for an answer.
    queue = data.response_queue
    if queue:
        questions = sum(1 for q in queue if q.intent == "question")
        complaints = sum(1 for q in queue if q.intent == "complaint")
        oldest = max(q.age_hours for q in queue)
        parts = [p for p in (n_("%(n)s question", "%(n)s questions", questions)
                             if questions else "",
                             n_("%(n)s complaint", "%(n)s complaints", complaints)
                             if complaints else "") if p]
        kinds = _("%(list)s and %(last)s", list=parts[0], last=parts[1]) if len(
            parts) == 2 else (parts[0] if parts else _("posts"))
        lines.append(Headline(
            "warn", "?", n_("%(n)s post waits for an answer", "%(n)s posts wait for an answer",
                            len(queue)),
            _("%(kinds)s; the oldest has waited %(age)s.", kinds=kinds,
              age=format_age(oldest)),
        ))
    else:
        lines.append(Headline("good", "✓", _("Nothing waits for an answer"),
                              _("no unanswered questions or complaints.")))

    if data.ideas:
        lines.append(Headline("info", "•", n_("%(n)s idea", "%(n)s ideas", len(data.ideas)),
                              _("from customers: suggestions worth a look.")))
    return lines


def report_lang(data: ReportData) -> i18n.Lang:
    """The language and time zone the data asks for (`ReportData.language`, `.timezone`)."""
    return i18n.lang(data.language, data.timezone)


def build_view(data: ReportData) -> ReportView:
    """Turn report data into the formatted view model the template renders (in the current
    `i18n` language: see `render_html`)."""
    has_volume, trend_svg, trend_summary = _trend(data)
    has_reputation, reputation_svg, reputation_summary = _reputation(data)
    competitors, compare_svg, competitor_summary = _competitors(data)
    has_competitors, sov_svg = _sov(data)
    alerts = _alerts(data)
    queue = _queue(data)
    state, state_ok = _state(data)
    period = format_period(data.period_start, data.period_end)
    return ReportView(
        data=data,
        title=_("%(brand)s — reputation report, %(period)s", brand=data.brand, period=period),
        period=period,
        period_days=(data.period_end - data.period_start).days + 1,
        generated=format_datetime(data.generated_at),
        state=state,
        state_ok=state_ok,
        headline=_headline(data, alerts, state_ok),
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
        chiefs=_people(data, data.chiefs),
        experts=_people(data, data.experts),
        queue=queue,
        queue_questions=sum(1 for q in queue if q.intent == "question"),
        queue_complaints=sum(1 for q in queue if q.intent == "complaint"),
        queue_intro=_queue_intro(queue),
        method=_method(data),
        model=data.model.strip(),
        lang=i18n.current().code,
        timezone=i18n.zone_name(),
        few_threshold=FEW,
    )


# ---------------------------------------------------------------------------- rendering


def environment() -> Environment:
    """The Jinja2 environment: package templates, autoescape on, StrictUndefined, and the
    i18n extension bound to `pipeline.report.i18n` (``_()`` / ``ngettext()`` in templates)."""
    env = Environment(
        loader=PackageLoader("pipeline.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # messages are plain text: escaped here (``n < 5`` becomes ``n &lt; 5``), then Jinja
    # fills in the (escaped) values
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: escape(i18n.current().translations.gettext(message)),
        lambda singular, plural, n: escape(
            i18n.current().translations.ngettext(singular, plural, n)),
        newstyle=True,
    )
    return env


def render_html(data: ReportData) -> str:
    """Render the report to an HTML string, in the data's language and time zone."""
    with i18n.use(report_lang(data)):
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
