"""One whole run: collect → analyze → aggregate → alert, recorded in the `run` table.
(The report, step 5, is written on its own schedule: `pipeline.report.write`.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from pipeline.config import Config
from pipeline.nlp.sentiment import load_backend
from pipeline.reputation.alerts import AlertRecord
from pipeline.stages.aggregate import aggregate_dirty
from pipeline.stages.alert import alert_dirty
from pipeline.stages.analyze import AnalyzeResult, analyze
from pipeline.stages.collect import CollectResult, collect
from pipeline.stages.progress import Progress, no_progress
from pipeline.timing import timed
from pipeline.warehouse import state


@dataclass(slots=True)
class RunResult:
    run_id: str
    collect: CollectResult
    analyze: AnalyzeResult
    metric_rows: int
    alerts: list[AlertRecord]


def run(engine: Engine, config: Config, *, progress: Progress = no_progress,
        sources: Sequence[str] | None = None, force: bool = False,
        profile: str | None = None) -> RunResult:
    """collect → analyze → aggregate → alert, recording the run.

    `profile` (accurate | fast) overrides `analysis.profile` for this run."""
    config = config.with_profile(profile)
    run_id = state.start_run(engine, "run")
    status = "failed"
    try:
        with timed("collect"):
            collected = collect(engine, config, run_id, sources=sources, force=force,
                                progress=progress)
        with timed("model_load"):
            backend = load_backend(config.sentiment_model())
        with timed("analyze"):
            analyzed = analyze(engine, config, backend=backend, progress=progress)
        # every day that received posts since the last pass, in this run or one that
        # crashed before its aggregate (dirty days, recorded with the posts)
        with timed("aggregate"):
            rows = aggregate_dirty(engine, config, backend=backend, progress=progress)
        with timed("alert"):
            alerts = alert_dirty(engine, config, backend=backend, progress=progress)
        status = "partial" if collected.failed else "ok"
        return RunResult(run_id, collected, analyzed, rows, alerts)
    finally:
        state.finish_run(engine, run_id, status, {})
