"""The state of the data, shown first (`sections/data_state.html.j2`): failed and silent
sources, days without mentions."""

from __future__ import annotations

from pipeline.report.charts import fmt_int
from pipeline.report.data import ReportData
from pipeline.report.formatting import (
    truncate_text,
)
from pipeline.report.i18n import _, n_
from pipeline.report.sections.headline import Headline
from pipeline.report.sections.method import source_status_label

SECTION_ID = "data-state"


def build(data: ReportData) -> tuple[list[Headline], bool]:
    """The state of the data, before any figure: failed and silent sources, coverage."""
    state = data.data_state
    if state is None:
        failing = [s for s in data.sources if s.status != "ok"]
        if not failing:
            return [], True
        names = ", ".join(s.source for s in failing)
        return [Headline("bad", "!", n_("%(n)s source not healthy", "%(n)s sources not healthy",
                                        len(failing)),
                         _("%(names)s: figures may miss their posts.", names=names))], False
    lines: list[Headline] = []
    for s in state.failed:
        what = (n_("%(n)s of %(runs)s run failed in the period",
                   "%(n)s of %(runs)s runs failed in the period", s.failed_runs, runs=s.runs)
                if s.failed_runs else source_status_label(s.status))
        detail = _("%(what)s; %(posts)s posts on %(days)s of %(all)s days arrived.",
                   what=what, posts=fmt_int(s.posts), days=fmt_int(s.days_with_posts),
                   all=fmt_int(state.days))
        if s.last_error:
            detail += " " + _("Last error: %(error)s", error=truncate_text(s.last_error, 120))
        lines.append(Headline("bad", "!", _("Source %(name)s failed", name=s.source), detail))
    for s in state.silent:
        lines.append(Headline("warn", "!", _("Source %(name)s was silent", name=s.source),
                              _("no posts dated in the period: check that it still "
                                "collects what you expect.")))
    gaps = state.days - state.days_with_mentions
    coverage = n_("Mentions on %(n)s of %(days)s day", "Mentions on %(n)s of %(days)s days",
                  state.days_with_mentions, days=fmt_int(state.days))
    ok_sources = [s for s in state.sources if s.enabled and not s.failed and not s.silent]
    detail = n_("%(n)s source delivered", "%(n)s sources delivered", len(ok_sources))
    if gaps:
        detail += "; " + n_("%(n)s day without any mention of the brand",
                            "%(n)s days without any mention of the brand", gaps)
    lines.append(Headline("info" if lines or gaps else "good", "•" if lines or gaps else "✓",
                          coverage, detail + "."))
    return lines, not state.failed and not state.silent
