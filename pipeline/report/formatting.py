"""How the report writes numbers, dates, text and links, shared by its sections.

Numbers, dates and durations come out in the current `pipeline.report.i18n` language
and time zone; text is cleaned and cut, and only plain http(s) urls become links."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from urllib.parse import urlsplit

from babel.numbers import format_compact_decimal

from pipeline.report import i18n
from pipeline.report.charts import fmt_int
from pipeline.report.data import ReportData
from pipeline.report.honest import few, shrunk_net
from pipeline.report.i18n import _

TEXT_LIMIT = 400
SHORT_TEXT_LIMIT = 280  # examples, ideas, queue and alert posts: many per section
_WS = re.compile(r"\s+")


def fmt_signed(v: float, decimals: int = 0) -> str:
    """``+12``, ``−7`` (true minus sign) or ``0``."""
    return i18n.signed(v, decimals)


def fmt_pct(share: float | None, decimals: int = 0) -> str:
    return i18n.pct(share, decimals)


def fmt_long_date(d: date) -> str:
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


def fmt_score(value: float | None) -> str:
    """A -100..100 score."""
    return "—" if value is None or not math.isfinite(value) else fmt_signed(round(value))


def fmt_net(value: float | None) -> str:
    """Net sentiment (-1..1) as -100..100 points."""
    return "—" if value is None or not math.isfinite(value) else fmt_signed(round(value * 100))


def tone_of(value: float | None) -> str:
    if value is None or round(value) == 0:
        return "flat"
    return "good" if value > 0 else "bad"


def split_pct(neg: int, neu: int, pos: int) -> tuple[int, int, int]:
    """Integer percentages of negative, neutral, positive that add up to 100 (or all 0)."""
    total = neg + neu + pos
    if total <= 0:
        return 0, 0, 0
    n, p = round(neg / total * 100), round(pos / total * 100)
    return n, max(0, 100 - n - p), p


def mix_title(neg: int, neu: int, pos: int) -> str:
    return _("%(neg)s negative, %(neu)s neutral, %(pos)s positive", neg=fmt_int(neg),
             neu=fmt_int(neu), pos=fmt_int(pos))


def point_change(
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
    return _("%(delta)s pts vs previous period", delta=fmt_signed(delta)), tone, arrow


def count_change(now: float, prev: float, what: str) -> tuple[str | None, str]:
    """``(+23% vs previous period, arrow)`` for counts; `what` names the count."""
    if prev > 0:
        change = (now - prev) / prev * 100
        arrow = "▲" if round(change) > 0 else "▼" if round(change) < 0 else ""
        return _("%(change)s%% vs previous period", change=fmt_signed(change)), arrow
    if now > 0:
        return _("new: no %(what)s in the previous period", what=what), "▲"
    return None, ""


def honest_net(data: ReportData, positive: int, negative: int) -> tuple[float | None, bool]:
    """Net sentiment shrunk with the reputation prior, and whether it rests on few posts."""
    return (shrunk_net(positive, negative, data.reputation_prior),
            few(positive + negative))


def lang_tag(value: str | None) -> str:
    return (value or "?").lower()
