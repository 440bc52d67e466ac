"""Render `ReportData` into one self-contained HTML file (no external requests).

The template only lays out a view model built here: numbers are formatted, text is
truncated, urls are checked, and charts are pre-rendered inline SVG. Jinja2 runs with
autoescaping and ``StrictUndefined``, so post text is always escaped and a typo in a
template fails loudly instead of rendering an empty string.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipeline.report import charts
from pipeline.report.charts import day_label, fmt_int
from pipeline.report.data import DayPoint, ReportData

__all__ = [
    "AlertView",
    "KpiCard",
    "PostView",
    "ReportView",
    "build_view",
    "environment",
    "render_html",
    "render_report",
    "safe_url",
    "truncate_text",
]

TEXT_LIMIT = 400
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
class AlertView:
    """An alert of the period."""

    day: str
    severity: int
    severity_label: str
    severity_class: str
    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class ReportView:
    """Everything the template shows, formatted."""

    data: ReportData
    title: str
    period: str
    period_days: int
    generated: str
    kpis: list[KpiCard]
    has_volume: bool
    trend_svg: Markup
    trend_summary: str
    has_competitors: bool
    sov_svg: Markup
    posts: list[PostView]
    alerts: list[AlertView]
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


# ---------------------------------------------------------------------------- view model


def _kpis(data: ReportData) -> list[KpiCard]:
    k = data.kpis
    cards: list[KpiCard] = []

    # Mentions and their change.
    if k.volume_prev > 0:
        change = (k.volume - k.volume_prev) / k.volume_prev * 100
        vol_change: str | None = f"{_signed(change)}% vs previous period"
        arrow = "▲" if round(change) > 0 else "▼" if round(change) < 0 else ""
    elif k.volume > 0:
        vol_change, arrow = "new: no mentions in the previous period", "▲"
    else:
        vol_change, arrow = None, ""
    cards.append(
        KpiCard(
            key="mentions",
            label="Mentions",
            value=fmt_int(k.volume),
            change=vol_change,
            tone="flat",  # more mentions is neither good nor bad by itself
            arrow=arrow,
            note=f"previous period: {fmt_int(k.volume_prev)}",
        )
    )

    # Net sentiment on a -100..100 scale and its change in points.
    net_change: str | None = None
    tone, arrow = "flat", ""
    if k.net_sentiment is not None and k.net_sentiment_prev is not None:
        delta = round(k.net_sentiment * 100) - round(k.net_sentiment_prev * 100)
        net_change = f"{_signed(delta)} pts vs previous period"
        tone = "good" if delta > 0 else "bad" if delta < 0 else "flat"
        arrow = "▲" if delta > 0 else "▼" if delta < 0 else ""
    cards.append(
        KpiCard(
            key="net_sentiment",
            label="Net sentiment",
            value="—" if k.net_sentiment is None else _signed(round(k.net_sentiment * 100)),
            change=net_change,
            tone=tone,
            arrow=arrow,
            note="−100 (all negative) … +100 (all positive)"
            if k.net_sentiment is not None
            else "no positive or negative mentions",
        )
    )

    cards.append(
        KpiCard(
            key="negative_share",
            label="Negative share",
            value=_pct(k.negative_share),
            change=None,
            tone="flat",
            arrow="",
            note="of all mentions" if k.negative_share is not None else "no mentions",
        )
    )

    if not data.competitors:
        sov_note = "no competitors configured"
    elif k.share_of_voice is None:
        sov_note = "no mentions of the brand or its competitors"
    else:
        sov_note = f"against {len(data.competitors)} competitor" + (
            "s" if len(data.competitors) != 1 else ""
        )
    cards.append(
        KpiCard(
            key="share_of_voice",
            label="Share of voice",
            value=_pct(k.share_of_voice) if data.competitors else "—",
            change=None,
            tone="flat",
            arrow="",
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


def _alerts(data: ReportData) -> list[AlertView]:
    views: list[AlertView] = []
    for a in sorted(data.alerts, key=lambda a: (a.day, -a.severity)):
        label, css = _severity_band(a.severity)
        if a.severity <= 0:
            label, css = "info", "sev-low"
        views.append(
            AlertView(
                day=_long_date(a.day),
                severity=a.severity,
                severity_label=label,
                severity_class=css,
                rule=a.rule,
                message=a.message,
            )
        )
    return views


def build_view(data: ReportData) -> ReportView:
    """Turn report data into the formatted view model the template renders."""
    has_volume, trend_svg, trend_summary = _trend(data)
    has_competitors, sov_svg = _sov(data)
    period = format_period(data.period_start, data.period_end)
    return ReportView(
        data=data,
        title=f"{data.brand} — reputation report, {period}",
        period=period,
        period_days=(data.period_end - data.period_start).days + 1,
        generated=format_datetime(data.generated_at),
        kpis=_kpis(data),
        has_volume=has_volume,
        trend_svg=trend_svg,
        trend_summary=trend_summary,
        has_competitors=has_competitors,
        sov_svg=sov_svg,
        posts=_posts(data),
        alerts=_alerts(data),
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
