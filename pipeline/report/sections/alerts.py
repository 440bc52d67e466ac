"""Section "Alerts of the period" (`sections/alerts.html.j2`), with the explanation stored when
each fired."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pipeline.report import i18n
from pipeline.report.charts import fmt_int
from pipeline.report.data import AlertSummary, ReportData
from pipeline.report.formatting import (
    SHORT_TEXT_LIMIT,
    fmt_long_date,
    safe_url,
    truncate_text,
)
from pipeline.report.i18n import _, n_

SECTION_ID = "alerts"


def _severity_band(severity: int) -> tuple[str, str]:
    """Alert severity is 1..10: 1-3 low, 4-6 medium, 7-10 high."""
    if severity <= 3:
        return _("low"), "sev-low"
    if severity <= 6:
        return _("medium"), "sev-medium"
    return _("high"), "sev-high"


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


def alert_message(a: AlertSummary) -> str:
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


def build(data: ReportData) -> list[AlertView]:
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
            day=fmt_long_date(a.day),
            severity=a.severity,
            severity_label=label,
            severity_class=css,
            rule=a.rule,
            rule_label=_rule_label(a.rule),
            message=alert_message(a),
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
