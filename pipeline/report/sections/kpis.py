"""The KPI tiles (`sections/kpis.html.j2`)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.report.charts import fmt_int
from pipeline.report.data import ReportData
from pipeline.report.formatting import (
    count_change,
    fmt_compact,
    fmt_net,
    fmt_pct,
    fmt_score,
    honest_net,
    point_change,
)
from pipeline.report.honest import few, shrunk_net
from pipeline.report.i18n import _, n_

SECTION_ID = "kpis"


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
    few: bool = False  # rests on fewer than FEW mentions


def build(data: ReportData) -> list[KpiCard]:
    """Six tiles: how the brand is felt (reputation, net sentiment, negative share), then
    how loud it is (mentions, reach, share of voice), each against the previous period."""
    k = data.kpis
    cards: list[KpiCard] = []

    # Reputation (-100..100) and its change in points.
    change, tone, arrow = point_change(k.reputation, k.reputation_prev, 1, True)
    if k.reputation is None:
        note = _("no scored mentions")
    elif k.reputation_prev is None:
        note = _("−100 … +100; no score in the previous period")
    else:
        note = _("−100 … +100; previous period: %(prev)s", prev=fmt_score(k.reputation_prev))
    cards.append(KpiCard("reputation", _("Reputation"), fmt_score(k.reputation), change, tone,
                         arrow, note, few=few(k.volume)))

    # Net sentiment, shrunk like the reputation, on a -100..100 scale.
    counted = bool(k.positive or k.negative or k.positive_prev or k.negative_prev)
    net, is_few = honest_net(data, k.positive, k.negative) if counted else (
        k.net_sentiment, False)
    net_prev = (shrunk_net(k.positive_prev, k.negative_prev, data.reputation_prior)
                if counted else k.net_sentiment_prev)
    change, tone, arrow = point_change(net, net_prev, 100, True)
    cards.append(KpiCard(
        key="net_sentiment", label=_("Net sentiment"), value=fmt_net(net), change=change,
        tone=tone, arrow=arrow,
        note=_("−100 (all negative) … +100 (all positive), shrunk when few")
        if net is not None else _("no positive or negative mentions"),
        few=is_few,
    ))

    change, tone, arrow = point_change(k.negative_share, k.negative_share_prev, 100, False)
    cards.append(KpiCard(
        key="negative_share", label=_("Negative share"), value=fmt_pct(k.negative_share),
        change=change, tone=tone, arrow=arrow,
        note=_("of all mentions") if k.negative_share is not None else _("no mentions"),
        few=few(k.volume) and k.volume > 0,
    ))

    # Mentions and their change: more mentions is neither good nor bad by itself.
    change, arrow = count_change(k.volume, k.volume_prev, _("mentions"))
    cards.append(KpiCard(
        key="mentions", label=_("Mentions"), value=fmt_int(k.volume), change=change,
        tone="flat", arrow=arrow,
        note=_("previous period: %(prev)s", prev=fmt_int(k.volume_prev)),
    ))

    change, arrow = count_change(k.reach, k.reach_prev, _("reach"))
    cards.append(KpiCard(
        key="reach", label=_("Reach"), value=fmt_compact(k.reach), change=change,
        tone="flat", arrow=arrow,
        note=_("views or interactions; previous period: %(prev)s",
               prev=fmt_compact(k.reach_prev)),
    ))

    if not data.competitors:
        sov_note = _("no competitors configured")
    elif k.share_of_voice is None:
        sov_note = _("no mentions of the brand or its competitors")
    else:
        sov_note = n_("against %(n)s competitor", "against %(n)s competitors",
                      len(data.competitors))
    change, tone, arrow = (None, "flat", "")
    if data.competitors:
        change, tone, arrow = point_change(k.share_of_voice, k.share_of_voice_prev, 100, True)
    cards.append(KpiCard(
        key="share_of_voice", label=_("Share of voice"),
        value=fmt_pct(k.share_of_voice) if data.competitors else "—",
        change=change, tone=tone, arrow=arrow, note=sov_note,
    ))
    return cards
