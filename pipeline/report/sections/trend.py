"""Section "Sentiment trend" (`sections/trend.html.j2`): mentions per day by sentiment."""

from __future__ import annotations

from datetime import date, timedelta

from markupsafe import Markup

from pipeline.report import charts
from pipeline.report.charts import fmt_int
from pipeline.report.data import DayPoint, ReportData
from pipeline.report.formatting import (
    fmt_long_date,
)
from pipeline.report.honest import few, shrunk_net
from pipeline.report.i18n import _
from pipeline.report.sections.alerts import alert_message

SECTION_ID = "trend"


def fill_days(data: ReportData) -> list[DayPoint]:
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


def alert_markers(data: ReportData) -> list[tuple[date, str]]:
    return [
        (a.day, alert_message(a))
        for a in sorted(data.alerts, key=lambda a: (a.day, -a.severity))
    ]


def build(data: ReportData) -> tuple[bool, Markup, str]:
    days = fill_days(data)
    total = sum(p.negative + p.neutral + p.positive for p in days)
    if total == 0:
        return False, Markup(""), ""
    svg = charts.stacked_bar_trend(
        [p.day for p in days],
        [p.negative for p in days],
        [p.neutral for p in days],
        [p.positive for p in days],
        line=[shrunk_net(p.positive, p.negative, data.reputation_prior) for p in days],
        markers=alert_markers(data),
        few=[few(p.positive + p.negative) for p in days],
        line_label=_("Net sentiment, shrunk (right axis)"),
    )
    peak = max(days, key=lambda p: p.volume)
    worst = max(days, key=lambda p: (p.negative, -p.day.toordinal()))
    summary = _("Busiest day: %(day)s with %(n)s mentions.", day=fmt_long_date(peak.day),
                n=fmt_int(peak.volume))
    if worst.negative > 0:
        summary += " " + _("Most negative mentions: %(day)s (%(n)s).",
                           day=fmt_long_date(worst.day), n=fmt_int(worst.negative))
    return True, svg, summary
