"""Section "Opinion leaders (chiefs)" (`sections/chiefs.html.j2`); the experts section shows its
rows the same way."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.report import i18n
from pipeline.report.charts import fmt_int
from pipeline.report.data import ChiefRow, ReportData
from pipeline.report.formatting import (
    fmt_net,
    honest_net,
    mix_title,
    short_author,
    split_pct,
)

SECTION_ID = "chiefs"


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


def people(data: ReportData, rows: list[ChiefRow]) -> list[ChiefView]:
    views = []
    for i, a in enumerate(rows, 1):
        neg, neu, pos = split_pct(a.negative, a.neutral, a.positive)
        influence = min(100.0, max(0.0, a.influence))
        net, is_few = honest_net(data, a.positive, a.negative)
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
            net_sentiment=fmt_net(net),
            negative_pct=neg,
            neutral_pct=neu,
            positive_pct=pos,
            few=is_few,
            brand_replies=fmt_int(a.brand_replies),
            mix_title=mix_title(a.negative, a.neutral, a.positive),
        ))
    return views

def build(data: ReportData) -> list[ChiefView]:
    return people(data, data.chiefs)
