"""Section "How to read this report" (`sections/method.html.j2`): models, coverage, source health
and the reputation formula."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.report.charts import fmt_int
from pipeline.report.data import ReportData
from pipeline.report.formatting import (
    fmt_net,
    fmt_pct,
    lang_tag,
    truncate_text,
)
from pipeline.report.honest import shrunk_net
from pipeline.report.i18n import _, n_

SECTION_ID = "method"


@dataclass(frozen=True, slots=True)
class SourceView:
    """What one source delivered in the period."""

    source: str
    kind: str
    status: str
    status_class: str
    status_label: str
    posts: str  # posts dated in the period (not the last run's items)
    days: str  # days with posts
    runs: str  # "3 runs, 1 failed" in the period
    last_error: str | None


@dataclass(frozen=True, slots=True)
class MethodView:
    """The method note: models, coverage, source health and the reputation formula."""

    models: list[tuple[str, str]]  # (role, "name version")
    prior: str  # K
    trend_days: int
    coverage_mentions: str | None  # None: coverage not measured
    coverage_scored: str
    coverage_scored_pct: str
    coverage_human: str
    coverage_langs: str
    sources: list[SourceView]
    sources_failing: int
    coverage_text: str = ""
    one_negative: str = ""  # net sentiment of a single negative post, shrunk


_SOURCE_STATUS = {"ok": "st-ok", "failed": "st-failed", "disabled": "st-disabled",
                  "never": "st-disabled"}


def source_status_label(status: str) -> str:
    return {"ok": _("ok"), "failed": _("failed"), "disabled": _("disabled"),
            "never": _("never ran")}.get(status, status)


def _sources(data: ReportData) -> list[SourceView]:
    state = data.data_state
    if state is None:  # no period figures: the health recorded by the last runs
        return [SourceView(
            source=s.source, kind=s.kind, status=s.status,
            status_class=_SOURCE_STATUS.get(s.status, "st-failed"),
            status_label=source_status_label(s.status), posts="—", days="—",
            runs=n_("%(n)s failure in a row", "%(n)s failures in a row",
                    s.consecutive_failures) if s.consecutive_failures else "—",
            last_error=truncate_text(s.last_error, 160) if s.last_error else None,
        ) for s in sorted(data.sources, key=lambda s: (s.status == "ok", s.source))]
    views = []
    for s in sorted(state.sources, key=lambda s: (not s.failed, not s.silent, s.source)):
        status = "failed" if s.failed_runs and s.status == "ok" else s.status
        runs = n_("%(n)s run", "%(n)s runs", s.runs)
        if s.failed_runs:
            runs += ", " + n_("%(n)s failed", "%(n)s failed", s.failed_runs)
        views.append(SourceView(
            source=s.source, kind=s.kind, status=status,
            status_class=_SOURCE_STATUS.get(status, "st-failed"),
            status_label=source_status_label(status) if s.enabled or status != "ok"
            else _("not configured"),
            posts=fmt_int(s.posts), days=f"{fmt_int(s.days_with_posts)}/{fmt_int(state.days)}",
            runs=runs,
            last_error=truncate_text(s.last_error, 160) if s.last_error else None,
        ))
    return views


def build(data: ReportData) -> MethodView:
    roles = {"sentiment": _("Sentiment"), "intent": _("Intent"),
             "keyphrases": _("Keyphrases"), "problems": _("Problems")}
    models = [(roles.get(role, role.replace("_", " ").capitalize()), version.strip())
              for role, version in data.models.items() if version.strip()]
    if not models and data.model.strip():
        models = [(_("Sentiment"), data.model.strip())]
    cov = data.coverage
    langs = ""
    if cov is not None and cov.mentions > 0:
        top = sorted(cov.by_lang.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = [f"{lang_tag(lang)} {fmt_pct(n / cov.mentions)}" for lang, n in top[:6]]
        rest = sum(n for _lang, n in top[6:])
        if rest:
            shown.append(_("other %(share)s", share=fmt_pct(rest / cov.mentions)))
        langs = " · ".join(shown)
    text = _("not measured for this report.")
    if cov is not None:
        text = _("%(mentions)s mentions, %(scored)s scored by the sentiment model (%(pct)s), "
                 "%(human)s with a human label (a human label wins over the model).",
                 mentions=fmt_int(cov.mentions), scored=fmt_int(cov.scored),
                 pct=fmt_pct(cov.scored / cov.mentions) if cov.mentions else "—",
                 human=fmt_int(cov.human_labels))
        if langs:
            text += " " + _("Languages: %(langs)s.", langs=langs)
    sources = _sources(data)
    failing = (len(data.data_state.failed) if data.data_state is not None
               else sum(1 for s in data.sources if s.status != "ok"))
    return MethodView(
        models=models,
        prior=f"{data.reputation_prior:g}",
        trend_days=data.trend_days,
        coverage_mentions=None if cov is None else fmt_int(cov.mentions),
        coverage_scored="" if cov is None else fmt_int(cov.scored),
        coverage_scored_pct="" if cov is None or not cov.mentions
        else fmt_pct(cov.scored / cov.mentions),
        coverage_human="" if cov is None else fmt_int(cov.human_labels),
        coverage_langs=langs,
        sources=sources,
        sources_failing=failing,
        coverage_text=text,
        one_negative=fmt_net(shrunk_net(0, 1, data.reputation_prior)),
    )
