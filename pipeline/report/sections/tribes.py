"""Section "Communities (tribes)" (`sections/tribes.html.j2`): where the brand is discussed."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.report.charts import fmt_int
from pipeline.report.data import ReportData
from pipeline.report.formatting import (
    fmt_compact,
    fmt_net,
    fmt_signed,
    honest_net,
    mix_title,
    split_pct,
    tone_of,
)
from pipeline.report.i18n import _

SECTION_ID = "tribes"


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


def build(data: ReportData) -> list[TribeView]:
    views = []
    for i, c in enumerate(data.communities, 1):
        if c.growth is not None and math.isfinite(c.growth):
            growth, tone = f"{fmt_signed(c.growth * 100)}%", tone_of(c.growth * 100)
            tone = {"good": "up", "bad": "down"}.get(tone, "flat")
        elif c.mentions_prev == 0 and c.mentions > 0:
            growth, tone = _("new"), "new"
        else:
            growth, tone = "—", "flat"
        neg, neu, pos = split_pct(c.negative, c.neutral, c.positive)
        net, is_few = honest_net(data, c.positive, c.negative)
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
            net_sentiment=fmt_net(net),
            authors=fmt_int(c.authors),
            reach=fmt_compact(c.reach),
            few=is_few,
            mix_title=mix_title(c.negative, c.neutral, c.positive),
        ))
    return views
