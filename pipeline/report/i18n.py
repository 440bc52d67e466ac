"""The report's language and time zone: messages, numbers, dates and durations through Babel.

Messages are gettext catalogs (`locale/<lang>/LC_MESSAGES/messages.po`, English is the
source language), compiled in memory when first used, so the package ships only the
`.po` text. Numbers, dates, periods and durations use Babel's CLDR data for the language;
times are shown in the report's IANA time zone (`report.timezone`). One duration format
everywhere (`duration`): Babel's long form, hours up to two days, then days ("5 hours",
"10 days"; "5 Stunden", "10 Tage").

Rendering code calls the module-level helpers (`_`, `n_`, `num`, `date_long`, ...), which
read the language set by `use(lang)` for the current context (default: English, UTC).
"""

from __future__ import annotations

import gettext
import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_interval
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

__all__ = ["LANGUAGES", "Lang", "UnknownTimeZone", "_", "current", "date_long", "date_short",
           "duration", "hour_window", "lang", "main_language", "n_", "num", "pct", "period",
           "signed", "time_zone", "use", "when", "zone_name"]

LANGUAGES = ("en", "de")  # languages with a complete catalog
MINUS = "\u2212"


class UnknownTimeZone(ValueError):
    """`report.timezone` is not an IANA time zone name."""


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone `name` (e.g. Europe/Berlin); a clear error for anything else."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin or UTC"
        ) from None


@cache
def _translations(code: str) -> gettext.NullTranslations:
    if code == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = resources.files("pipeline.report").joinpath(f"locale/{code}/LC_MESSAGES/messages.po")
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=code)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@dataclass(frozen=True, slots=True)
class Lang:
    """A language (`LANGUAGES`) and a time zone to render in."""

    code: str = "en"
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code)

    @property
    def translations(self) -> gettext.NullTranslations:
        return _translations(self.code)


def lang(code: str | None, tz: str | None = None) -> Lang:
    """A `Lang` for a language code (unsupported or None: English) and an IANA zone."""
    code = (code or "en").lower()
    return Lang(code if code in LANGUAGES else "en", time_zone(tz or "UTC"))


def main_language(counts: dict[str, int], fallback: str = "en") -> str:
    """The most frequent supported language among mention counts by language."""
    ranked = sorted(((n, c) for c, n in counts.items() if (c or "").lower() in LANGUAGES),
                    key=lambda x: (-x[0], x[1]))
    return ranked[0][1].lower() if ranked else fallback


_current: ContextVar[Lang] = ContextVar("stimmung_report_lang", default=Lang())  # noqa: B039


def current() -> Lang:
    return _current.get()


@contextmanager
def use(language: Lang) -> Iterator[Lang]:
    """Render in `language` inside the block."""
    token = _current.set(language)
    try:
        yield language
    finally:
        _current.reset(token)


# ----------------------------------------------------------------------------- messages


def _(message: str, **values: Any) -> str:
    """The message in the current language, with ``%(name)s`` placeholders filled."""
    text = current().translations.gettext(message)
    return text % values if values else text


def n_(singular: str, plural: str, n: int, **values: Any) -> str:
    """The singular or plural message for `n`; ``%(n)s`` is `n` formatted as a number."""
    text = current().translations.ngettext(singular, plural, n)
    return text % {"n": num(n), **values}


# ----------------------------------------------------------------------------- numbers


def num(x: float, decimals: int = 0) -> str:
    """``12,345`` / ``12.345``; ``—`` for a missing or non-finite value."""
    if x is None or not math.isfinite(x):
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(round(x, decimals) if decimals else round(x), format=pattern,
                          locale=current().locale)


def signed(x: float, decimals: int = 0) -> str:
    """``+12``, ``−7`` (true minus sign) or ``0``."""
    if x is None or not math.isfinite(x):
        return "—"
    s = num(abs(x), decimals)
    if float(f"{abs(x):.{decimals}f}") == 0:
        return s
    return ("+" if x > 0 else MINUS) + s


def pct(share: float | None, decimals: int = 0) -> str:
    """A share 0..1 as ``12%`` / ``12 %`` (the language's spacing)."""
    if share is None or not math.isfinite(share):
        return "—"
    locale = current().locale
    pattern = locale.percent_formats[None].pattern  # "#,##0%" / "#,##0 %"
    if decimals > 0:
        pattern = pattern.replace("0%", "0." + "0" * decimals + "%").replace(
            "0 %", "0." + "0" * decimals + " %").replace("0\u00a0%", "0." + "0" * decimals
                                                          + "\u00a0%")
    return format_percent(share, format=pattern, locale=locale)


# ----------------------------------------------------------------------------- dates


def date_short(d: date) -> str:
    """``3 Nov`` / ``3. Nov.``."""
    return format_date(d, "d MMM", locale=current().locale)


def date_long(d: date) -> str:
    """``Nov 3, 2026`` / ``3. Nov. 2026``."""
    return format_date(d, "medium", locale=current().locale)


def period(start: date, end: date) -> str:
    """``Nov 3 – 9, 2026`` / ``3.–9. Nov. 2026``: an interval as the language writes it."""
    if start == end:
        return date_long(start)
    return format_interval(start, end, "yMMMd", locale=current().locale)


def _local(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)  # the warehouse keeps UTC
    return dt.astimezone(current().tz)


def when(dt: datetime) -> str:
    """A moment in the report's time zone: ``Nov 10, 2026, 07:00 CET``."""
    local = _local(dt)
    # the language's medium date, then a 24 h clock and the zone's abbreviation
    day = format_date(local.date(), "medium", locale=current().locale)
    return f"{day}, {local:%H:%M} {local.tzname() or ''}".strip()


def hour_window(start: datetime) -> str:
    """``14:00–15:00 CET``: an hour in the report's time zone."""
    local = _local(start)
    end = local + timedelta(hours=1)
    return f"{local:%H:%M}–{end:%H:%M} {local.tzname() or ''}".strip()


def duration(hours: float) -> str:
    """How long: ``< 1 hour``, ``5 hours``, ``2 days`` (hours up to two days, then days)."""
    if hours is None or not math.isfinite(hours) or hours < 1:
        return _("< 1 hour")
    if hours < 48:
        return format_unit(int(hours), "duration-hour", length="long", locale=current().locale)
    return format_unit(int(hours) // 24, "duration-day", length="long", locale=current().locale)


def zone_name() -> str:
    return current().tz.key
