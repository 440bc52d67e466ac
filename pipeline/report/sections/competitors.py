"""Section "Against the competitors" (`sections/competitors.html.j2`): the brand beside them."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from pipeline.report import charts
from pipeline.report.charts import fmt_int
from pipeline.report.data import ReportData
from pipeline.report.formatting import (
    fmt_net,
    fmt_pct,
    fmt_score,
    honest_net,
    tone_of,
)
from pipeline.report.honest import few
from pipeline.report.i18n import _

SECTION_ID = "competitors"


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


def build(data: ReportData) -> tuple[list[CompetitorView], Markup, str]:
    rows = list(data.competitor_kpis)
    if not any(not r.is_self for r in rows):
        return [], Markup(""), ""
    rows.sort(key=lambda r: (not r.is_self,))  # the brand first, then as given
    views = []
    for r in rows:
        counted = bool(r.positive or r.negative)
        net, is_few = honest_net(data, r.positive, r.negative) if counted else (
            r.net_sentiment, False)
        views.append(CompetitorView(
            brand=r.brand,
            is_self=r.is_self,
            mentions=fmt_int(r.mentions),
            share_of_voice=fmt_pct(r.share_of_voice),
            net_sentiment=fmt_net(net),
            reputation=fmt_score(r.reputation),
            reputation_tone=tone_of(r.reputation),
            negative_share=fmt_pct(r.negative_share),
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
