"""Section "Reputation trend" (`sections/reputation.html.j2`): the daily reputation index."""

from __future__ import annotations

import math

from markupsafe import Markup

from pipeline.report import charts
from pipeline.report.data import ReportData
from pipeline.report.formatting import (
    fmt_long_date,
    fmt_score,
)
from pipeline.report.i18n import _
from pipeline.report.sections.trend import alert_markers, fill_days

SECTION_ID = "reputation"


def build(data: ReportData) -> tuple[bool, Markup, str]:
    days = fill_days(data)
    scored = [p for p in days if p.reputation is not None and math.isfinite(p.reputation)]
    if not scored:
        return False, Markup(""), ""
    k = data.kpis.reputation
    reference = None if k is None else (k, _("Whole period: %(score)s", score=fmt_score(k)))
    svg = charts.reputation_line(
        [p.day for p in days],
        [p.reputation for p in days],
        markers=alert_markers(data),
        reference=reference,
        window_days=data.trend_days,
    )
    low = min(scored, key=lambda p: (p.reputation or 0.0, p.day))
    high = max(scored, key=lambda p: (p.reputation or 0.0, -p.day.toordinal()))
    last = scored[-1]
    parts = [_("Latest: %(score)s on %(day)s", score=fmt_score(last.reputation),
               day=fmt_long_date(last.day))]
    if fmt_score(low.reputation) != fmt_score(high.reputation):  # else the line is flat
        for name, point in ((_("lowest"), low), (_("highest"), high)):
            if fmt_score(point.reputation) != fmt_score(last.reputation):
                parts.append(_("%(which)s: %(score)s on %(day)s", which=name,
                               score=fmt_score(point.reputation), day=fmt_long_date(point.day)))
    return True, svg, "; ".join(parts) + "."
