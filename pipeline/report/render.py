"""Render `ReportData` into one self-contained HTML file (no external requests).

The report is a page of sections. Each section has one module in `sections/` that builds
its part of the view model and one template of the same name in `templates/sections/`
that lays it out; `SECTIONS` is their page order, and this module assembles them.

The templates only lay out the view model: numbers are formatted, text is truncated, urls
are checked, and charts are pre-rendered inline SVG (`pipeline.report.formatting`,
`pipeline.report.charts`). Jinja2 runs with autoescaping and ``StrictUndefined``, so post
text is always escaped and a typo in a template fails loudly instead of rendering an
empty string.

Everything a reader sees goes through `pipeline.report.i18n` (messages, numbers, dates,
durations in the report's language and time zone), and every rate that rests on few
mentions is shrunk and marked (`pipeline.report.honest`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from pipeline.report import i18n
from pipeline.report.data import ReportData
from pipeline.report.formatting import format_datetime, format_period
from pipeline.report.honest import FEW
from pipeline.report.i18n import _
from pipeline.report.sections import (
    alerts,
    chiefs,
    competitors,
    data_state,
    experts,
    headline,
    ideas,
    kpis,
    method,
    most_negative,
    problems,
    reputation,
    response_queue,
    share_of_voice,
    trend,
    tribes,
)
from pipeline.report.sections.alerts import AlertView
from pipeline.report.sections.chiefs import ChiefView
from pipeline.report.sections.competitors import CompetitorView
from pipeline.report.sections.headline import Headline
from pipeline.report.sections.ideas import IdeaView
from pipeline.report.sections.kpis import KpiCard
from pipeline.report.sections.method import MethodView
from pipeline.report.sections.most_negative import PostView
from pipeline.report.sections.problems import ProblemView
from pipeline.report.sections.response_queue import QueueView
from pipeline.report.sections.tribes import TribeView

__all__ = [
    "SECTIONS",
    "SECTION_IDS",
    "ReportView",
    "build_view",
    "environment",
    "render_html",
    "render_report",
    "report_lang",
]

# the report's sections, in page order: `sections/<name>.py` builds the part of the view
# that `templates/sections/<name>.html.j2` shows, in a <section id="SECTION_ID">
SECTIONS: tuple[ModuleType, ...] = (
    data_state,
    headline,
    kpis,
    trend,
    reputation,
    competitors,
    share_of_voice,
    alerts,
    problems,
    response_queue,
    most_negative,
    ideas,
    tribes,
    chiefs,
    experts,
    method,
)
SECTION_IDS: tuple[str, ...] = tuple(section.SECTION_ID for section in SECTIONS)


@dataclass(frozen=True, slots=True)
class ReportView:
    """Everything the template shows, formatted."""

    data: ReportData
    title: str
    period: str
    period_days: int
    generated: str
    state: list[Headline]  # the state of the data: shown first
    state_ok: bool
    headline: list[Headline]
    kpis: list[KpiCard]
    has_volume: bool
    trend_svg: Markup
    trend_summary: str
    has_reputation: bool
    reputation_svg: Markup
    reputation_summary: str
    competitors: list[CompetitorView]
    compare_svg: Markup
    competitor_summary: str
    has_competitors: bool
    sov_svg: Markup
    posts: list[PostView]
    alerts: list[AlertView]
    alerts_open: int
    problems: list[ProblemView]
    ideas: list[IdeaView]
    tribes: list[TribeView]
    chiefs: list[ChiefView]
    experts: list[ChiefView]
    queue: list[QueueView]
    queue_questions: int
    queue_complaints: int
    queue_intro: str
    method: MethodView
    model: str
    lang: str
    timezone: str
    few_threshold: int


def report_lang(data: ReportData) -> i18n.Lang:
    """The language and time zone the data asks for (`ReportData.language`, `.timezone`)."""
    return i18n.lang(data.language, data.timezone)


def build_view(data: ReportData) -> ReportView:
    """Turn report data into the formatted view model the template renders (in the current
    `i18n` language: see `render_html`)."""
    has_volume, trend_svg, trend_summary = trend.build(data)
    has_reputation, reputation_svg, reputation_summary = reputation.build(data)
    competitor_views, compare_svg, competitor_summary = competitors.build(data)
    has_competitors, sov_svg = share_of_voice.build(data)
    alert_views = alerts.build(data)
    queue = response_queue.build(data)
    state, state_ok = data_state.build(data)
    period = format_period(data.period_start, data.period_end)
    return ReportView(
        data=data,
        title=_("%(brand)s — reputation report, %(period)s", brand=data.brand, period=period),
        period=period,
        period_days=(data.period_end - data.period_start).days + 1,
        generated=format_datetime(data.generated_at),
        state=state,
        state_ok=state_ok,
        headline=headline.build(data, alert_views, state_ok),
        kpis=kpis.build(data),
        has_volume=has_volume,
        trend_svg=trend_svg,
        trend_summary=trend_summary,
        has_reputation=has_reputation,
        reputation_svg=reputation_svg,
        reputation_summary=reputation_summary,
        competitors=competitor_views,
        compare_svg=compare_svg,
        competitor_summary=competitor_summary,
        has_competitors=has_competitors,
        sov_svg=sov_svg,
        posts=most_negative.build(data),
        alerts=alert_views,
        alerts_open=sum(1 for a in alert_views if a.status == "open"),
        problems=problems.build(data),
        ideas=ideas.build(data),
        tribes=tribes.build(data),
        chiefs=chiefs.build(data),
        experts=experts.build(data),
        queue=queue,
        queue_questions=sum(1 for q in queue if q.intent == "question"),
        queue_complaints=sum(1 for q in queue if q.intent == "complaint"),
        queue_intro=response_queue.queue_intro(queue),
        method=method.build(data),
        model=data.model.strip(),
        lang=i18n.current().code,
        timezone=i18n.zone_name(),
        few_threshold=FEW,
    )


# ---------------------------------------------------------------------------- rendering


def environment() -> Environment:
    """The Jinja2 environment: package templates, autoescape on, StrictUndefined, and the
    i18n extension bound to `pipeline.report.i18n` (``_()`` / ``ngettext()`` in templates)."""
    env = Environment(
        loader=PackageLoader("pipeline.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # messages are plain text: escaped here (``n < 5`` becomes ``n &lt; 5``), then Jinja
    # fills in the (escaped) values
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: escape(i18n.current().translations.gettext(message)),
        lambda singular, plural, n: escape(
            i18n.current().translations.ngettext(singular, plural, n)),
        newstyle=True,
    )
    return env


def render_html(data: ReportData) -> str:
    """Render the report to an HTML string, in the data's language and time zone."""
    with i18n.use(report_lang(data)):
        template = environment().get_template("report.html.j2")
        return template.render(r=build_view(data))


def render_report(data: ReportData, path: Path) -> Path:
    """Write the report as one self-contained HTML file to *path* and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_html(data)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
