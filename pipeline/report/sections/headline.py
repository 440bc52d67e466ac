"""Section "At a glance" (`sections/headline.html.j2`): the period in a few lines."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.report.charts import fmt_int
from pipeline.report.data import ReportData
from pipeline.report.formatting import (
    count_change,
    fmt_net,
    fmt_pct,
    fmt_score,
    format_age,
    point_change,
    tone_of,
    truncate_text,
)
from pipeline.report.honest import shrunk_net
from pipeline.report.i18n import _, n_
from pipeline.report.sections.alerts import AlertView
from pipeline.report.sections.problems import RECENT_DAYS

SECTION_ID = "headline"


@dataclass(frozen=True, slots=True)
class Headline:
    """One line of the period's headline: a bold lead, then the detail."""

    tone: str  # "good" | "bad" | "warn" | "info": colour of the mark
    mark: str  # a shape that carries the tone without colour: ▲ ▼ ! ? ✓ •
    lead: str
    text: str


def build(data: ReportData, alerts: list[AlertView], state_ok: bool) -> list[Headline]:
    """The period in a few lines: what changed, what burns, what waits."""
    k = data.kpis
    lines: list[Headline] = []

    # 1. How the brand is felt, and how that changed.
    if k.reputation is not None:
        lead = _("Reputation %(score)s", score=fmt_score(k.reputation))
        if k.reputation_prev is not None:
            delta = round(k.reputation) - round(k.reputation_prev)
            if delta > 0:
                text = _("up %(n)s pts from %(prev)s in the previous period", n=abs(delta),
                         prev=fmt_score(k.reputation_prev))
            elif delta < 0:
                text = _("down %(n)s pts from %(prev)s in the previous period", n=abs(delta),
                         prev=fmt_score(k.reputation_prev))
            else:
                text = _("unchanged from the previous period")
            tone = tone_of(delta)
            mark = "▲" if delta > 0 else "▼" if delta < 0 else "•"
        else:
            text, tone, mark = _("no score for the previous period to compare with"), "info", "•"
        net = shrunk_net(k.positive, k.negative, data.reputation_prior) if (
            k.positive or k.negative) else k.net_sentiment
        if net is not None:
            text += "; " + _("net sentiment %(net)s", net=fmt_net(net))
        lines.append(Headline({"good": "good", "bad": "bad"}.get(tone, "info"), mark, lead,
                              text + "."))
    elif k.net_sentiment is not None:
        change, tone, arrow = point_change(k.net_sentiment, k.net_sentiment_prev, 100, True)
        lines.append(Headline({"good": "good", "bad": "bad"}.get(tone, "info"), arrow or "•",
                              _("Net sentiment %(net)s", net=fmt_net(k.net_sentiment)),
                              (change or _("no previous period to compare with")) + "."))
    else:
        lines.append(Headline("info", "•", _("No sentiment yet"),
                              _("no scored mentions of %(brand)s in this period.",
                                brand=data.brand)))

    # 2. How loud, against the previous period and the competitors.
    change, _arrow = count_change(k.volume, k.volume_prev, _("mentions"))
    text = change or _("none in the previous period either")
    if data.competitors and k.share_of_voice is not None:
        text += "; " + _("share of voice %(share)s", share=fmt_pct(k.share_of_voice))
    lines.append(Headline("info", "•", n_("%(n)s mention", "%(n)s mentions", k.volume),
                          text + "."))

    # 3. Alerts.
    if alerts:
        open_n = sum(1 for a in alerts if a.status == "open")
        worst = max(alerts, key=lambda a: a.severity)
        text = (n_("%(n)s still open", "%(n)s still open", open_n) if open_n
                else _("all handled")) + "; " + _(
            "the strongest: %(rule)s on %(day)s, %(what)s", rule=worst.rule_label,
            day=worst.day, what=worst.message)
        lines.append(Headline("bad" if open_n else "warn", "!",
                              n_("%(n)s alert", "%(n)s alerts", len(alerts)), text + "."))
    elif state_ok:
        lines.append(Headline("good", "✓", _("No alerts"),
                              _("sentiment stayed in its usual range.")))
    else:
        lines.append(Headline("warn", "•", _("No alerts on the data that arrived"),
                              _("a source failed or was silent (above): a spike there would "
                                "not show.")))

    # 4. The biggest rising problem.
    rising = [p for p in data.problems if p.emerging]
    if rising:
        p = rising[0]
        text = _("%(recent)s in the last %(days)s days (%(before)s in the weeks before), "
                 "%(neg)s negative", recent=n_("%(n)s post", "%(n)s posts", p.recent),
                 days=RECENT_DAYS, before=fmt_int(p.before), neg=fmt_pct(p.share_negative))
        if len(rising) > 1:
            text += "; " + _("%(n)s more rising", n=len(rising) - 1)
        lines.append(Headline(
            "bad", "▲", _("Rising problem: “%(label)s”", label=truncate_text(p.label, 80)),
            text + "."))
    elif data.problems:
        lines.append(Headline("good", "✓", _("No rising problem"),
                              n_("%(n)s known problem, none growing.",
                                 "%(n)s known problems, none growing.", len(data.problems))))

    # 5. What waits for an answer.
    queue = data.response_queue
    if queue:
        questions = sum(1 for q in queue if q.intent == "question")
        complaints = sum(1 for q in queue if q.intent == "complaint")
        oldest = max(q.age_hours for q in queue)
        parts = [p for p in (n_("%(n)s question", "%(n)s questions", questions)
                             if questions else "",
                             n_("%(n)s complaint", "%(n)s complaints", complaints)
                             if complaints else "") if p]
        kinds = _("%(list)s and %(last)s", list=parts[0], last=parts[1]) if len(
            parts) == 2 else (parts[0] if parts else _("posts"))
        lines.append(Headline(
            "warn", "?", n_("%(n)s post waits for an answer", "%(n)s posts wait for an answer",
                            len(queue)),
            _("%(kinds)s; the oldest has waited %(age)s.", kinds=kinds,
              age=format_age(oldest)),
        ))
    else:
        lines.append(Headline("good", "✓", _("Nothing waits for an answer"),
                              _("no unanswered questions or complaints.")))

    if data.ideas:
        lines.append(Headline("info", "•", n_("%(n)s idea", "%(n)s ideas", len(data.ideas)),
                              _("from customers: suggestions worth a look.")))
    return lines
