"""Section "Customer problems" (`sections/problems.html.j2`): how often, how fast they grow."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from pipeline.report import charts
from pipeline.report.charts import fmt_int
from pipeline.report.data import ReportData
from pipeline.report.formatting import (
    SHORT_TEXT_LIMIT,
    fmt_pct,
    truncate_text,
)
from pipeline.report.honest import FEW, few
from pipeline.report.i18n import _, n_

SECTION_ID = "problems"


RECENT_DAYS = 7  # ProblemSummary.recent counts the last 7 days of the period


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


def build(data: ReportData) -> list[ProblemView]:
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
        neg = _("%(share)s negative", share=fmt_pct(p.share_negative))
        if p.recent and few(p.recent):  # a share of fewer than FEW posts
            neg = _("%(share)s negative (n < %(few)s)", share=fmt_pct(p.share_negative), few=FEW)
        views.append(ProblemView(
            rank=i,
            label=label,
            emerging=p.emerging,
            new=p.emerging and p.before == 0,
            recent=fmt_int(p.recent),
            before=fmt_int(p.before),
            baseline_days=baseline_days,
            negative_pct=fmt_pct(p.share_negative),
            spark=spark,
            examples=[truncate_text(e, SHORT_TEXT_LIMIT) for e in p.examples[:3] if e.strip()],
            stats=" · ".join((recent, before, neg)),
        ))
    return views
